# Sourced by the conformance scripts: sets `conformance` to the shared suites directory.
# The suites live beside the checkout (../shared/conformance). A clone made elsewhere (CI clones
# into a scratch directory) finds them beside the checkout it was cloned from. PISMO_CONFORMANCE
# overrides both.
conformance_dir() {
    if [ -n "${PISMO_CONFORMANCE:-}" ]; then echo "$PISMO_CONFORMANCE"; return; fi
    local here origin
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    if [ -d "$here/../shared/conformance" ]; then echo "$here/../shared/conformance"; return; fi
    origin="$(git -C "$here" config --get remote.origin.url 2>/dev/null || true)"
    if [ -n "$origin" ] && [ -d "$origin/../shared/conformance" ]; then
        echo "$(cd "$origin/../shared/conformance" && pwd)"; return
    fi
    echo "$here/../shared/conformance"   # missing: the caller reports where it looked
}
conformance="$(conformance_dir)"
