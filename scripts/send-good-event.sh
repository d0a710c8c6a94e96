#!/usr/bin/env bash
# Sends one valid event for client-1 (which has a route after `pismo init --route ...`).
source "$(dirname "$0")/env.sh"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "{\"client_id\":\"${1:-client-1}\",\"event_type\":\"monitoring.alert\",\"event_time\":\"$now\",\"producer\":\"scripts\",\"data\":{\"alert_id\":\"a-1\",\"severity\":\"warning\",\"message\":\"disk 91% full\",\"source\":\"db-1\"}}" | pismo send
