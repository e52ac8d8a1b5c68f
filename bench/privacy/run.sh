#!/usr/bin/env bash
# Retention and breach-export timings on the Bekasi demo database (issue 8).
#   cargo build --release -p pora-cli && bash bench/privacy/run.sh [postgres://...]
# Builds a fresh demo at scale $SCALE (default 1), then as of $NOW (default 2031-01-01, when every
# kind has expired): a dry run, the breach export of every entry (CSV), the real run, and the audit
# verification after the audit log was pruned behind its anchor. Prints wall-clock seconds.
set -euo pipefail
BIN=${BIN:-target/release/pora}
SCALE=${SCALE:-1}
NOW=${NOW:-2031-01-01T00:00:00Z}
DIR=$(mktemp -d /tmp/pora-privacy-bench.XXXX)
DB=${1:-sqlite:$DIR/pora.db}
t() { local s e; s=$(date +%s.%N); "$@" > "$DIR/out.txt" 2> "$DIR/err.txt"; e=$(date +%s.%N);
      printf '%-60s %6.2f s\n' "${*:2:3}" "$(echo "$e - $s" | bc)"; }
t "$BIN" demo --dir "$DIR" --db "$DB" --no-serve --seed 2018 --scale "$SCALE"
t "$BIN" retention run --db "$DB" --data-dir "$DIR" --dry-run --now "$NOW"
jq -c '[.rules[] | {kind, count}]' "$DIR/out.txt"
t "$BIN" audit export --db "$DB" --from 2000-01-01 --to "$NOW" --out "$DIR/reads.csv"
echo "$(($(wc -l < "$DIR/reads.csv") - 1)) rows, $(du -h "$DIR/reads.csv" | cut -f1)"
t "$BIN" retention run --db "$DB" --data-dir "$DIR" --now "$NOW"
jq -c '[.rules[] | {kind, count, batches}]' "$DIR/out.txt"
t "$BIN" audit verify --db "$DB" --key "$DIR/pora-audit.key"
jq -c '{entries, starts_after, fault}' "$DIR/out.txt"
rm -rf "$DIR"
