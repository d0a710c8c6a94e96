#!/usr/bin/env bash
# Validation throughput: Pismo (parse + envelope + per-type validation, one core) against
# jsonschema-rs + orjson in an in-process Python loop over the same generated corpus.
# Usage: bench/validation.sh [COUNT]   (default 100000; 90% valid / 10% invalid events)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
core="${BENCH_CORE:-1}"

swift build -c release --product pismo-microbench 2>&1 | tail -n 1
bin="$(swift build -c release --show-bin-path)/pismo-microbench"

python3 -c "import orjson" 2>/dev/null || pip install --quiet orjson
python3 -c "import jsonschema_rs" 2>/dev/null || pip install --quiet jsonschema-rs

corpus="$(mktemp /tmp/pismo-validation-corpus.XXXXXX.jsonl)"
trap 'rm -f "$corpus"' EXIT

# compare LABEL [microbench corpus flags...]: same documents through both, one core each.
compare() {
    local label="$1"; shift
    "$bin" validation --count "$count" "$@" --write-corpus "$corpus" >/dev/null
    echo "== $label: pismo (taskset -c $core)"
    ours="$(taskset -c "$core" "$bin" validation --corpus "$corpus" --skip-foundation)"
    echo "$ours"
    echo "== $label: jsonschema-rs + orjson (taskset -c $core)"
    theirs="$(taskset -c "$core" python3 bench/validation_jsonschema_rs.py schema "$corpus")"
    echo "$theirs"
    ours_rate="$(echo "$ours" | sed -n 's/^pismo parse+validate: \([0-9]*\) docs.*/\1/p')"
    their_rate="$(echo "$theirs" | sed -n 's/.*validate: \([0-9]*\) docs.*/\1/p')"
    python3 -c "print('$label ratio pismo / jsonschema-rs: %.2fx (%s vs %s docs/s)' % ($ours_rate / $their_rate, $ours_rate, $their_rate))"
}

compare "event corpus (per-type schemas, ~313 B)"
compare "shared JSON corpus (envelope only, ~1.6 KB)" --shared-corpus
echo "== pismo in-process extras (validator alone, Foundation parse)"
taskset -c "$core" "$bin" validation --count "$count" | tail -n 2
