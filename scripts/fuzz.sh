#!/usr/bin/env bash
# Fuzzes the HTTP/1.1 parser in Sources/CHTTPParser (requests, responses, chunked decoding) for FUZZ_SECONDS (default 60).
# Other fuzz targets get their own scripts/fuzz-*.sh calling fuzz/run-target.sh the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run-target.sh http fuzz/corpus/http \
    fuzz/http_parser_fuzz.c Sources/CHTTPParser/parser_*.c -- -ISources/CHTTPParser/include
