#!/usr/bin/env bash
# Rebuilds the field page's wasm (pkg/pora_wasm.js + pkg/pora_wasm_bg.wasm, committed and embedded
# in the server) from the current pora-wasm source: release wasm32 build, wasm-bindgen --target web,
# no wasm-opt, paths remapped, so the bytes depend only on the source, Cargo.lock and the toolchain.
#   bash crates/pora-server/web/field/build-pkg.sh           # rebuild in place (commit the result)
#   bash crates/pora-server/web/field/build-pkg.sh --check   # CI: fail when the committed pkg differs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
# build DIR: the module and its JS glue only (no typings, no .gitignore).
build() {
  VERIFY_ONLY=0 WASM_OPT=0 PORA_WASM_OUT="$1" bash "$root/bench/wasm/build.sh"
  rm -f "$1/.gitignore" "$1/package.json" "$1/"*.d.ts
}
if [ "${1:-}" = --check ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  build "$out/pkg"
  if ! diff -r "$out/pkg" "$here/pkg" >/dev/null; then
    echo "error: crates/pora-server/web/field/pkg is not the build of the current source; run" >&2
    echo "  bash crates/pora-server/web/field/build-pkg.sh   and commit the result" >&2
    diff -rq "$out/pkg" "$here/pkg" >&2 || true
    exit 1
  fi
  echo "field page wasm: the committed pkg is the build of the current source"
else
  build "$here/pkg"
fi
