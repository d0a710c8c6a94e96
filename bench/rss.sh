#!/usr/bin/env bash
# Memory under sustained load: pismo-bench (CPU 0, 64 connections, 512-byte POSTs) against
# `pismo sink` (CPU 1) for SECS seconds, sampling both processes' resident set (VmRSS) every
# 5 seconds. Growth is measured from the 10-second sample (pools, buffers and allocator arenas are
# warm by then) to the last one; more than 10% in either process fails the run (exit 1).
# Prints the samples and a last line `rss_growth client=<pct>% sink=<pct>%`.
# Usage: bench/rss.sh [SECS]   (default 60; expects release builds, as bench/run.sh makes them)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
bin="$(swift build -c release --show-bin-path)"
port=18091
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

taskset -c 1 "$bin/pismo" sink --addr "127.0.0.1:$port" 2>/dev/null & sink=$!; pids+=($sink)
sleep 1
taskset -c 0 "$bin/pismo-bench" --url "http://127.0.0.1:$port/" --conns 64 --secs "$secs" --body-bytes 512 >/tmp/pismo-rss-bench.$$ & client=$!; pids+=($client)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
samples=()
for ((t = 5; t < secs; t += 5)); do
    sleep 5
    kill -0 "$client" 2>/dev/null || break
    line="t=${t}s client_kb=$(rss "$client") sink_kb=$(rss "$sink")"
    echo "$line"; samples+=("$line")
done
wait "$client"
tail -n 1 /tmp/pismo-rss-bench.$$; rm -f /tmp/pismo-rss-bench.$$
python3 - "${samples[@]}" <<'PY'
import re, sys
rows = [dict(re.findall(r"(\w+)=(\d+)", s)) for s in sys.argv[1:]]
rows = [{k: int(v) for k, v in r.items()} for r in rows]
base = next((r for r in rows if r["t"] >= 10), rows[0])
last = rows[-1]
growth = {k: 100.0 * (last[k] - base[k]) / base[k] for k in ("client_kb", "sink_kb")}
print(f"rss_growth client={growth['client_kb']:+.1f}% sink={growth['sink_kb']:+.1f}% "
      f"(from t={base['t']}s: {base['client_kb']}/{base['sink_kb']} kB to t={last['t']}s: {last['client_kb']}/{last['sink_kb']} kB)")
sys.exit(1 if max(growth.values()) > 10 else 0)
PY
