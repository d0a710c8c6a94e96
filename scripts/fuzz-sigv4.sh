#!/usr/bin/env bash
# Fuzzes SigV4 canonicalisation (canonical URI, query and headers of hostile input) for FUZZ_SECONDS (default 60).
set -uo pipefail
cd "$(dirname "$0")/.."
exec bash fuzz/run-swift-target.sh sigv4 fuzz/sigv4/corpus \
    Sources/Pismo/AWS/Signing/CanonicalRequest.swift Sources/Pismo/AWS/Signing/URIEncoding.swift fuzz/sigv4/FuzzSigV4.swift
