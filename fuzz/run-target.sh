#!/usr/bin/env bash
# Builds and runs one libFuzzer target for a bounded time. Shared by scripts/fuzz*.sh.
#
#   fuzz/run-target.sh NAME CORPUS_DIR SOURCE... [-- EXTRA_CFLAGS...]
#
# FUZZ_SECONDS (default 60) bounds the run; fuzz/NAME.dict, if present, is the libFuzzer dictionary; FUZZ_CC picks the compiler (else the first clang found with
# a libFuzzer runtime; installs clang via apt-get when there is none and we are root). The corpus is
# copied to a temp dir, so the repository is never modified. Prints "fuzz-NAME: 1 passed, 0 failed",
# or the crash and "fuzz-NAME: 0 passed, 1 failed" (exit 1).
set -euo pipefail
name=$1 corpus=$2
shift 2
sources=() cflags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do sources+=("$1"); shift; done
[ $# -gt 0 ] && shift
cflags=("$@")
seconds=${FUZZ_SECONDS:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "fuzz-$name: $*"
    echo "fuzz-$name: 0 passed, 1 failed"
    exit 1
}

has_libfuzzer() {
    echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
        > "$tmp/probe.c"
    "$1" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" >/dev/null 2>&1
}

find_clang() {
    local candidates=("${FUZZ_CC:-}" /opt/swift/usr/bin/clang clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)
    for cc in "${candidates[@]}"; do
        [ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1 && has_libfuzzer "$cc" && { echo "$cc"; return 0; }
    done
    return 1
}

# Debian/Ubuntu ship the libFuzzer runtime in libclang-rt-N-dev, which plain `clang` may not pull in.
install_clang() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
    echo "fuzz-$name: no clang with libFuzzer; installing clang" >&2
    apt-get update >/dev/null 2>&1 || true
    apt-get install -y clang >/dev/null 2>&1 || true
    find_clang >/dev/null && return 0
    local major
    major=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
    apt-get install -y "libclang-rt-${major}-dev" >/dev/null 2>&1 || apt-get install -y libclang-rt-dev >/dev/null 2>&1 || true
}

cc=$(find_clang) || {
    install_clang
    cc=$(find_clang) || fail "no clang with a libFuzzer runtime (set FUZZ_CC)"
}

"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined "${cflags[@]}" \
    "${sources[@]}" -o "$tmp/fuzzer" 2>"$tmp/build.log" || { cat "$tmp/build.log"; fail "build failed"; }
mkdir -p "$tmp/corpus"
cp -R "$corpus"/. "$tmp/corpus/"
echo "fuzz-$name: $cc, ${seconds}s, $(ls "$tmp/corpus" | wc -l) seeds"
dict=()
[ -f "fuzz/$name.dict" ] && dict=("-dict=fuzz/$name.dict")
if "$tmp/fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
    -artifact_prefix="$tmp/" -print_final_stats=1 "$tmp/corpus" >"$tmp/fuzz.log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$tmp/fuzz.log" | sed "s/^/fuzz-$name: /" || true
    echo "fuzz-$name: 1 passed, 0 failed"
else
    tail -n 60 "$tmp/fuzz.log"
    for crash in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
        [ -e "$crash" ] || continue
        echo "fuzz-$name: reproducer $(basename "$crash") (base64):"
        base64 -w0 "$crash"; echo
    done
    fail "found a failure"
fi
