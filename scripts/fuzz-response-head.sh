#!/usr/bin/env bash
# Fuzzes the client's incremental response-head reading (HeadParseGate + ResponseHeadParser over CHTTPParser) for FUZZ_SECONDS (default 60).
set -uo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run-swift-target.sh response-head fuzz/response-head/corpus \
    Sources/Transport/HTTP/HeadParseGate.swift Sources/Transport/HTTP/Client/ResponseHeadParser.swift \
    Sources/Transport/HTTP/HTTPTypes.swift Sources/Transport/HTTP/ResponseReading.swift fuzz/response-head/FuzzResponseHead.swift \
    -- Sources/CHTTPParser/parser_*.c
