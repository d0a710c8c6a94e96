#!/usr/bin/env bash
# The folders of Sources/Pismo depend on each other in one direction (see docs/architecture.md).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/check-layers.py | tail -n 2
