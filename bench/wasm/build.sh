#!/usr/bin/env bash
# Builds the browser field verifier into bench/wasm/pkg/ (`wasm-bindgen --target web`: pora_wasm.js +
# pora_wasm_bg.wasm), shrinks it with wasm-opt when bench/wasm/node_modules has binaryen, and prints
# raw and gzip sizes. Installs wasm-bindgen-cli at the version Cargo.lock pins if it is missing.
# Also builds pkg-verify-only/ (the verifier without the QR reader, for the size comparison;
# VERIFY_ONLY=0 skips it). PORA_WASM_OUT=<dir> puts the full module there instead of pkg/, and
# WASM_OPT=0 skips wasm-opt (the field page's committed pkg: crates/pora-server/web/field/build-pkg.sh).
# Paths are remapped (--remap-path-prefix) so that the output does not depend on where the
# repository, the cargo home or the target directory is: two builds of one source give the same bytes.
#   bash bench/wasm/build.sh            # CARGO_TARGET_DIR is honoured (default: the workspace's target/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target_dir

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
ver=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$ver" ] || { echo "build.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$ver" ]; then
  echo "installing wasm-bindgen-cli $ver" >&2
  # --locked first; its lock can name a crate version the registry no longer serves, then resolve anew.
  cargo install wasm-bindgen-cli --version "$ver" --locked || cargo install wasm-bindgen-cli --version "$ver"
fi
if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi

wasm_opt="$here/node_modules/.bin/wasm-opt"
[ "${WASM_OPT:-1}" = 0 ] && wasm_opt=/nonexistent
[ -x "$wasm_opt" ] || [ "${WASM_OPT:-1}" = 0 ] || echo "no $wasm_opt (npm ci in bench/wasm installs binaryen): wasm-opt skipped" >&2
sizes() { printf '%-44s raw %8d bytes   gzip -9 %8d bytes\n' "$1" "$(wc -c <"$2")" "$(gzip -9c "$2" | wc -c)"; }

# build OUT_DIR [cargo args...]: release wasm32 build, wasm-bindgen --target web, wasm-opt -O3.
build() {
  local out=$1
  shift
  # Size-and-speed settings for this artefact only, without touching the workspace's
  # [profile.release] (which keeps debug = 1 for native profiling).
  CARGO_PROFILE_RELEASE_DEBUG=0 \
  CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_PANIC=abort \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$root=/pora --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$target_dir=/target" \
    cargo build --release --locked -p pora-wasm --target wasm32-unknown-unknown "$@"
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" "$target_dir/wasm32-unknown-unknown/release/pora_wasm.wasm"
  local wasm="$out/pora_wasm_bg.wasm"
  sizes "$(basename "$out")/pora_wasm_bg.wasm (wasm-bindgen)" "$wasm"
  if [ -x "$wasm_opt" ]; then
    # The features rustc enables by default for wasm32-unknown-unknown.
    "$wasm_opt" -O3 --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
      --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
      "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
    sizes "$(basename "$out")/pora_wasm_bg.wasm (wasm-opt -O3)" "$wasm"
  fi
  sizes "$(basename "$out")/pora_wasm.js (glue)" "$out/pora_wasm.js"
}

if [ "${VERIFY_ONLY:-1}" = 1 ]; then
  build "$here/pkg-verify-only" --no-default-features
fi
# Last, so the target directory's pora_wasm.wasm is the full module.
build "${PORA_WASM_OUT:-$here/pkg}"
