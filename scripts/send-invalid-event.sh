#!/usr/bin/env bash
# Sends an event whose data is a string: the processor puts it in events-dlq with the reason.
source "$(dirname "$0")/env.sh"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "{\"client_id\":\"client-1\",\"event_type\":\"user.signup\",\"event_time\":\"$now\",\"data\":\"not an object\"}" | pismo send
