#!/usr/bin/env bash
# Sends a valid event for a client with no route: it is stored, then lands in deliver-dlq
# with pismo-error "no route for client ..." and pismo-attempts 0.
source "$(dirname "$0")/env.sh"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "{\"client_id\":\"nobody\",\"event_type\":\"user.signup\",\"event_time\":\"$now\",\"data\":{\"user\":\"u-1\"}}" | pismo send
