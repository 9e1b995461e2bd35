#!/usr/bin/env bash
# `make image-test`: build the image (image.sh), then run it the ways docs/docker.md says:
#
# 1. `demo --host 0.0.0.0` on a free loopback port: /healthz (retried while slirp4netns and the
#    service start), the image's own HEALTHCHECK, a non-root process, a grant on room-1 that goes
#    active on both its doors, a clean stop;
# 2. `serve` (the image's default command) with a read-only mounted /config/ttlock-bridge.toml,
#    a named volume on /data and the TTLock credentials in the environment, against the
#    simulator running in a second container of the same image: a grant goes active, and a new
#    container on the same volume (an upgrade) still has it.
#
# Containers run on slirp4netns (port_handler=slirp4netns), never on podman's default bridge
# network, which would change this machine's firewall and forwarding. Where podman can build
# but not run a container, part 1 runs from the image's own filesystem (chroot, as root) and
# part 2 is left out. Where podman cannot run at all, the test is skipped (exit 0).
#
# IMAGE_TEST_RUN=podman|chroot forces a way (default: auto).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

: "${CONTAINERS_CONF:=$PWD/contrib/podman/containers.conf}"
export CONTAINERS_CONF
image=${IMAGE:-localhost/ttlock-bridge:latest}
mode=${IMAGE_TEST_RUN:-auto}
check=(python3 contrib/podman/api_check.py)
net=(--network slirp4netns:port_handler=slirp4netns)
prefix=ttlock-bridge-image-test-$$

skip() {
    echo "image-test skipped: $*"
    exit 0
}
command -v podman >/dev/null ||
    skip "podman is not installed (Debian: apt-get install podman; as root, make image-test does it)"
podman info >/dev/null 2>&1 || skip "podman cannot run here: $(podman info 2>&1 | tail -1)"

contrib/podman/image.sh
built=$SECONDS

# podman without systemd says at every start and stop of a container with a HEALTHCHECK that
# it cannot schedule the check (podman healthcheck run still runs it): keep that out.
podman_() {
    local status=0 said
    { said=$(podman "$@" 2>&1 1>&3 3>&-) || status=$?; } 3>&1
    grep -v 'unable to get systemd connection' <<<"$said" >&2 || true
    return "$status"
}

