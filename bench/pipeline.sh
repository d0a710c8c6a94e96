#!/usr/bin/env bash
# End-to-end pipeline benchmark: N events through moto -> processor -> DynamoDB -> stream -> deliver
# -> sink, paced at RATE events/s. Prints events/s, end-to-end latency p50/p99 (event_time stamped
# at send -> sink receipt), CPU microseconds per event for the processor, deliver and moto (from
# /proc/<pid>/stat of the processes themselves, never a wrapper shell), each service's idle CPU
# (µs per second, measured before any event is sent), and the AWS requests per event by operation
# (from each service's pismo_aws_requests_total), so moto's share stays visible.
# It also prints the floor (bench/floor/): the CPU a bare C client spends per moto request, back to
# back and paced like deliver's shard polls, and per keep-alive webhook POST paced like the events
# (both paced figures measured while the pipeline runs).
# Usage: bench/pipeline.sh [N] [RATE] [stream|direct]     (default 2000 100 stream; POLLERS=1 long poll)
# One long poll, not the processor's default 8: `pismo send` writes batches of 10, and moto wakes every
# waiting poll on each send, so several pollers split each batch (1.44 requests per event instead of
# 1.30 in direct mode) and contend for moto's one interpreter lock (direct p99 50-106 ms with 4
# pollers, 44-55 with 1, in session 4's runs).
# PROXY=keepalive puts bench/keepalive_proxy.py between the services and moto: moto closes every
# connection, real AWS keeps them open, and the proxy (its CPU on its own line) separates the two.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"; rate="${2:-100}"; mode="${3:-stream}"
idle_seconds="${IDLE_SECONDS:-10}"   # /proc CPU ticks are 10 ms: a longer idle window resolves idle cost better
bash scripts/setup.sh
export PISMO_BUILD=release MOTO_PORT="${MOTO_PORT:-5077}"
source scripts/env.sh
if [ -n "${PISMO_BIN:-}" ]; then   # compare builds: PISMO_BIN=/path/to/pismo bench/pipeline.sh ...
    bin="$PISMO_BIN"; pismo() { "$bin" "$@"; }
else
    swift build -c release --product pismo 2>&1 | tail -n 1
    bin="$PISMO_ROOT/.build/release/pismo"
fi
work=$(mktemp -d /tmp/pismo-pipeline.XXXXXX)
sink_port=8097
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; bash scripts/moto.sh stop; }
trap cleanup EXIT

bash scripts/moto.sh start >/dev/null
moto_pid=$(cat "${TMPDIR:-/tmp}/pismo-moto-$MOTO_PORT.pid")
# The kernel's share of one request to moto (connect, send, read to EOF, close) for a client that
# does nothing else: no client of moto can spend less per request. Measured before the services start.
cc -O2 -o "$work/moto_request_floor" bench/floor/moto_request_floor.c
floor=$("$work/moto_request_floor" "$MOTO_PORT" 500)
cc -O2 -o "$work/webhook_post_floor" bench/floor/webhook_post_floor.c
"$bin" sink --addr "127.0.0.1:$sink_port" --log "$work/sink.jsonl" 2>/dev/null & pids+=($!)
"$bin" sink --addr "127.0.0.1:$((sink_port + 1))" --log /dev/null 2>/dev/null & pids+=($!)   # the POST floor's own
if [ "${PROXY:-}" = keepalive ]; then
    proxy_port=$((MOTO_PORT + 1))
    python3 bench/keepalive_proxy.py "$proxy_port" "$MOTO_PORT" & pids+=($!); proxy_pid=$!
    export AWS_ENDPOINT_URL="http://127.0.0.1:$proxy_port"
    sleep 0.5
else
    proxy_pid=$$   # no proxy: the column then shows this shell's (negligible) CPU
fi
routes=(); for i in 1 2 3 4 5; do routes+=(--route "client-$i=http://127.0.0.1:$sink_port/c$i"); done
pismo init "${routes[@]}" >/dev/null

direct=false; [ "$mode" = direct ] && direct=true
# `exec` so that $! is the pismo process itself and /proc/$!/stat is its CPU, whatever the shell does.
(export DIRECT_DISPATCH=$direct PISMO_METRICS_ADDR=127.0.0.1:9191; exec "$bin" processor --pollers "${POLLERS:-1}" 2>"$work/processor.log") &
proc_pid=$!; pids+=($proc_pid)
(export PISMO_METRICS_ADDR=127.0.0.1:9192; exec "$bin" deliver 2>"$work/deliver.log") &
deliver_pid=$!; pids+=($deliver_pid)
sleep 2
for p in $proc_pid $deliver_pid; do
    [ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$bin")" ] || { echo "pid $p is not the pismo binary" >&2; exit 1; }
