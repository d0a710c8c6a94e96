#!/usr/bin/env bash
# Builds and runs one Swift libFuzzer target for a bounded time (the Swift twin of run-target.sh).
#
#   fuzz/run-swift-target.sh NAME CORPUS_DIR SWIFT_SOURCE... [-- C_SOURCE...]
#       [--module MODULE SWIFT_SOURCE...]... [--link LIBRARY...]
#
# The Swift sources are compiled as one module (internals visible to the harness) with
# -sanitize=fuzzer,address; C sources (a C target's files) are compiled with the same
# instrumentation and their include/ directory becomes a Clang module named after the target.
# Each --module builds a Swift module the target imports (`import PismoJSON`), from only the
# files given, in the order given; --link names system libraries the C sources need (crypto, z).
# FUZZ_SECONDS (default 60) bounds the run, FUZZ_MAX_LEN (default 4096) the inputs; fuzz/NAME/NAME.dict
# is the dictionary when present.
# Prints "fuzz-NAME: 1 passed, 0 failed", or the crash (base64) and "fuzz-NAME: 0 passed, 1 failed".
set -uo pipefail
cd "$(dirname "$0")/.."
name=$1 corpus=$2
shift 2
swift_sources=() c_sources=() modules=() link_flags=()
declare -A module_sources=()
section=swift
while [ $# -gt 0 ]; do
    case $1 in
        --) section=c ;;
        --module) section="module:$2"; modules+=("$2"); shift ;;
        --link) section=link ;;
        *) case $section in
               swift) swift_sources+=("$1") ;;
               c) c_sources+=("$1") ;;
               link) link_flags+=("-l$1") ;;
               module:*) module_sources[${section#module:}]+="$1 " ;;
           esac ;;
    esac
    shift
done
seconds=${FUZZ_SECONDS:-60}
export SWIFT_BACKTRACE=enable=no  # a trap is libFuzzer's to report
work=$(mktemp -d "/tmp/fuzz-$name.XXXXXX")
mkdir -p "$work/corpus" "$work/findings" "$work/modules"
cp -R "$corpus"/. "$work/corpus/"

fail() { echo "fuzz-$name: $*"; echo "fuzz-$name: 0 passed, 1 failed"; exit 1; }

objects=() module_flags=()
for c in "${c_sources[@]}"; do
    /opt/swift/usr/bin/clang -g -O1 -fsanitize=fuzzer-no-link,address -c "$c" -I "$(dirname "$c")/include" \
        -o "$work/$(basename "$c").o" 2>>"$work/build.log" || fail "C build failed (log in $work/build.log)"
    objects+=("$work/$(basename "$c").o")
done
if [ ${#c_sources[@]} -gt 0 ]; then
    include=$(cd "$(dirname "${c_sources[0]}")/include" && pwd)
    target=$(basename "$(dirname "${c_sources[0]}")")
    printf 'module %s {\n    umbrella header "%s/%s.h"\n    export *\n}\n' "$target" "$include" "$target" > "$work/modules/module.modulemap"
    module_flags=(-I "$work/modules" -Xcc -I"$include")
fi
for m in "${modules[@]}"; do
    # shellcheck disable=SC2086  # the list is space-separated repository paths
    swiftc -O -sanitize=fuzzer,address -parse-as-library -wmo -module-name "$m" -I "$work/modules" "${module_flags[@]}" \
        -emit-module -emit-module-path "$work/modules/$m.swiftmodule" -c ${module_sources[$m]} -o "$work/$m.o" \
        >>"$work/build.log" 2>&1 || { grep -E "error" "$work/build.log" | head -20; fail "module $m did not build (log in $work/build.log)"; }
    objects+=("$work/$m.o")
done
if ! swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz${name//-/}" -I "$work/modules" "${module_flags[@]}" \
    "${swift_sources[@]}" "${objects[@]}" "${link_flags[@]}" -o "$work/fuzzer" >>"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" | head -20
    fail "harness did not build (log in $work/build.log)"
fi
dict=()
[ -f "fuzz/$name/$name.dict" ] && dict=("-dict=fuzz/$name/$name.dict")
"$work/fuzzer" -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-4096}" -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
    -artifact_prefix="$work/findings/" -print_final_stats=1 "$work/corpus" >"$work/fuzz.log" 2>&1
status=$?
grep -E "^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$work/fuzz.log" | sed "s/^/fuzz-$name: /"
if [ $status -ne 0 ] || ls "$work/findings/"* >/dev/null 2>&1; then
    grep -E "ERROR|Fatal|precondition|SUMMARY|invariant" "$work/fuzz.log" | head -20
    for f in "$work/findings/"*; do [ -e "$f" ] && { echo "fuzz-$name: reproducer $(basename "$f") (base64):"; base64 -w0 "$f"; echo; }; done
    fail "found a failure (log in $work/fuzz.log)"
fi
rm -rf "$work"
echo "fuzz-$name: 1 passed, 0 failed"
