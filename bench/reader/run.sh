#!/usr/bin/env bash
# Generates the benchmark set, runs pora-reader and the peers on it, prints the combined table.
# Usage: bench/reader/run.sh [PER_CLASS] [REPEATS]   (from the workspace root)
# Needs: python3 with zxing-cpp, pyzbar, pillow, numpy (pip install -r bench/reader/requirements.txt)
# and libzbar0 (apt-get install -y libzbar0).
set -euo pipefail
cd "$(dirname "$0")/../.."
PER_CLASS=${1:-20}
REPEATS=${2:-3}
OUT=bench/reader/out
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-reader}
cargo build --release -p pora-reader --examples
BIN=$CARGO_TARGET_DIR/release/examples
# The generator is deterministic (seed 2026); SKIP_GEN=1 reuses an existing set.
if [ "${SKIP_GEN:-0}" != 1 ] || [ ! -f "$OUT/manifest.jsonl" ]; then
  rm -rf "$OUT"
  "$BIN/pora-reader-gen" "$OUT" "$PER_CLASS" 2026 90
fi
"$BIN/pora-reader-bench" "$OUT" "$REPEATS" > "$OUT/results.jsonl"
python3 bench/reader/peers.py "$OUT" "$REPEATS" >> "$OUT/results.jsonl"
python3 bench/reader/report.py "$OUT/results.jsonl" | tee "$OUT/report.md"
