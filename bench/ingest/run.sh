#!/bin/sh
# Ingest benchmark of signed check reports on SQLite and PostgreSQL, with the raw insert of the same
# rows in the same run. Usage: bench/ingest/run.sh [REPORTS] [BATCH] [UPLOADERS] [LINKED] [BASIS]
# (default 1000000, 1000, 2: concurrent uploads, as devices syncing at once; LINKED, default 0, is the
# percentage of reports naming one of 10,000 registered permits, each linked one also appending the
# person's audit entry; BASIS caught (default: every report caught in the act, one alert each) or
# order (every report under one written order, as in a planned operation).
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) for the second half.
set -eu
N=${1:-1000000}
BATCH=${2:-1000}
UP=${3:-2}
LINKED=${4:-0}
BASIS=${5:-caught}
uptime
cd "$(dirname "$0")/../.."
cargo build --release -p pora-server --bin pora-ingest-bench
BIN=${CARGO_TARGET_DIR:-target}/release/pora-ingest-bench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "== SQLite ($N reports, batch $BATCH, $LINKED % linked, basis $BASIS)"
/usr/bin/time -v "$BIN" --db "sqlite:$TMP/ingest.db" --raw-db "sqlite:$TMP/raw.db" --reports "$N" --batch "$BATCH" --uploaders "$UP" --linked "$LINKED" --basis "$BASIS" 2>"$TMP/time-sqlite.txt"
grep -E "Maximum resident|Elapsed" "$TMP/time-sqlite.txt" || true
if psql -h 127.0.0.1 -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
  for d in pora_bench_ingest pora_bench_raw; do
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d"
  done
  echo "== PostgreSQL ($N reports, batch $BATCH, $LINKED % linked, basis $BASIS)"
  /usr/bin/time -v "$BIN" --db postgres://postgres@127.0.0.1:5432/pora_bench_ingest \
    --raw-db postgres://postgres@127.0.0.1:5432/pora_bench_raw --reports "$N" --batch "$BATCH" --uploaders "$UP" --linked "$LINKED" --basis "$BASIS" 2>"$TMP/time-pg.txt"
  grep -E "Maximum resident|Elapsed" "$TMP/time-pg.txt" || true
  for d in pora_bench_ingest pora_bench_raw; do
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $d"
  done
else
  echo "PostgreSQL at 127.0.0.1:5432 unreachable: skipped"
fi
uptime
