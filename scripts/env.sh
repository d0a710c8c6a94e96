# Sourced by the scripts: defaults for running Pismo locally against moto on loopback.
# Anything already set in the environment wins.
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:${MOTO_PORT:-5055}}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
# The local sinks listen on loopback, which the webhook SSRF guard refuses unless allowed.
export PISMO_WEBHOOK_ALLOW_NETS="${PISMO_WEBHOOK_ALLOW_NETS-127.0.0.1/32}"
PISMO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PISMO_ROOT
pismo() {
    "$PISMO_ROOT/.build/${PISMO_BUILD:-debug}/pismo" "$@"
}
