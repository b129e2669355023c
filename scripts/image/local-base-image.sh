#!/usr/bin/env bash
# Makes a local stand-in for `node:24-bookworm-slim` when no image registry is reachable (tests, air-gapped
# builds): a Debian bookworm minbase root file system from the mirror apt already uses (debootstrap), plus the
# Node 24 binary of the npm `node` package (node_modules/node) and the host's npm, imported into buildah's
# store as IMAGE (default localhost/helpdesk-base:node24-bookworm). The root file system is cached as a tarball
# under CACHE (default /var/cache/helpdesk-image), so a re-run only re-imports it. Prints IMAGE on stdout.
# Needs root, buildah and debootstrap (scripts/install-test-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
image="${HELPDESK_BASE_IMAGE:-localhost/helpdesk-base:node24-bookworm}"
cache="${HELPDESK_IMAGE_CACHE:-/var/cache/helpdesk-image}"
node_binary="$PWD/node_modules/node/bin/node"
npm_directory="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if buildah inspect --type image "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi
[ -x "$node_binary" ] || { echo "local-base-image.sh: $node_binary is missing (npm install)" >&2; exit 1; }
node_version="$("$node_binary" --version)"
tarball="$cache/bookworm-minbase-node-${node_version}.tar"
if [ ! -f "$tarball" ]; then
  rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  # The mirror apt is configured with (deb822 or one-line sources), else Debian's default.
  mirror="$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -1 | tr -d ' ' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  install -m 0755 "$node_binary" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_directory" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # The official node images have a `node` user (uid 1000) that the Dockerfile switches to.
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi
container="$(buildah from scratch)"
buildah add --quiet "$container" "$tarball" / >/dev/null
# This machine's trust store (it may hold the CA of a TLS-inspecting proxy in front of the npm
# registry): what `npm ci` in the build trusts. Not part of the cached tarball, so it follows the host.
buildah copy --quiet "$container" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$container"
buildah commit --quiet --rm "$container" "$image" >/dev/null
echo "$image"
