#!/bin/bash
# Load measurement against a running pora demo server (see docs/SERVER-NOTES.md).
# usage: bench/load.sh PORT LABEL   (needs wrk, curl, python3; writes its Lua scripts to $TMPDIR)
PORT=$1; LABEL=$2; cd "${TMPDIR:-/tmp}"
TOKEN=$(curl -s -X POST -H 'content-type: application/json' -d '{"username":"field1","password":"pora-demo-field1","mode":"bearer"}' http://127.0.0.1:$PORT/api/v1/auth/login | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
QR=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'x-pora-purpose: check' http://127.0.0.1:$PORT/api/v1/permits/2C11BKS1000000 | python3 -c 'import sys,json; print(json.load(sys.stdin)["credential"])')
cat > v-$PORT.lua <<LUA
wrk.method = "POST"
wrk.body = '{"qr_text":"$QR"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
cat > l-$PORT.lua <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["X-Pora-Purpose"] = "check"
counter = 0
request = function()
  counter = counter + 1
  local n = 1000000 + (counter * 7919) % 7000
  return wrk.format("GET", "/api/v1/permits/2C11BKS" .. string.format("%07d", n))
end
LUA
echo "== $LABEL verify"; wrk -t2 -c32 -d10s --latency -s v-$PORT.lua http://127.0.0.1:$PORT/api/v1/verify 2>&1 | grep -E "Requests/sec|50%|99%|Non-2xx|Socket"
echo "== $LABEL lookup"; wrk -t2 -c32 -d10s --latency -s l-$PORT.lua http://127.0.0.1:$PORT 2>&1 | grep -E "Requests/sec|50%|99%|Non-2xx|Socket"
echo "== $LABEL healthz"; wrk -t2 -c32 -d10s --latency http://127.0.0.1:$PORT/healthz 2>&1 | grep -E "Requests/sec|50%|99%|Non-2xx|Socket"
curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$PORT/api/v1/auth/me >/dev/null
