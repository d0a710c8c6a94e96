#!/usr/bin/env bash
# Scores the HTTP/1.1 parser (CHTTPParser) against the llhttp vectors in the shared conformance/http (scripts/shared-suites.sh).
# Builds the parser's C files into a throwaway shared library and drives it from Python (ctypes).
# Prints per-group counts and a final "N passed, N failed"; exits 1 on any failure in the scored set.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/shared-suites.sh
vectors="${HTTP_VECTORS:-$conformance/http}"
if [ ! -f "$vectors/llhttp_vectors.jsonl" ]; then
    echo "conformance-http: vectors not found at $vectors"
    echo "0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${CC:-cc}" -std=c11 -O2 -shared -fPIC -Wall -Wextra -ISources/CHTTPParser/include -o "$tmp/libchttp_parser.so" Sources/CHTTPParser/parser_*.c
python3 scripts/conformance/http_vectors.py "$tmp/libchttp_parser.so" "$vectors" "$@"
