#!/bin/bash
# Server load in one command (issue 4): the verify and permit look-up endpoints on SQLite and on
# PostgreSQL with the full demo data, and a bare axum handler returning a constant, all in one run
# from a second process (wrk) on loopback; prints a Markdown table with the ratio to the bare
# handler and the target (>= 5,000 req/s, p99 < 20 ms).
#
#   bash crates/pora-server/bench/load.sh            # builds the release binaries first
#
# Environment: DURATION (per wrk run, default 10s), CONNS (32), THREADS (2), SCALE (demo size, 1),
# PG (admin URL, default postgres://postgres@127.0.0.1:5432/postgres; PG=none skips PostgreSQL),
# BIN_DIR (a release target dir with examples/demo and examples/bare; skips the build), KEEP=1 keeps the
# temporary directory. Needs wrk (apt-get install -y wrk), python3, and psql for PostgreSQL.
#
# Every verify and look-up is an audited read: the script reads the audit head before and after
# each backend's runs (GET /api/v1/audit/verify as the auditor) and prints how many entries were
# appended and whether the chain is intact, next to the number of 2xx answers wrk counted.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DURATION=${DURATION:-10s}; CONNS=${CONNS:-32}; THREADS=${THREADS:-2}; SCALE=${SCALE:-1}
PG=${PG:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 2; }
if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release --locked -p pora-server --example demo --example bare >&2
  BIN_DIR=${CARGO_TARGET_DIR:-target}/release
fi
DEMO=$BIN_DIR/examples/demo; BARE=$BIN_DIR/examples/bare
WORK=$(mktemp -d /tmp/pora-load.XXXXXX)
PIDS=(); PGDB=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "$PGDB" ]; then psql -q "$PG" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # URL PID LOG (URL answers 2xx once up)
  for _ in $(seq 1 1200); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "server died; log:" >&2; tail -20 "$3" >&2; exit 1; }
    sleep 0.5
  done
  echo "server at $1 did not come up" >&2; exit 1
}

# The wrk scripts. setup.py logs in, fetches 500 real permits (numbers and QR texts) through the
# search, and writes them as Lua tables; each wrk connection walks them round-robin, so the
# verify load is 500 different credentials, not one repeated text.
cat > "$WORK/setup.py" <<'PY'
import json, sys, urllib.request
base, out = sys.argv[1], sys.argv[2]
def call(path, token=None, body=None, purpose=None):
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode())
    if body is not None: req.add_header("Content-Type", "application/json")
    if token: req.add_header("Authorization", "Bearer " + token)
    if purpose: req.add_header("X-Pora-Purpose", purpose)
    with urllib.request.urlopen(req) as r: return json.load(r)
def login(user):
    return call("/api/v1/auth/login", body={"username": user, "password": "pora-demo-" + user, "mode": "bearer"})["token"]
field = login("field1")
permits = []
for off in range(0, 500, 100):
    permits += call(f"/api/v1/permits?status=active&limit=100&offset={off}", field, purpose="check")["items"]
permits = [p for p in permits if p.get("credential")]
lua = lambda xs: "{" + ",".join(json.dumps(x) for x in xs) + "}"
with open(out + "/common.lua", "w") as f:
    f.write(f'token = "{field}"\nnumbers = {lua([p["number"] for p in permits])}\n')
    f.write(f'bodies = {lua([json.dumps({"qr_text": p["credential"]}) for p in permits])}\n')
with open(out + "/auditor", "w") as f: f.write(login("auditor"))
PY
cat > "$WORK/report.lua" <<'LUA'
done = function(s, latency, _)
  local sock = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout
  io.write(string.format("RESULT %d %.6f %.3f %.3f %d %d\n", s.requests, s.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, s.errors.status, sock))