done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, clock ticks
snapshot() { echo "$(date +%s.%N) $(cpu $proc_pid) $(cpu $deliver_pid) $(cpu $moto_pid) $(cpu $proxy_pid)"; }
requests() {  # "operation count seconds over_50ms" lines from one service's /metrics
    python3 - "$1" <<'PY'
import re, sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
sums = dict(re.findall(r'^pismo_aws_request_seconds_sum\{operation="([^"]+)"\} (\S+)$', text, re.M))
within = dict(re.findall(r'^pismo_aws_request_seconds_bucket\{operation="([^"]+)",le="0.05"\} (\d+)$', text, re.M))
totals = dict(re.findall(r'^pismo_aws_request_seconds_count\{operation="([^"]+)"\} (\d+)$', text, re.M))
for m in re.finditer(r'^pismo_aws_requests_total\{operation="([^"]+)"\} (\d+)$', text, re.M):
    op = m.group(1)
    print(op, m.group(2), sums.get(op, "0"), int(totals.get(op, 0)) - int(within.get(op, 0)))
PY
}
ticks=$(getconf CLK_TCK)
idle0=$(snapshot); sleep "$idle_seconds"; idle1=$(snapshot)
requests 9191 >"$work/proc0.req"; requests 9192 >"$work/deliver0.req"
perf_pids=()
if [ -n "${PERF_DIR:-}" ]; then  # optional profile of the send phase: PERF_DIR=/tmp/x bench/pipeline.sh ...
    mkdir -p "$PERF_DIR"
    # System-wide (-a): `-p` missed threads here. Split per service with `perf report --pid`.
    echo "processor=$proc_pid deliver=$deliver_pid moto=$moto_pid" >"$PERF_DIR/pids"
    perf record -q -a -e cpu-clock -g -o "$PERF_DIR/all.data" 2>/dev/null & perf_pids+=($!)
fi
# The paced floor: requests spaced like deliver's shard polls (about 70 ms apart), measured while
# the pipeline runs, so the machine is as busy as it is for the services (an idle machine makes a
# paced request dearer still). It adds about 14 requests/s to moto's load, a few per cent.
paced_requests=$(( n * 1000 / rate / 70 * 4 / 5 + 10 ))
"$work/moto_request_floor" "$MOTO_PORT" "$paced_requests" 70 >"$work/floor_paced.txt" & paced_pid=$!
# One POST per event at the events' pace, in bursts of a poll's worth (70 ms of events, as deliver
# posts a page of records at once), to the second sink: the webhook's share of the floor.
burst=$(( rate * 70 / 1000 )); [ "$burst" -ge 1 ] || burst=1; [ "$burst" -le 64 ] || burst=64
"$work/webhook_post_floor" "$((sink_port + 1))" "$(( paced_requests ))" "$burst" 70000 >"$work/floor_post.txt" & post_pid=$!
run0=$(snapshot)
"$bin" send --generate "$n" --clients 5 --rate "$rate" >/dev/null
for _ in $(seq 1 600); do
    [ "$(wc -l <"$work/sink.jsonl")" -ge "$n" ] && break
    sleep 0.2
done
run1=$(snapshot)
for p in "${perf_pids[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
requests 9191 >"$work/proc1.req"; requests 9192 >"$work/deliver1.req"
wait "$paced_pid" "$post_pid"; floor_paced=$(cat "$work/floor_paced.txt"); floor_post=$(cat "$work/floor_post.txt")

# When the processor received each event (its stored received_at), to split the latency in two.
python3 - "$work/received.tsv" <<'PY'
import os, sys, boto3
table = boto3.resource("dynamodb", region_name=os.environ["AWS_REGION"], endpoint_url=os.environ["AWS_ENDPOINT_URL"]).Table("Events")
with open(sys.argv[1], "w") as out:
    scan = {}
    while True:
        page = table.scan(**scan)
        for item in page["Items"]:
            out.write(f"{item['event_id']}\t{item['received_at']}\n")
        if "LastEvaluatedKey" not in page: break
        scan = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
