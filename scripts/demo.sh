#!/usr/bin/env bash
# The main job, on one machine: moto (embedded AWS) + pismo init + sink + processor + deliver,
# sample events from several producers flowing through, and what happened to each at the end.
# Usage: bash scripts/demo.sh [EVENTS]   (default 60 events over 5 clients)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-60}"
bash scripts/setup.sh
echo "== building pismo"
swift build --product pismo 2>&1 | tail -n 1

export MOTO_PORT="${MOTO_PORT:-5055}"
source scripts/env.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/pismo-demo.XXXXXX")
sink_port="${PISMO_DEMO_SINK_PORT:-8089}"
# Background services run the binary itself, not the `pismo` shell function: `$!` of a function
# run with `&` is a subshell's pid, and killing that subshell left the services running.
pismo_bin="$PISMO_ROOT/.build/${PISMO_BUILD:-debug}/pismo"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
    bash scripts/moto.sh stop
}
trap cleanup EXIT

bash scripts/moto.sh start
"$pismo_bin" sink --addr "127.0.0.1:$sink_port" --log "$work/sink.jsonl" 2>"$work/sink.log" &
pids+=($!)

routes=()
for i in 1 2 3 4; do routes+=(--route "client-$i=http://127.0.0.1:$sink_port/hooks/client-$i"); done
pismo init "${routes[@]}"
pismo routes set client-5 "http://127.0.0.1:$sink_port/hooks/client-5" --secret "whsec_$(head -c 32 /dev/urandom | base64)"
# A second endpoint for client-5 that takes only its alerts (its secret from stdin, never in ps).
echo "whsec_$(head -c 32 /dev/urandom | base64)" | pismo routes set client-5 "http://127.0.0.1:$sink_port/hooks/client-5-alerts" \
    --endpoint alerts --event-types monitoring.alert --secret-file -
pismo routes list
# A route pointed at an internal address (a metrics port on 127.0.0.2, outside the allowed
# 127.0.0.1/32): `routes set` warns, and the SSRF guard dead-letters its event without connecting.
pismo routes set intruder "http://127.0.0.2:9101/metrics"

PISMO_METRICS_ADDR=127.0.0.1:9101 "$pismo_bin" processor 2>"$work/processor.log" &
pids+=($!)
PISMO_METRICS_ADDR=127.0.0.1:9102 "$pismo_bin" deliver 2>"$work/deliver.log" &
pids+=($!)

echo "== sending $events generated events (5 clients), one for a client without a route, one for the refused route, one invalid"
pismo send --generate "$events" --clients 5
bash scripts/send-no-route-event.sh
echo "{\"client_id\":\"intruder\",\"event_type\":\"user.signup\",\"event_time\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"data\":{\"user\":\"u-2\"}}" | pismo send
bash scripts/send-invalid-event.sh

echo "== waiting for the pipeline to settle"
# Every valid routed event once, plus client-5's alerts a second time (its "alerts" endpoint).
expected=$((events))
for _ in $(seq 1 120); do
    got=$(wc -l <"$work/sink.jsonl" 2>/dev/null || echo 0)
    [ "$got" -ge "$expected" ] && break
    sleep 0.5
done
sleep 2

echo "== what happened"
echo "requests delivered to the sink: $(wc -l <"$work/sink.jsonl") ($expected valid routed events, client-5's alerts twice)"
python3 - "$work/sink.jsonl" <<'PY'
import json, sys, collections
per = collections.Counter()
for line in open(sys.argv[1]):
    per[json.loads(line)["path"]] += 1
for path, n in sorted(per.items()):
    print(f"  {path}: {n}")
PY
echo "events-dlq (invalid events):"; pismo peek events-dlq
echo "deliver-dlq (undeliverable):"; pismo peek deliver-dlq
echo "processor metrics:"; curl -fsS http://127.0.0.1:9101/metrics 2>/dev/null | grep -E '^pismo_(received|stored|invalid|duplicates)_total' || true
echo "deliver metrics:"; curl -fsS http://127.0.0.1:9102/metrics 2>/dev/null | grep -E '^pismo_(delivered|delivery_retries|dead_lettered)_total' || true
echo "logs: $work"
