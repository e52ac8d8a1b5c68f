#!/usr/bin/env bash
# The whole wasm benchmark (docs/WASM-BENCH.md): npm ci into bench/wasm/node_modules, build.sh (pkg/),
# the frames (testkit vector PNGs, the same on a 720p canvas, pora-reader-gen 1080p photos) as raw
# RGBA into bench/wasm/frames/, the same reads natively, the browser smoke test (smoke.mjs, when
# Chromium is installed), then node bench.mjs, whose report also lands in frames/report.md.
#   bash bench/wasm/run.sh                 # PER_CLASS=2 generated photos per degradation class
#   PER_CLASS=5 bash bench/wasm/run.sh     # more photos; QUICK=1 for one timing pass per frame
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
per_class=${PER_CLASS:-2}

cd "$here"
npm ci --no-audit --no-fund
bash "$here/build.sh"

cd "$root"
rm -rf "$here/frames"
mkdir -p "$here/frames/gen"
cargo run --release --locked -q -p pora-reader --example pora-reader-gen -- "$here/frames/gen" "$per_class" 2026
cargo run --release --locked -q -p pora-wasm --example pora-wasm-frames -- "$here/frames" "$here/frames/gen"
# The same reads natively (pora-reader as the CLI runs it), for the wasm-vs-native column.
cargo run --release --locked -q -p pora-wasm --example pora-wasm-native -- "$here/frames"

cd "$here"
# The module in a real page, when Chromium is installed (apt-get install chromium).
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; then
  node smoke.mjs
else
  echo "no Chromium: browser smoke test skipped" >&2
fi
node bench.mjs "$here/frames" ${QUICK:+--quick} | tee "$here/frames/report.md"
