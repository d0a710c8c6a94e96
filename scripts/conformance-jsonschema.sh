#!/usr/bin/env bash
# Official JSON Schema Test Suite, draft 2020-12, through `pismo validate` (see the .py helper for
# what is claimed). Prints "N passed, N failed" for the claimed set; exits 1 on any claimed failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/shared-suites.sh
suite="$conformance/json-schema-test-suite"
if [ ! -d "$suite/tests/draft2020-12" ]; then
    echo "json-schema-test-suite not found at $suite"
    echo "0 passed, 1 failed"
    exit 1
fi
swift build --product pismo 2>&1 | tail -n 1
bin="$(swift build --show-bin-path)/pismo"
python3 scripts/conformance-jsonschema.py "$bin" "$suite"
