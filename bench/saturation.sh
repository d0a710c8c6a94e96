#!/usr/bin/env bash
# Throughput at saturation against bench/fakeaws (an in-memory, keep-alive AWS endpoint that is
# never the bottleneck), pismo pinned to CPU 0, the fake and the sink pinned to CPU 1:
#   - processor alone draining a pre-loaded queue of N events: events/s, CPU µs/event;
#   - deliver alone from the N-record stream that run left, to `pismo sink`: events/s, CPU µs/event;
#   - the whole pipeline at the highest paced rate whose end-to-end p99 stays under 1 s;
#   - AWS requests per event by operation and bytes on the wire per event (the fake's counters), RSS;
#   - the same processor/deliver runs with DIRECT_DISPATCH=true and with 1 % throttling injected.
# Each figure is the median of RUNS interleaved runs (variants alternate inside each round).
# CPU is the process's own (all its threads' schedstat run time), so other load on the machine
# shows up in events/s but much less in µs/event; the load average is printed with the figures.
# Usage: bench/saturation.sh [N] [RUNS]   (default 20000 3; PIPELINE=0 skips the rate ladder, PIPELINE=only runs just it)
# Last line: processor_eps=… processor_us=… deliver_eps=… deliver_us=… aws_requests_per_event=…
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"; runs="${2:-3}"
if [ -n "${BIN_DIR:-}" ]; then   # compare builds: BIN_DIR=/path/to/release bench/saturation.sh
    bin="$BIN_DIR"
else
    for product in pismo fakeaws; do swift build -c release --product "$product" 2>&1 | tail -n 1; done
    bin="$(swift build -c release --show-bin-path)"
fi
exec python3 bench/saturation.py --bin "$bin" --events "$n" --runs "$runs" --pipeline "$( [ "${PIPELINE:-1}" = only ] && echo 2 || echo "${PIPELINE:-1}")"
