#!/usr/bin/env bash
# scripts/redrive.sh events-dlq|deliver-dlq
source "$(dirname "$0")/env.sh"
pismo redrive "${1:?usage: redrive.sh events-dlq|deliver-dlq}"
