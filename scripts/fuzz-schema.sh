#!/usr/bin/env bash
# Fuzzes the JSON Schema compiler (any document as a schema, then validation) for FUZZ_SECONDS (default 60).
set -uo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run-swift-target.sh schema fuzz/schema/corpus $(find Sources/PismoJSON -name '*.swift' | sort) fuzz/schema/FuzzSchema.swift
