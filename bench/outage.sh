#!/usr/bin/env bash
# One tenant down (issue 12): N events at RATE/s through moto -> processor -> DynamoDB -> stream ->
# deliver, spread over 10 clients. client-1 (10 % of the events) routes to sink B, which is down for
# DOWN_SECS from the first event on, then comes back healthy; client-2 ... client-10 route to sink A.
# Prints the healthy tenants' end-to-end latency p50/p99/max (sink A's time_unix minus the event's
# event_time, which `pismo send --rate` stamps as it sends each batch, as bench/pipeline.sh measures),
# the dead tenant's events delivered after recovery / sent, how long after recovery the last one
# arrived, deliver-dlq's count and the retry queue's depth at the end, and a last line
#   healthy_p50_ms=… healthy_p99_ms=… healthy_max_ms=… dead_delivered=…/… dlq=…
# Usage: MODE=refused|hang|503 DOWN_SECS=60 bench/outage.sh [N] [RATE]
#   N defaults to RATE × DOWN_SECS (traffic for the whole outage), RATE to 100.
#   MODE refused: sink B not running; hang: `pismo sink --delay-ms 600000` (accepts, never answers);
#   503: `pismo sink --fail-rate 1 --fail-status 503`. Default refused.
#   PISMO_RETRY_SCHEDULE defaults to a compressed `1s,2s,5s,10s,20s,30s,30s,30s,30s,30s` (188 s, so
#   an event sent at the start of a 60 s outage still has attempts left after it); the delivery
#   timeout to 5 s (PISMO_DELIVERY_TIMEOUT_MS), as in the issue's reproduction. WAIT_SECS (default
#   240) bounds the wait for the dead tenant's events after recovery. PISMO_BIN compares builds.
# The circuit breaker (per deliver instance, production defaults) opens within seconds of the outage
# and parks the dead tenant's events in the retry queue for its 30 s probe interval; after recovery
# the next probe closes it, so expect the last event up to ~60 s after sink B is back.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${MODE:-refused}"; down="${DOWN_SECS:-60}"
rate="${2:-100}"; n="${1:-$((rate * down))}"
[ "$n" -ge 1 ] && [ "$rate" -ge 1 ] || { echo "N and RATE must be at least 1" >&2; exit 2; }
wait_secs="${WAIT_SECS:-240}"
case "$mode" in refused|hang|503) ;; *) echo "MODE must be refused, hang or 503" >&2; exit 2 ;; esac
bash scripts/setup.sh
export PISMO_BUILD=release MOTO_PORT="${MOTO_PORT:-5078}"
source scripts/env.sh
export PISMO_RETRY_SCHEDULE="${PISMO_RETRY_SCHEDULE:-1s,2s,5s,10s,20s,30s,30s,30s,30s,30s}"
export PISMO_DELIVERY_TIMEOUT_MS="${PISMO_DELIVERY_TIMEOUT_MS:-5000}"
if [ -n "${PISMO_BIN:-}" ]; then
    bin="$PISMO_BIN"
else
    swift build -c release --product pismo 2>&1 | tail -n 1
    bin="$PISMO_ROOT/.build/release/pismo"
fi
work=$(mktemp -d /tmp/pismo-outage.XXXXXX)
sink_a=8197; sink_b=8198
pids=(); sink_b_pid=""
cleanup() {
    [ -n "$sink_b_pid" ] && kill -KILL "$sink_b_pid" 2>/dev/null || true
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    bash scripts/moto.sh stop
}
trap cleanup EXIT

bash scripts/moto.sh start >/dev/null
"$bin" sink --addr "127.0.0.1:$sink_a" --log "$work/sink-a.jsonl" 2>"$work/sink-a.log" & pids+=($!)
routes=(--route "client-1=http://127.0.0.1:$sink_b/dead")
for i in 2 3 4 5 6 7 8 9 10; do routes+=(--route "client-$i=http://127.0.0.1:$sink_a/c$i"); done
"$bin" init "${routes[@]}" >/dev/null
(export PISMO_METRICS_ADDR=127.0.0.1:9193; exec "$bin" processor --pollers "${POLLERS:-1}" 2>"$work/processor.log") & pids+=($!)
(export PISMO_METRICS_ADDR=127.0.0.1:9194; exec "$bin" deliver 2>"$work/deliver.log") & pids+=($!)

# Sink B while down: its log (requests received, none delivered) is kept apart from the healthy one.
case "$mode" in
hang) "$bin" sink --addr "127.0.0.1:$sink_b" --delay-ms 600000 --log "$work/sink-b-down.jsonl" 2>"$work/sink-b-down.log" & sink_b_pid=$! ;;
503) "$bin" sink --addr "127.0.0.1:$sink_b" --fail-rate 1 --fail-status 503 --log "$work/sink-b-down.jsonl" 2>"$work/sink-b-down.log" & sink_b_pid=$! ;;
esac
sleep 2

