#!/usr/bin/env bash
# Runs the Swift test suite under ThreadSanitizer (its own build directory, .build-tsan) and fails
# on any report: a race, or a thread left unjoined. Not part of scripts/test.sh: the build takes a
# minute or two more and the run is several times slower, so it is a check to run after changes to
# the event loop, the HTTP client or anything that hands work between threads.
# Swift's Synchronization.Mutex is invisible to TSan; Transport's Locked annotates every lock it takes
# (chttp_tsan_acquire/release in Sources/CSystemShims) so hand-offs through it are not reported.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests --sanitize=thread --scratch-path .build-tsan 2>&1 | grep -E "error|Build complete" || true
log=$(mktemp)
status=0
TSAN_OPTIONS="halt_on_error=0" timeout --kill-after=10 1800 \
    swift test --skip-build --sanitize=thread --scratch-path .build-tsan >"$log" 2>&1 || status=$?
grep -E "✘|Test run with" "$log" | tail -n 20 || true
reports=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
echo "ThreadSanitizer reports: $reports (log: $log)"
[ "$status" -eq 0 ] && [ "$reports" -eq 0 ]
