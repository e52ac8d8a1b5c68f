#!/usr/bin/env bash
# The browser tests: installs the npm dependencies (playwright-core only, from package-lock.json),
# builds the `pora` binary once (unless PORA_BIN is set), then runs every e2e/tests/*.test.mjs with
# node's test runner against Debian's chromium (CHROMIUM, default /usr/bin/chromium). Each test file
# starts its own server on a fresh demo database. Screenshots land in e2e/artifacts/.
#   e2e/run.sh                      # all tests
#   e2e/run.sh tests/map.test.mjs   # some
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
if [ -z "${PORA_BIN:-}" ]; then
  (cd .. && cargo build -p pora-cli --locked)
  export PORA_BIN="${CARGO_TARGET_DIR:-$PWD/../target}/debug/pora"
fi
rm -rf artifacts && mkdir -p artifacts
if [ "$#" -gt 0 ]; then files=("$@"); else files=(tests/*.test.mjs); fi
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
