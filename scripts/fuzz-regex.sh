#!/usr/bin/env bash
# Fuzzes the ECMA-262 regex engine (compile, then match under the VM's step budget) for FUZZ_SECONDS (default 60).
set -uo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run-swift-target.sh regex fuzz/regex/corpus $(find Sources/PismoJSON -name '*.swift' | sort) fuzz/regex/FuzzRegex.swift
