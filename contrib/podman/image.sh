#!/usr/bin/env bash
# `make image`: build the container image (Containerfile) with podman.
#
# The base: IMAGE_BASE (default localhost/ttlock-bridge-base:bookworm), built from Debian
# packages by build-base.sh when podman has no such image (these machines reach no image
# registry); IMAGE_BASE=python:3.11-slim builds on Docker Hub's instead.
# pip inside the build uses this machine's index (PIP_INDEX_URL or pip's configuration, when it
# is an http(s) URL) and its CA bundle (PIP_CERT, pip's configuration, or the system's), passed
# as a build secret: nothing of it stays in the image.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${CONTAINERS_CONF:=$PWD/contrib/podman/containers.conf}"
export CONTAINERS_CONF
image=${IMAGE:-localhost/ttlock-bridge:latest}
base=${IMAGE_BASE:-localhost/ttlock-bridge-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

pip_config() { # pip's setting $1 (cert, index-url) on this machine, or nothing
    python3 -m pip config list 2>/dev/null | sed -n "s/^[^.]*\.$1='\(.*\)'\$/\1/p" | tail -1
}

if [[ $base == localhost/* ]] && ! podman image exists "$base"; then
    if [[ $(id -u) != 0 ]]; then
        echo "$base is missing and building it (debootstrap) needs root;" \
            "or build on python:3.11-slim: IMAGE_BASE=python:3.11-slim" >&2
        exit 1
    fi
    started=$SECONDS
    contrib/podman/build-base.sh "$base" "$mirror"
    echo "base image $base built in $((SECONDS - started)) s"
fi

cacert=${PIP_CERT:-$(pip_config cert)}
[[ -n $cacert ]] || cacert=/etc/ssl/certs/ca-certificates.crt
index=${PIP_INDEX_URL:-$(pip_config index-url)}
args=(--build-arg "BASE=$base")
[[ $index == http://* || $index == https://* ]] && args+=(--build-arg "PIP_INDEX=$index")
[[ -s $cacert ]] && args+=(--secret "id=cacert,src=$cacert")

echo "podman build --tag $image (base $base)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# --format docker: OCI image configs have no HEALTHCHECK; --network host: podman's default
# network would change this machine's firewall and forwarding.
# Its steps are shown; the rest of what it says only when it fails (or with VERBOSE=1).
if [[ -n ${VERBOSE:-} ]]; then
    podman build --format docker --network host "${args[@]}" --tag "$image" --file Containerfile .
elif ! podman build --format docker --network host "${args[@]}" --tag "$image" \
    --file Containerfile . 2>&1 | tee "$log" | grep --line-buffered -E '^\[[0-9]+/[0-9]+\] STEP|^STEP' |
    cut -c1-100; then
    tail -40 "$log" >&2
    exit 1
fi