PY
load=$(cut -d' ' -f1-3 /proc/loadavg)   # the machine is shared: say how busy it was
python3 - "$work" "$n" "$ticks" "$mode" "$rate" "$idle0" "$idle1" "$run0" "$run1" "$load" "${PROXY:-}" "$floor" "$floor_paced" "$floor_post" <<'PY'
import json, sys, datetime
work, n, ticks, mode, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
idle0, idle1, run0, run1 = ([float(x) for x in a.split()] for a in sys.argv[6:10])
unix = lambda iso: datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
received = dict(line.rstrip("\n").split("\t") for line in open(f"{work}/received.tsv") if "\t" in line)
lat, to_processor, to_sink, seen = [], [], [], set()
for line in open(f"{work}/sink.jsonl"):
    rec = json.loads(line)
    body = json.loads(rec["body"])
    if body["event_id"] in seen: continue
    seen.add(body["event_id"])
    sent = unix(body["event_time"])
    lat.append((rec["time_unix"] - sent) * 1000)
    if body["event_id"] in received:
        at = unix(received[body["event_id"]])
        to_processor.append((at - sent) * 1000)
        to_sink.append((rec["time_unix"] - at) * 1000)
for series in (lat, to_processor, to_sink): series.sort()
events = max(1, len(seen))
pct = lambda q, xs=lat: xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
us = lambda i: (run1[i] - run0[i]) / ticks * 1e6 / events
idle = lambda i: (idle1[i] - idle0[i]) / ticks * 1e6 / (idle1[0] - idle0[0])
print(f"mode={mode} rate={rate}/s delivered={len(seen)}/{n} events/s={len(seen)/(run1[0]-run0[0]):.1f} "
      f"p50_ms={pct(0.50):.1f} p99_ms={pct(0.99):.1f}   (load average {sys.argv[10]})")
# received_at is stamped (to the millisecond) when the processor has the message: before it, the
# sender's SendMessage and SQS's long poll; after it, validation, storing and the rest of the path.
print(f"latency_split_ms send->processor p50={pct(0.5, to_processor):.1f} p99={pct(0.99, to_processor):.1f}   "
      f"processor->sink p50={pct(0.5, to_sink):.1f} p99={pct(0.99, to_sink):.1f}")
proxy = f" keepalive_proxy={us(4):.0f}" if len(sys.argv) > 11 and sys.argv[11] == "keepalive" else ""
print(f"cpu_us_per_event processor={us(1):.0f} deliver={us(2):.0f} moto={us(3):.0f}{proxy}   "
      f"idle_cpu_us_per_s processor={idle(1):.0f} deliver={idle(2):.0f} moto={idle(3):.0f}")
floor_us = float(sys.argv[12].rsplit("total=", 1)[1])
paced_us = float(sys.argv[13].rsplit("total=", 1)[1])
post_us = float(sys.argv[14].rsplit("total=", 1)[1])
print(f"floor_us moto_request back_to_back={floor_us:.0f} paced_70ms={paced_us:.0f} webhook_post_paced_burst={post_us:.0f} "
      f"(bench/floor/: a bare C client's CPU per request; paced ones measured during the run)")
# The processor's requests come in bursts a few ms apart, so its floor uses the back-to-back figure
# (a lower bound); deliver's are its shard polls, spaced about 70 ms apart, so its floor uses the paced one.
floors = {"proc": floor_us, "deliver": paced_us}
# Who sends the webhook POST: deliver in stream mode, the processor in direct mode (one per event).
posts = {"proc": 1.0 if mode == "direct" else 0.0, "deliver": 0.0 if mode == "direct" else 1.0}
for svc in ("proc", "deliver"):
    def load(name):
        return {op: (int(c), float(t), int(slow)) for op, c, t, slow in (l.split() for l in open(f"{work}/{name}.req") if l.strip())}
    before, after = load(f"{svc}0"), load(f"{svc}1")
    delta = {op: tuple(a - b for a, b in zip(v, before.get(op, (0, 0, 0)))) for op, v in after.items()}
    delta = {op: v for op, v in delta.items() if v[0]}
    total = sum(v[0] for v in delta.values())
    # Mean latency, and the share of requests over 50 ms: every event waits for one PutItem, so when
    # more than 1 % of PutItems take over 50 ms no end-to-end p99 can be under 50 ms.
    slow = lambda c, s: f", {s / c * 100:.1f}% >50ms" if s else ""
    parts = " ".join(f"{op}={c / events:.3f}({t / c * 1000:.0f}ms{slow(c, s)})"
                     for op, (c, t, s) in sorted(delta.items(), key=lambda kv: -kv[1][0]))
    # Through the keep-alive proxy the connections are the proxy's, so there is no floor to show.
    aws_floor, post_floor = total / events * floors[svc], posts[svc] * post_us
    floor = "" if sys.argv[11] == "keepalive" else \
        f" (kernel floor {aws_floor + post_floor:.0f} µs/event: AWS {aws_floor:.0f} + webhook {post_floor:.0f})"
    print(f"aws_requests_per_event(mean latency) {'processor' if svc == 'proc' else 'deliver'} total={total / events:.2f}{floor}: {parts}")
PY
echo "logs in $work"
