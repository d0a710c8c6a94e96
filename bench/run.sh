#!/usr/bin/env bash
# Transport benchmark, side by side in one run on this machine: load generator pinned to CPU 0,
# server pinned to CPU 1.
#   - pismo-bench (our client) and wrk against nginx (1 worker, `return 200`): plain HTTP at 1, 16
#     and 64 connections, TLS at 16;
#   - wrk against `pismo sink` and against nginx at 16 and 64 connections;
#   - pismo-bench on its async API (a task per connection awaiting `execute`) at 16 and 64;
#   - bench/rss.sh: RSS of pismo-bench and the sink over a 60 s run (RSS_SECS=0 skips it).
# pismo-bench's default API is the loop-level one (completion callbacks, request formatted once),
# which is how wrk drives its connections.
# Keep-alive POSTs of 512 bytes. Prints a table and writes it into bench/RESULTS.md.
# Usage: bench/run.sh [SECONDS]   (default 10 per measurement; PASSES, RSS_SECS, BIN_DIR to compare builds)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v openssl >/dev/null || need+=(openssl)
if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
bash scripts/setup.sh
# BIN_DIR=/path/to/release compares another build's pismo and pismo-bench (e.g. a base commit's).
if [ -n "${BIN_DIR:-}" ]; then
    bin="$BIN_DIR"
else
    for product in pismo pismo-bench; do swift build -c release --product "$product" 2>&1 | tail -n 1; done
    bin="$(swift build -c release --show-bin-path)"
fi

work=$(mktemp -d /tmp/pismo-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_buffer_size 16k;
    server { listen 127.0.0.1:18080; location / { return 200; } }
    server {
        listen 127.0.0.1:18443 ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        location / { return 200; }
    }
}
CONF
taskset -c 1 nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" & pids+=($!)
taskset -c 1 "$bin/pismo" sink --addr 127.0.0.1:18081 2>/dev/null & pids+=($!)
sleep 1
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 512)
wrk.headers["Content-Type"] = "application/json"
LUA

# wrk's summary → "rps p50_us p99_us"
wrk_run() {
    local url=$1 conns=$2
    local out
    out=$(taskset -c 0 wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/post.lua" "$url")
    python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def us(tag):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\s*$" % tag, out, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return int(v * {"us": 1, "ms": 1000, "s": 1e6}[unit])
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
print(f"{rps:.0f} {us('50')} {us('99')}")
PY
}
ours_run() {
    local url=$1 conns=$2; shift 2
    taskset -c 0 "$bin/pismo-bench" --url "$url" --conns "$conns" --secs "$secs" --body-bytes 512 --cacert "$work/cert.pem" "$@" \
        | tail -n 1 | sed -E 's/rps=([0-9.]+) p50_us=([0-9]+) p99_us=([0-9]+)/\1 \2 \3/' | awk '{printf "%.0f %s %s\n", $1, $2, $3}'
}

# Every measurement runs PASSES times (default 3), interleaved so that drift in the shared VM's
# load hits all rows alike; the table keeps, per row, the pass with the median req/s.
specs=(
    "wrk -> nginx|http|1|wrk_run http://127.0.0.1:18080/ 1"
    "pismo-bench -> nginx|http|1|ours_run http://127.0.0.1:18080/ 1"
    "wrk -> nginx|http|16|wrk_run http://127.0.0.1:18080/ 16"
    "pismo-bench -> nginx|http|16|ours_run http://127.0.0.1:18080/ 16"
    "wrk -> nginx|http|64|wrk_run http://127.0.0.1:18080/ 64"
    "pismo-bench -> nginx|http|64|ours_run http://127.0.0.1:18080/ 64"
    "wrk -> nginx|https|16|wrk_run https://127.0.0.1:18443/ 16"
    "pismo-bench -> nginx|https|16|ours_run https://localhost:18443/ 16"
    "wrk -> pismo sink|http|16|wrk_run http://127.0.0.1:18081/ 16"
    "wrk -> nginx (again)|http|16|wrk_run http://127.0.0.1:18080/ 16"
    "wrk -> pismo sink|http|64|wrk_run http://127.0.0.1:18081/ 64"
    "wrk -> nginx (again)|http|64|wrk_run http://127.0.0.1:18080/ 64"
    "pismo-bench --api async -> nginx|http|16|ours_run http://127.0.0.1:18080/ 16 --api async"
    "pismo-bench --api async -> nginx|http|64|ours_run http://127.0.0.1:18080/ 64 --api async"
)
passes="${PASSES:-3}"
measured=()
for ((pass = 1; pass <= passes; pass++)); do
    for i in "${!specs[@]}"; do
        IFS='|' read -r label scheme conns cmd <<<"${specs[$i]}"
        read -r r a b < <($cmd)
        echo "pass $pass: $label | $scheme | $conns | $r | $a / $b"
        measured+=("$i|$label|$scheme|$conns|$r|$a|$b")
    done
done
mapfile -t rows < <(python3 - "${measured[@]}" <<'PY'
import sys
by_spec = {}
for line in sys.argv[1:]:
    i, label, scheme, conns, rps, p50, p99 = line.split("|")
    by_spec.setdefault(int(i), []).append((float(rps), label, scheme, conns, p50, p99))
for i in sorted(by_spec):
    runs = sorted(by_spec[i])
    rps, label, scheme, conns, p50, p99 = runs[len(runs) // 2]
    spread = f"{runs[0][0]:.0f}–{runs[-1][0]:.0f}"
    print(f"| {label} | {scheme} | {conns} | {rps:.0f} | {p50} / {p99} | {spread} |")
PY
)
printf '%s\n' "${rows[@]}"
rss_line="RSS over a 60 s run: skipped (RSS_SECS=0)"
if [ "${RSS_SECS:-60}" != 0 ]; then
    rss_out=$(bash bench/rss.sh "${RSS_SECS:-60}") || true
    echo "$rss_out"
    rss_line="RSS over a ${RSS_SECS:-60} s run of pismo-bench -> pismo sink at 64 connections (\`bench/rss.sh\`): $(echo "$rss_out" | tail -n 1)"
fi

table=$(printf '%s\n' "| client -> server | scheme | conns | req/s (median) | p50 / p99 µs | req/s range over $passes passes |" "|---|---|---:|---:|---|---|" "${rows[@]}")
section="<!-- bench/run.sh -->
## Transport — \`bash bench/run.sh $secs\`, $(date -u +%Y-%m-%d), $(nproc) cores, client on CPU 0, server on CPU 1, 512-byte keep-alive POSTs, median of $passes interleaved passes

$table

$rss_line
<!-- /bench/run.sh -->"
python3 - "$section" <<'PY'
import re, sys
path = "bench/RESULTS.md"
text = open(path).read()
section = sys.argv[1]
if "<!-- bench/run.sh -->" in text:
    text = re.sub(r"<!-- bench/run.sh -->.*?<!-- /bench/run.sh -->", lambda _: section, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "written to bench/RESULTS.md"
