#!/usr/bin/env bash
# Fuzzes the PismoJSON reader with libFuzzer + AddressSanitizer for ${FUZZ_SECONDS:-60} s.
# The harness (fuzz/json/FuzzJSON.swift) is compiled in one module with Sources/PismoJSON/JSON
# and checks: no crash or memory error; accepted documents re-encode (tree and writer) and
# re-parse to the same value. Prints "fuzz-json: N passed, N failed"; exits non-zero on a finding
# (the crashing input is kept in $work/findings and printed).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
# A trap should be reported by libFuzzer, not by the Swift backtracer (which trips ASan itself).
export SWIFT_BACKTRACE=enable=no
work=$(mktemp -d /tmp/fuzz-json.XXXXXX)
mkdir -p "$work/corpus" "$work/findings"
cp fuzz/json/corpus/* "$work/corpus/"

if ! swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name PismoJSONFuzz \
    Sources/PismoJSON/JSON/*.swift fuzz/json/FuzzJSON.swift -o "$work/fuzz-json" >"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" | head -20
    echo "fuzz-json: 0 passed, 1 failed (harness did not build; log in $work/build.log)"
    exit 1
fi

"$work/fuzz-json" -max_total_time="$seconds" -max_len=4096 -dict=fuzz/json/json.dict -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/findings/" -print_final_stats=1 "$work/corpus" >"$work/fuzz.log" 2>&1
status=$?
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$work/fuzz.log" | tail -3
if [ $status -ne 0 ] || ls "$work/findings/"* >/dev/null 2>&1; then
    grep -E "ERROR|Fatal|precondition|SUMMARY" "$work/fuzz.log" | head -20
    for f in "$work/findings/"*; do [ -e "$f" ] && { echo "finding: $f"; xxd "$f" | head -10; }; done
    echo "fuzz-json: 0 passed, 1 failed (log in $work/fuzz.log)"
    exit 1
fi
rm -rf "$work"
echo "fuzz-json: 1 passed, 0 failed"
