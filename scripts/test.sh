#!/usr/bin/env bash
# Runs every test Pismo has: unit and integration tests (swift test; the integration tests start
# their own moto_server and sinks on loopback), the official conformance suites from
# the shared directory (found by scripts/shared-suites.sh), and bounded fuzz runs. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== build"
swift build --build-tests 2>&1 | grep -E "error|warning: |Compiling|Build complete" | grep -vE "^\[[0-9]+/[0-9]+\] Compiling" || true
swift build --build-tests >/dev/null

# run_tests LABEL ARGS...: one swift test run, bounded (a hung test must fail CI, not eat its 90
# minutes); adds its passed count to $passed.
passed=0
run_tests() {
    local label=$1; shift
    echo "== swift test ($label)"
    local log status=0
    log=$(mktemp)
    timeout --kill-after=10 900 swift test --skip-build "$@" >"$log" 2>&1 || status=$?
    grep -E "✘|error:|failed|Test run with|Executed [0-9]+ tests" "$log" | tail -n 60 || true
    if [ "$status" -ne 0 ]; then
        echo "swift test ($label) failed (exit $status); last lines:" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
    local n
    n=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} .*passed.*/\1/p' "$log" | tail -n 1)
    if [ -z "$n" ]; then
        echo "swift test ($label) ran no test" >&2
        exit 1
    fi
    passed=$((passed + n))
}

run_tests "in parallel" --parallel --skip OutageOnMotoTests
# The outage tests measure the healthy tenants' latency while one is down: they run alone, after
# the rest, so that what they measure is the pipeline and not 400 other tests sharing two cores.
run_tests "outages, alone" --filter OutageOnMotoTests

# Layering, conformance suites and fuzzers: each script ends with its own "N passed, N failed" line.
for script in scripts/check-*.sh scripts/conformance-*.sh; do
    [ -e "$script" ] || continue
    echo "== $script"
    out=$(mktemp)
    bash "$script" 2>&1 | tee "$out"
    n=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 | cut -d' ' -f1)
    passed=$((passed + ${n:-0}))
done
# The fuzzers (60 s each, plus their builds) run two at a time, one per core; each one's output is
# printed whole when its pair is done.
fuzzers=(scripts/fuzz*.sh)
for ((i = 0; i < ${#fuzzers[@]}; i += 2)); do
    scripts=() outs=() pids=()
    for script in "${fuzzers[@]:i:2}"; do
        out=$(mktemp)
        bash "$script" >"$out" 2>&1 &
        scripts+=("$script") outs+=("$out") pids+=($!)
    done
    failed=0
    for j in "${!pids[@]}"; do
        status=0
        wait "${pids[j]}" || status=$?
        echo "== ${scripts[j]}"
        cat "${outs[j]}"
        n=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "${outs[j]}" | tail -n 1 | cut -d' ' -f1)
        passed=$((passed + ${n:-0}))
        [ "$status" -eq 0 ] || failed=1
    done
    [ "$failed" -eq 0 ] || exit 1
done
echo "== all tests passed"
echo "total: $passed passed, 0 failed"
