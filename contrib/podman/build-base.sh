#!/usr/bin/env bash
# Build the Containerfile's default base image from Debian packages and import it into podman:
# a minimal Debian bookworm (debootstrap --variant=minbase) with Debian's Python 3.11, time
# zones and CA certificates, the updates and security suites applied, trimmed like Debian's own
# "slim" images (no manuals, docs or translations) - what python:3.11-slim is, from Debian's
# archive. For machines that reach no image registry; elsewhere the Containerfile builds on
# python:3.11-slim (--build-arg BASE=python:3.11-slim).
#
#   contrib/podman/build-base.sh IMAGE_NAME [MIRROR]
#
# Needs root, podman and debootstrap. One to three minutes (mostly downloads).
set -euo pipefail

name=${1:?usage: build-base.sh IMAGE_NAME [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security}
suite=bookworm
packages=python3,tzdata,ca-certificates

root=$(mktemp -d /var/tmp/ttlock-bridge-base.XXXXXX)
log=$root.log
trap 'rm -rf "$root" "$log"' EXIT
chmod 0755 "$root" # a root filesystem's / (apt's _apt user reads its lists through it)

# Run a step quietly; on failure show the end of what it said.
quietly() {
    local began=$SECONDS
    "$@" >"$log" 2>&1 || {
        tail -20 "$log" >&2
        exit 1
    }
    echo "  ($((SECONDS - began)) s)"
}

# Debian's slim images keep no manuals, documentation (but the copyright files) or translations.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF

echo "debootstrap --variant=minbase --include=$packages $suite from $mirror"
quietly debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror"

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
# The image must not keep apt's lists, caches or recommends.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF

# The point release's updates and security fixes (the chroot resolves names through the
# host's resolv.conf, which debootstrap copied in; it leaves below).
echo "apt-get dist-upgrade from $suite-updates and $suite-security"
quietly chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update && apt-get -y dist-upgrade'

# What debootstrap brought that the slim filters would have kept out, and the host's traces.
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/usr/share/lintian "$root"/usr/share/linda
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/*
rm -f "$root/etc/resolv.conf" "$root/etc/hostname"

echo "podman import as $name"
tar --numeric-owner --xattrs -C "$root" -c . |
    podman import --quiet --change 'CMD ["/bin/bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --message "debootstrap --variant=minbase --include=$packages $suite ($mirror)" - "$name" >/dev/null
