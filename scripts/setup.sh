#!/usr/bin/env bash
# Installs what Pismo needs on a fresh Debian machine of this kind: the C libraries we link
# (OpenSSL 3, zlib), clang's runtime for the fuzzers, moto (our embedded AWS emulator) and cfn-lint
# (the CloudFormation template's linter, scripts/check-deploy.sh).
# Idempotent: does nothing when everything is already there.
set -euo pipefail

need_apt=()
for pkg in libssl-dev zlib1g-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
    echo "setup: installing ${need_apt[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
    echo "setup: installing moto[server]" >&2
    python3 -m pip install -q 'moto[server]'
fi

# Pinned: a new cfn-lint brings new rules, which must reach the template through a change we review,
# not through CI turning red on its own.
CFN_LINT_VERSION=1.58.0
if [ "$(python3 -c 'import importlib.metadata as m; print(m.version("cfn-lint"))' 2>/dev/null)" != "$CFN_LINT_VERSION" ]; then
    echo "setup: installing cfn-lint $CFN_LINT_VERSION" >&2
    python3 -m pip install -q "cfn-lint==$CFN_LINT_VERSION"
fi