end
LUA
cat > "$WORK/verify.lua" <<'LUA'
dofile(os.getenv("LOAD_DIR") .. "/common.lua"); dofile(os.getenv("LOAD_DIR") .. "/report.lua")
local i = math.random(#bodies)
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/v1/verify", { ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token }, bodies[i])
end
LUA
cat > "$WORK/lookup.lua" <<'LUA'
dofile(os.getenv("LOAD_DIR") .. "/common.lua"); dofile(os.getenv("LOAD_DIR") .. "/report.lua")
local i = math.random(#numbers)
request = function()
  i = i % #numbers + 1
  return wrk.format("GET", "/api/v1/permits/" .. numbers[i], { ["Authorization"] = "Bearer " .. token,
    ["X-Pora-Purpose"] = "check" })
end
LUA
cat > "$WORK/plain.lua" <<'LUA'
dofile(os.getenv("LOAD_DIR") .. "/report.lua")
LUA
export LOAD_DIR=$WORK

ROWS=(); ANSWERED=0
run() { # LABEL BACKEND SCRIPT URL
  local line
  line=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/$3.lua" "$4" | grep '^RESULT')
  # RESULT requests seconds p50 p99 non2xx sockerr
  read -r _ n secs p50 p99 bad sock <<<"$line"
  local rps; rps=$(python3 -c "print(round($n / $secs))")
  ROWS+=("$1|$2|$rps|$p50|$p99|$bad|$sock|$n")
  ANSWERED=$((ANSWERED + n - bad))
  echo "  $1 $2: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $bad, socket errors $sock" >&2
}
audit_head() { # URL -> "last_seq intact"
  curl -sf -H "Authorization: Bearer $(cat "$WORK/auditor")" "$1/api/v1/audit/verify" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["report"]["last_seq"], str(r["intact"]).lower())'
}
AUDIT=()
backend() { # NAME DB_URL_OR_EMPTY
  local port url log args pid before after
  port=$(free_port); url=http://127.0.0.1:$port; log=$WORK/$1.log
  args=(--dir "$WORK/$1" --listen "127.0.0.1:$port" --scale "$SCALE")
  [ -n "$2" ] && args+=(--db "$2")
  local t0=$SECONDS
  "$DEMO" "${args[@]}" >"$log" 2>&1 & pid=$!; PIDS+=("$pid")
  wait_up "$url/healthz" "$pid" "$log"
  echo "$1: demo ready in $((SECONDS - t0)) s" >&2
  python3 "$WORK/setup.py" "$url" "$WORK"
  read -r before _ <<<"$(audit_head "$url")"
  ANSWERED=0
  run verify "$1" verify "$url"
  run lookup "$1" lookup "$url"
  read -r after intact <<<"$(audit_head "$url")"
  AUDIT+=("$1: 2xx answers counted by wrk: $ANSWERED; audit entries appended: $((after - before)) (requests still in flight when wrk stopped count too); chain intact: $intact")
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

uptime >&2
bport=$(free_port)
"$BARE" "127.0.0.1:$bport" & PIDS+=($!)
wait_up "http://127.0.0.1:$bport/" "$!" /dev/null
run bare - plain "http://127.0.0.1:$bport/"
backend sqlite ""
if [ "$PG" != none ]; then
  PGDB=pora_load_$$
  psql -q "$PG" -c "CREATE DATABASE $PGDB" >/dev/null
  backend postgres "${PG%/*}/$PGDB"
fi
run bare - plain "http://127.0.0.1:$bport/"
uptime >&2

python3 - "${ROWS[@]}" <<'PY'
import sys
rows = [r.split("|") for r in sys.argv[1:]]
bare = [float(r[2]) for r in rows if r[0] == "bare"]
ref = sum(bare) / len(bare)
print("| endpoint | backend | req/s | p50 ms | p99 ms | non-2xx | socket errors | of bare | target (>= 5,000/s, p99 < 20 ms) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
for name, be, rps, p50, p99, bad, sock, n in rows:
    rps, p99f = float(rps), float(p99)
    ok = "-" if name == "bare" else ("met" if rps >= 5000 and p99f < 20 and bad == "0" else "**missed**")
    label = {"bare": "bare axum constant", "verify": "POST /api/v1/verify", "lookup": "GET /api/v1/permits/{number}"}[name]
    print(f"| {label} | {be} | {rps:,.0f} | {p50} | {p99} | {bad} | {sock} | {rps / ref:.3f} | {ok} |")
PY
for a in "${AUDIT[@]}"; do echo "$a"; done
