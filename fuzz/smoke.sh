#!/usr/bin/env bash
# Fuzz smoke test: builds every cargo-fuzz target and runs each for N seconds; exits non-zero on any crash.
#
# Usage: fuzz/smoke.sh [SECONDS_PER_TARGET] [TARGET ...]     (default 10 s, every target)
# Environment:
#   FUZZ_TARGET_DIR   cargo target dir for the fuzz build (default fuzz/target)
#   CI                when set and no nightly toolchain exists, build with the stable toolchain and
#                     RUSTC_BOOTSTRAP=1 instead of skipping
#   FUZZ_STABLE=1     take that stable fallback even when nightly exists (to test it)
# Needs: cargo-fuzz (installed here if missing), a nightly toolchain (or the CI fallback), a C++
# compiler for libFuzzer, python3 for the seed corpora.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
secs="${1:-10}"
shift || true
cd "$repo"

toolchain=()
if [ "${FUZZ_STABLE:-}" != 1 ] && cargo +nightly --version >/dev/null 2>&1; then
    toolchain=(+nightly)
    echo "smoke: using $(cargo +nightly --version)"
elif [ -n "${CI:-}" ] || [ "${FUZZ_STABLE:-}" = 1 ]; then
    # No nightly (a fresh machine has only the stable toolchain): the sanitizer and coverage flags
    # cargo-fuzz passes are -Z flags, which stable rustc accepts under RUSTC_BOOTSTRAP=1.
    export RUSTC_BOOTSTRAP=1
    echo "smoke: no nightly toolchain in use; building with $(cargo --version) and RUSTC_BOOTSTRAP=1"
else
    echo "smoke: NOTICE: no nightly toolchain, so the fuzz targets were not built or run."
    echo "smoke: install one (rustup toolchain install nightly), or run with CI=true to build with"
    echo "smoke: the stable toolchain under RUSTC_BOOTSTRAP=1."
    exit 0
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "smoke: cargo-fuzz is missing; installing it (cargo install cargo-fuzz --locked, a few minutes)"
    cargo install cargo-fuzz --locked
fi

# cargo-fuzz defaults: optimized, debug assertions and overflow checks on, AddressSanitizer.
build_opts=(--target-dir "${FUZZ_TARGET_DIR:-$here/target}")
"$here/seed.sh" >/dev/null

if [ "$#" -gt 0 ]; then
    targets=("$@")
    echo "smoke: building ${targets[*]}"
    for t in "${targets[@]}"; do
        cargo "${toolchain[@]}" fuzz build "${build_opts[@]}" "$t"
    done
else
    mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
    echo "smoke: building all ${#targets[@]} targets"
    cargo "${toolchain[@]}" fuzz build "${build_opts[@]}"
fi

failed=()
for t in "${targets[@]}"; do
    echo "smoke: $t for ${secs}s"
    mkdir -p "$here/artifacts/$t"
    log="$here/artifacts/$t/smoke.log"
    if cargo "${toolchain[@]}" fuzz run "${build_opts[@]}" "$t" "$here/corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
        cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
        echo "smoke: $t ok (${runs:-?} runs, ${cov:-cov: ?})"
    else
        failed+=("$t")
        echo "smoke: $t FAILED; last lines of $log:"
        tail -n 30 "$log"
        ls "$here/artifacts/$t" | grep -v smoke.log | sed "s|^|smoke:   artifact fuzz/artifacts/$t/|" || true
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "smoke: ${#failed[@]} of ${#targets[@]} targets crashed: ${failed[*]}"
    exit 1
fi
echo "smoke: all ${#targets[@]} targets ran ${secs}s each without a crash"
