#!/usr/bin/env bash
# Fuzzes the DNS response decoder (Sources/Transport/DNS: DNSMessage, DNSReader, DNSAnswer) with
# libFuzzer + AddressSanitizer for ${FUZZ_DNS_SECONDS:-30} s: the bytes play a name server's answer.
# The harness (fuzz/dns/FuzzDNS.swift) checks: no crash, hang or memory error; decoded records and
# the resolver's reading of them hold together. Prints "fuzz-dns: N passed, N failed"; exits
# non-zero on a finding (the input is kept in $work/findings and printed).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_DNS_SECONDS:-30}
# A trap should be reported by libFuzzer, not by the Swift backtracer (which trips ASan itself).
export SWIFT_BACKTRACE=enable=no
work=$(mktemp -d /tmp/fuzz-dns.XXXXXX)
mkdir -p "$work/corpus" "$work/findings"
cp fuzz/dns/corpus/* "$work/corpus/"

if ! swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name PismoDNSFuzz \
    Sources/Transport/DNS/DNSMessage.swift Sources/Transport/DNS/DNSReader.swift Sources/Transport/DNS/DNSAnswer.swift \
    fuzz/dns/FuzzDNS.swift -o "$work/fuzz-dns" >"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" | head -20
    echo "fuzz-dns: 0 passed, 1 failed (harness did not build; log in $work/build.log)"
    exit 1
fi

# 1500 bytes: more than the 1232 we advertise, so oversized answers are tried too.
"$work/fuzz-dns" -max_total_time="$seconds" -max_len=1500 -dict=fuzz/dns/dns.dict -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/findings/" -print_final_stats=1 "$work/corpus" >"$work/fuzz.log" 2>&1
status=$?
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$work/fuzz.log" | tail -3
if [ $status -ne 0 ] || ls "$work/findings/"* >/dev/null 2>&1; then
    grep -E "ERROR|Fatal|precondition|SUMMARY" "$work/fuzz.log" | head -20
    for f in "$work/findings/"*; do [ -e "$f" ] && { echo "finding: $f"; xxd "$f" | head -10; }; done
    echo "fuzz-dns: 0 passed, 1 failed (log in $work/fuzz.log)"
    exit 1
fi
rm -rf "$work"
echo "fuzz-dns: 1 passed, 0 failed"
