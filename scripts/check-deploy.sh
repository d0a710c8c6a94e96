#!/usr/bin/env bash
# The CloudFormation template (deploy/cloudformation/pismo.yaml) against the code: cfn-lint clean, and
# scripts/check-deploy.py comparing it with `pismo init --describe` (queue and table names, keys,
# stream, TTL, redrive, retention, visibility), with the services' environment and IAM, and with
# docker-compose.yml and the Dockerfile; then the same check on copies of the template broken on
# purpose (--self-test), each of which must fail. Ends with "N passed, N failed"; exits 1 on any failure.
# Needs no AWS account and no Docker engine: nothing is deployed or run in a container.
set -euo pipefail
cd "$(dirname "$0")/.."
template=deploy/cloudformation/pismo.yaml

bin=$(swift build --show-bin-path)/pismo
[ -x "$bin" ] || swift build --product pismo >/dev/null
plan=$(mktemp)
trap 'rm -f "$plan"' EXIT
# The defaults: no PISMO_* variable of the caller's may rename what is described.
env -i PATH="$PATH" HOME="${HOME:-/tmp}" "$bin" init --describe >"$plan"

passed=0 failed=0
# tally OUTPUT: prints a checker's lines but its last, and adds its "N passed, N failed" to the totals.
tally() {
    local counts
    echo "$1" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    counts=$(echo "$1" | grep -oE '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$counts" ]; then
        echo "FAIL - check-deploy.py did not finish"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + ${counts%% passed*}))
    failed=$((failed + $(echo "$counts" | sed 's/.*, \([0-9]*\) failed/\1/')))
}
tally "$(python3 scripts/check-deploy.py "$plan" "$template" || true)"
tally "$(python3 scripts/check-deploy.py --self-test "$plan" "$template" || true)"

# Informational findings too (--include-checks I): the template has none to explain away.
if lint=$(cfn-lint --include-checks I -- "$template" 2>&1); then
    echo "ok - cfn-lint $(cfn-lint --version | cut -d' ' -f2): no error, warning or informational finding"
    passed=$((passed + 1))
else
    echo "$lint"
    echo "FAIL - cfn-lint"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
