#!/usr/bin/env bash
# AWS name lookups while a tenant's name servers never answer, before (getaddrinfo on two threads,
# as Pismo had) and after (our resolver; shared, then one per client as wired). Runs
# `pismo-microbench dns-isolation` in a private network and mount namespace: only
# loopback exists, /etc/resolv.conf says "nameserver 127.0.0.1", and the benchmark's own responder
# listens there. Needs root (unshare).
# Usage: bash bench/dns.sh [LOOKUPS OF ONE TENANT NAME, default 4] [DISTINCT TENANT NAMES, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
# A debug build: what is measured is waiting on name servers, not CPU.
swift build --product pismo-microbench 2>&1 | tail -1
bin=$(swift build --show-bin-path)/pismo-microbench
exec unshare --mount --net --propagation private bash -c '
    set -euo pipefail
    ip link set lo up
    conf=$(mktemp)
    echo "nameserver 127.0.0.1" > "$conf"
    mount --bind "$conf" /etc/resolv.conf
    "$0" dns-isolation "$1" "$2"
' "$bin" "${1:-4}" "${2:-200}"
