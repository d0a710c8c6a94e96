#!/usr/bin/env bash
# End-to-end pipeline benchmark: N events through moto -> processor -> DynamoDB -> stream -> deliver
# -> sink, paced at RATE events/s. Prints events/s, end-to-end latency p50/p99 (event_time stamped
# at send -> sink receipt) and CPU microseconds per event for the processor, deliver and moto
# (from /proc/<pid>/stat), so moto's share stays visible.
# Usage: bench/pipeline.sh [N] [RATE] [stream|direct]     (default 2000 100 stream)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"; rate="${2:-100}"; mode="${3:-stream}"
bash scripts/setup.sh
swift build -c release --product pismo 2>&1 | tail -n 1
export PISMO_BUILD=release MOTO_PORT="${MOTO_PORT:-5077}"
source scripts/env.sh
bin="$PISMO_ROOT/.build/release/pismo"   # run the binary itself so $! is its pid (for /proc CPU)
work=$(mktemp -d /tmp/pismo-pipeline.XXXXXX)
sink_port=8097
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; bash scripts/moto.sh stop; }
trap cleanup EXIT

bash scripts/moto.sh start >/dev/null
moto_pid=$(cat "${TMPDIR:-/tmp}/pismo-moto-$MOTO_PORT.pid")
"$bin" sink --addr "127.0.0.1:$sink_port" --log "$work/sink.jsonl" 2>/dev/null & pids+=($!)
routes=(); for i in 1 2 3 4 5; do routes+=(--route "client-$i=http://127.0.0.1:$sink_port/c$i"); done
pismo init "${routes[@]}" >/dev/null

direct=false; [ "$mode" = direct ] && direct=true
DIRECT_DISPATCH=$direct PISMO_METRICS_ADDR=127.0.0.1:9191 "$bin" processor --pollers 4 2>"$work/processor.log" & proc_pid=$!; pids+=($proc_pid)
PISMO_METRICS_ADDR=127.0.0.1:9192 "$bin" deliver 2>"$work/deliver.log" & deliver_pid=$!; pids+=($deliver_pid)
sleep 2

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, clock ticks
ticks=$(getconf CLK_TCK)
p0=$(cpu $proc_pid); d0=$(cpu $deliver_pid); m0=$(cpu $moto_pid); t0=$(date +%s.%N)
"$bin" send --generate "$n" --clients 5 --rate "$rate" >/dev/null
for _ in $(seq 1 600); do
    [ "$(wc -l <"$work/sink.jsonl")" -ge "$n" ] && break
    sleep 0.2
done
t1=$(date +%s.%N); p1=$(cpu $proc_pid); d1=$(cpu $deliver_pid); m1=$(cpu $moto_pid)

python3 - "$work/sink.jsonl" "$n" "$t0" "$t1" "$ticks" "$p0" "$p1" "$d0" "$d1" "$m0" "$m1" "$mode" "$rate" <<'PY'
import json, sys, datetime
path, n, t0, t1, ticks = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
p0, p1, d0, d1, m0, m1 = map(int, sys.argv[6:12]); mode, rate = sys.argv[12], sys.argv[13]
lat, seen = [], set()
for line in open(path):
    rec = json.loads(line)
    body = json.loads(rec["body"])
    if body["event_id"] in seen: continue
    seen.add(body["event_id"])
    sent = datetime.datetime.fromisoformat(body["event_time"].replace("Z", "+00:00")).timestamp()
    lat.append((rec["time_unix"] - sent) * 1000)
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
us = lambda a, b: (b - a) / ticks * 1e6 / max(1, len(seen))
print(f"mode={mode} rate={rate}/s delivered={len(seen)}/{n} events/s={len(seen)/(t1-t0):.1f} "
      f"p50_ms={pct(0.50):.1f} p99_ms={pct(0.99):.1f} "
      f"cpu_us_per_event processor={us(p0,p1):.0f} deliver={us(d0,d1):.0f} moto={us(m0,m1):.0f}")
PY
