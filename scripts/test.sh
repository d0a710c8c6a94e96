#!/usr/bin/env bash
# Runs every test Pismo has: unit and integration tests (swift test; the integration tests start
# their own moto_server and sinks on loopback), the official conformance suites from
# ../shared/conformance, and bounded fuzz runs. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh

echo "== build"
swift build --build-tests 2>&1 | tail -n 3

echo "== swift test"
swift test --skip-build 2>&1 | tee /tmp/pismo-swift-test.log | grep -vE '^(◇|􀟈|✔ Test [^r])' | tail -n 40
grep -qE 'Test run with [0-9]+ tests? .*passed' /tmp/pismo-swift-test.log

# Conformance suites and fuzzers: each script prints its own "N passed, N failed" line.
for script in scripts/conformance-*.sh scripts/fuzz*.sh; do
    [ -e "$script" ] || continue
    echo "== $script"
    bash "$script"
done
echo "== all tests passed"
