# Sourced by the scripts: defaults for running Pismo locally against moto on loopback.
# Anything already set in the environment wins.
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:${MOTO_PORT:-5055}}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
PISMO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PISMO_ROOT
pismo() {
    "$PISMO_ROOT/.build/${PISMO_BUILD:-debug}/pismo" "$@"
}
