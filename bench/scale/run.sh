#!/usr/bin/env bash
# Grows a PostgreSQL pora database to N_PERMITS permits and N_CHECKS check events and times the
# supervision queries (docs/SCALING.md). Needs an empty database prepared by `pora demo --db URL
# --no-serve` first. Usage: bench/scale/run.sh [DB] [N_PERMITS] [N_CHECKS]
set -euo pipefail
db="${1:-pora_load}"; n_permits="${2:-1000000}"; n_checks="${3:-20000000}"
cd "$(dirname "$0")"
psql -h 127.0.0.1 -U postgres -d "$db" -v n_permits="$n_permits" -v n_checks="$n_checks" \
     -c "SELECT set_config('pora.batches', ($n_checks / 1000000)::text, false)" -f scale.sql 2>&1
