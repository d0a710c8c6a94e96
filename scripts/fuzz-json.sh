#!/usr/bin/env bash
# Fuzzes the PismoJSON reader for FUZZ_SECONDS (default 60). The harness (fuzz/json/FuzzJSON.swift)
# is compiled in one module with Sources/PismoJSON/JSON and checks: no crash or memory error;
# accepted documents re-encode (tree and writer) and re-parse to the same value.
set -uo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run-swift-target.sh json fuzz/json/corpus Sources/PismoJSON/JSON/*.swift fuzz/json/FuzzJSON.swift