start=$(date +%s.%N)
"$bin" send --generate "$n" --clients 10 --rate "$rate" >"$work/send.log" & send_pid=$!
sleep "$down"
# Back up: the down sink (if any) is killed — a hanging one would wait out its held requests — and a
# healthy one takes its port.
if [ -n "$sink_b_pid" ]; then kill -KILL "$sink_b_pid" 2>/dev/null || true; wait "$sink_b_pid" 2>/dev/null || true; fi
"$bin" sink --addr "127.0.0.1:$sink_b" --log "$work/sink-b.jsonl" 2>"$work/sink-b.log" & sink_b_pid=$!
recovered=$(date +%s.%N)
wait "$send_pid"
sent_done=$(date +%s.%N)

dead_sent=$(( (n + 9) / 10 )); healthy_sent=$(( n - dead_sent ))
distinct() { [ -f "$1" ] && python3 -c 'import json,sys; print(len({json.loads(json.loads(l)["body"])["event_id"] for l in open(sys.argv[1]) if l.strip()}))' "$1" || echo 0; }
deadline=$(( $(date +%s) + wait_secs ))
while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(distinct "$work/sink-a.jsonl")" -ge "$healthy_sent" ] && [ "$(distinct "$work/sink-b.jsonl")" -ge "$dead_sent" ] && break
    sleep 1
done
sleep 2   # a late duplicate or dead letter still shows up

# deliver-dlq and the retry queue (visible + in flight + delayed), straight from moto.
python3 - "$work/queues.txt" <<'PY'
import os, sys, boto3
sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"], endpoint_url=os.environ["AWS_ENDPOINT_URL"])
def depth(name):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return sum(int(a.get(k, 0)) for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))
with open(sys.argv[1], "w") as out:
    out.write(f"{depth(os.environ.get('PISMO_DELIVER_DLQ', 'deliver-dlq'))} {depth(os.environ.get('PISMO_RETRY_QUEUE', 'deliver-retry'))}\n")
PY
load=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$work" "$mode" "$down" "$rate" "$n" "$dead_sent" "$start" "$recovered" "$sent_done" "$load" <<'PY'
import json, sys, datetime
work, mode, down, rate, n, dead_sent = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
start, recovered, sent_done = (float(x) for x in sys.argv[7:10])
unix = lambda iso: datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
def records(path):
    try:
        for line in open(path):
            if line.strip(): yield json.loads(line)
    except FileNotFoundError:
        return
lat, seen = [], set()
for rec in records(f"{work}/sink-a.jsonl"):
    body = json.loads(rec["body"])
    if body["event_id"] in seen: continue
    seen.add(body["event_id"])
    lat.append((rec["time_unix"] - unix(body["event_time"])) * 1000)
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
dead, dead_requests, last_dead, intact = set(), 0, recovered, True
for rec in records(f"{work}/sink-b.jsonl"):
    dead_requests += 1
    body = json.loads(rec["body"])
    intact &= rec["webhook_id"] == body["event_id"]
    dead.add(body["event_id"])
    last_dead = max(last_dead, rec["time_unix"])
down_requests = sum(1 for _ in records(f"{work}/sink-b-down.jsonl"))
dlq, retry = open(f"{work}/queues.txt").read().split()
print(f"mode={mode} down={down}s rate={rate}/s events={n} (sending took {sent_done - start:.0f} s; load average {sys.argv[10]})")
print(f"healthy tenants: delivered {len(seen)}/{n - dead_sent}, latency p50={pct(0.5):.0f} ms p99={pct(0.99):.0f} ms max={lat[-1] if lat else float('nan'):.0f} ms")
print(f"dead tenant: {len(dead)}/{dead_sent} delivered after recovery ({dead_requests} requests, webhook-id = event id: {intact}), "
      f"last one {last_dead - recovered:.1f} s after sink B came back; "
      + (f"{down_requests} requests reached sink B while down" if mode == "503" else
         "sink B logged no request while down (refused: not running; hang: it logs a request only when it answers)"))
print(f"deliver-dlq={dlq} retry_queue_depth_at_end={retry}")
print(f"healthy_p50_ms={pct(0.5):.0f} healthy_p99_ms={pct(0.99):.0f} healthy_max_ms={lat[-1] if lat else float('nan'):.0f} "
      f"dead_delivered={len(dead)}/{dead_sent} dlq={dlq}")
PY
echo "logs in $work"
