#!/usr/bin/env bash
# Fuzzes the DNS response decoder (Sources/Transport/DNS: DNSMessage, DNSReader, DNSAnswer) for
# FUZZ_DNS_SECONDS (default 30): the bytes play a name server's answer. The harness
# (fuzz/dns/FuzzDNS.swift) checks: no crash, hang or memory error; decoded records and the
# resolver's reading of them hold together. Inputs up to 1,500 bytes: more than the 1,232 we
# advertise, so oversized answers are tried too.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_DNS_SECONDS:-30} FUZZ_MAX_LEN=1500 exec bash fuzz/run-swift-target.sh dns fuzz/dns/corpus \
    Sources/Transport/DNS/DNSMessage.swift Sources/Transport/DNS/DNSReader.swift Sources/Transport/DNS/DNSAnswer.swift \
    fuzz/dns/FuzzDNS.swift
