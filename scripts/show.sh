#!/usr/bin/env bash
# Shows the events queue, both DLQs (with their pismo-* attributes) and the Events table.
source "$(dirname "$0")/env.sh"
for what in events events-dlq deliver-dlq table; do
    echo "== $what"
    pismo peek "$what"
done
