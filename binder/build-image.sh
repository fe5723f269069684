#!/usr/bin/env bash
# Builds binder/Dockerfile here, where no image registry can be reached:
#
#     sudo binder/build-image.sh        # -> localhost/torchbook (the image) and the suite run in it
#
# 1. a Debian bookworm base made by debootstrap from Debian's package mirror, imported with the
#    name the Dockerfile's FROM uses (docker.io/library/debian:bookworm-slim), unless present;
# 2. this machine's Rust toolchain copied into the build context (.image/rust);
# 3. `podman build --isolation=chroot` of the image, then of binder/check.Dockerfile, which runs
#    the notebook suite inside it (`podman run` fails here on setrlimit; a build step runs).
# Prints each step's time and the image's size.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BASE=docker.io/library/debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman debootstrap >/dev/null
fi
step() { echo "== $1 ($(date -u +%H:%M:%S))"; }
if ! podman image exists "$BASE"; then
  step "debootstrap bookworm -> $BASE"
  tmp=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$tmp/root" "$MIRROR" >/dev/null
  tar -C "$tmp/root" -c . | podman import - "$BASE"
  rm -rf "$tmp"
fi
if [ ! -x .image/rust/bin/cargo ]; then
  step "copying the Rust toolchain into .image/rust"
  cp -a "$(rustc --print sysroot)" .image/rust
fi
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  # This machine reaches the registries through a proxy with its own certificate authority.
  mkdir -p .image/ca-certificates
  cp /usr/local/share/ca-certificates/*.crt .image/ca-certificates/
fi
step "podman build: the image"
SECONDS=0
podman build --isolation=chroot -f binder/Dockerfile -t localhost/torchbook:latest .
echo "image built in ${SECONDS} s"
step "podman build: the notebook suite inside the image"
SECONDS=0
podman build --isolation=chroot -f binder/check.Dockerfile -t localhost/torchbook-check:latest .
echo "suite run inside the image in ${SECONDS} s"
size=$(podman image inspect --format '{{.Size}}' localhost/torchbook:latest)
echo "image localhost/torchbook:latest: $((size / 1024 / 1024)) MiB"
