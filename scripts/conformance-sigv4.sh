#!/usr/bin/env bash
# AWS SigV4 test suite (both published layouts) against Pismo's signer: canonical request, string to
# sign and signature/Authorization for every case. Prints "sigv4: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/shared-suites.sh
suite="${1:-$conformance/sigv4}"
swift build --product pismo-conformance 2>&1 | tail -n 1 >&2
"$(swift build --show-bin-path)/pismo-conformance" sigv4 "$suite"
