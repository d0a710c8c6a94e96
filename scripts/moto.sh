#!/usr/bin/env bash
# scripts/moto.sh start|stop|status — a moto_server on 127.0.0.1:$MOTO_PORT (default 5055) for local runs.
set -euo pipefail
port="${MOTO_PORT:-5055}"
state="${TMPDIR:-/tmp}/pismo-moto-$port"
case "${1:-}" in
start)
    if [ -f "$state.pid" ] && kill -0 "$(cat "$state.pid")" 2>/dev/null; then echo "moto already running on :$port"; exit 0; fi
    python3 -m moto.server -H 127.0.0.1 -p "$port" >"$state.log" 2>&1 &
    echo $! >"$state.pid"
    for _ in $(seq 1 100); do
        if python3 - "$port" <<'PY' 2>/dev/null; then echo "moto listening on 127.0.0.1:$port"; exit 0; fi
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()
PY
        sleep 0.1
    done
    echo "moto did not start; see $state.log" >&2; exit 1 ;;
stop)
    if [ -f "$state.pid" ]; then kill "$(cat "$state.pid")" 2>/dev/null || true; rm -f "$state.pid"; fi ;;
status)
    [ -f "$state.pid" ] && kill -0 "$(cat "$state.pid")" 2>/dev/null && echo running || echo stopped ;;
*)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