containers=()
volumes=()
paths=()
mounted=()
cleanup() {
    local status=$?
    for container in "${mounted[@]}"; do podman umount "$container" >/dev/null 2>&1 || true; done
    for ((i = ${#containers[@]} - 1; i >= 0; i--)); do
        podman_ rm --force --volumes --time 5 "${containers[i]}" >/dev/null 2>&1 || true
    done
    for volume in "${volumes[@]}"; do podman volume rm --force "$volume" >/dev/null 2>&1 || true; done
    for path in "${paths[@]}"; do rm -rf "$path"; done
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
token=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')

fail() { # the message, then what the container $2 (if any) said
    echo "image-test FAILED: $1" >&2
    if [[ -n ${2:-} ]]; then podman logs --tail 40 "$2" >&2 || true; fi
    exit 1
}

# Stop container $1 as `podman stop` does (SIGTERM); it must end by itself, with status 0.
stop_cleanly() {
    local began=$SECONDS code
    podman_ stop --time 20 "$1" >/dev/null
    code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
    [[ $code == 0 ]] || fail "$1 ended with status $code after SIGTERM" "$1"
    echo "stopped $1 cleanly in $((SECONDS - began)) s"
}

if [[ $mode == auto ]]; then
    if command -v slirp4netns >/dev/null &&
        podman run --rm --network none --entrypoint /bin/true "$image" >/dev/null 2>&1; then
        mode=podman
    else
        mode=chroot
        echo "podman builds but cannot run a container here: the demo runs from the image's files"
    fi
fi

# ---- 1. the demo -----------------------------------------------------------------------------
port=$(free_port)
url=http://127.0.0.1:$port
if [[ $mode == podman ]]; then
    demo=$prefix-demo
    containers+=("$demo")
    podman_ run --detach --name "$demo" "${net[@]}" --publish "127.0.0.1:$port:8080" \
        --env BRIDGE_API_TOKEN="$token" "$image" demo --host 0.0.0.0 >/dev/null
    "${check[@]}" health "$url" 90 || fail "the demo did not come up" "$demo"
    echo "demo: $url/healthz answers"
    podman healthcheck run "$demo" >/dev/null || fail "the image's HEALTHCHECK says unhealthy" "$demo"
    echo "demo: the image's HEALTHCHECK says healthy"
    uid=$(podman exec "$demo" id -u)
    [[ $uid != 0 ]] || fail "the service runs as root"
    echo "demo: runs as uid $uid ($(podman exec "$demo" id -un))"
    "${check[@]}" grant "$url" "$token" >/dev/null || fail "no grant" "$demo"
    stop_cleanly "$demo"
else
    [[ $(id -u) == 0 ]] || skip "running from the image's files (chroot) needs root"
    holder=$(podman create "$image")
    containers+=("$holder")
    root=$(podman mount "$holder")
    mounted+=("$holder")
    log=$(mktemp)
    paths+=("$log")
    mapfile -t environment < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" | grep .)
    user=$(podman image inspect --format '{{.Config.User}}' "$image")
    workdir=$(podman image inspect --format '{{.Config.WorkingDir}}' "$image")
    uid=$(chroot "$root" id -u "$user")
    [[ $uid != 0 ]] || fail "the image's user is root"
    chroot --userspec="$uid:$uid" "$root" /usr/bin/env -i "${environment[@]}" \
        BRIDGE_API_TOKEN="$token" HOME="$workdir" \
        /bin/sh -c "cd '$workdir' && exec ttlock-bridge demo --host 127.0.0.1 --port $port" \
        >"$log" 2>&1 &
    pid=$!
    "${check[@]}" health "$url" 90 || {
        tail -40 "$log" >&2
        fail "the demo did not come up"
    }
    echo "demo (chroot, uid $uid): $url/healthz answers"
    "${check[@]}" grant "$url" "$token" >/dev/null || {
        tail -40 "$log" >&2
        fail "no grant"
    }
    kill -TERM "$pid"
    wait "$pid" || fail "the demo ended with status $? after SIGTERM"
    echo "demo stopped cleanly"
fi

# ---- 2. serve: mounted configuration, named volume, credentials from the environment ----------
if [[ $mode == podman ]]; then
    sim=$prefix-simulator
    serve=$prefix-serve
    volume=$prefix-data
    config=$(mktemp -d)
    paths+=("$config")
    chmod 0755 "$config"
    cat >"$config/ttlock-bridge.toml" <<'EOF'
data_dir = "/data"

[property]
name = "Image test"
timezone = "Europe/Berlin"

[cloud]
api_base = "http://127.0.0.1:8900"

[doors.main-entrance]
lock_id = 1000001

[doors.room-1]
lock_id = 1000002

[rooms.room-1]
doors = ["room-1"]
shared_doors = ["main-entrance"]
EOF
    chmod 0644 "$config/ttlock-bridge.toml"
    port=$(free_port)
    url=http://127.0.0.1:$port
    # The simulated cloud in a container of its own; serve shares its network namespace.
    containers+=("$sim")
    podman_ run --detach --name "$sim" "${net[@]}" --publish "127.0.0.1:$port:8080" \
        "$image" simulator --host 127.0.0.1 --port 8900 >/dev/null
    podman volume create "$volume" >/dev/null
    volumes+=("$volume")
    serve_run() { # a serve container named $1: the image's default command
        containers+=("$1")
        podman_ run --detach --name "$1" --network "container:$sim" \
            --volume "$config:/config:ro" --volume "$volume:/data" \
            --env TTLOCK_CLIENT_ID=demo-client-id --env TTLOCK_CLIENT_SECRET=demo-client-secret \
            --env TTLOCK_USERNAME=demo@example.com --env TTLOCK_PASSWORD=demo-password \
            --env BRIDGE_API_TOKEN="$token" "$image" >/dev/null
        "${check[@]}" health "$url" 90 || fail "serve did not come up" "$1"
    }
    serve_run "$serve"
    echo "serve: $url/healthz answers (configuration from /config, state in volume $volume)"
    grant=$("${check[@]}" grant "$url" "$token") || fail "no grant" "$serve"
    stop_cleanly "$serve"
    serve_run "$serve-again"
    "${check[@]}" show "$url" "$token" "$grant" || fail "the volume lost the grant" "$serve-again"
    stop_cleanly "$serve-again"
    stop_cleanly "$sim"
fi

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image-test passed: $image, $((size / 1000000)) MB;" \
    "build $((built - started)) s, tests $((SECONDS - built)) s, total $((SECONDS - started)) s"
