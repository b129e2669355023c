#!/usr/bin/env bash
# Usage: fetch-glibc.sh DEST_DIR
#
# Chroma's npm server binding needs glibc >= 2.39; Debian 12 ships 2.36. This fetches Debian
# trixie's libc6, libstdc++6 and libgcc-s1 into DEST_DIR/sysroot (never into /) so the server can
# run through trixie's loader, and prints that loader's path. Apt runs with private lists, caches
# and sources, so the system's apt state is never read for sources nor written.
# The result is published by one rename after DEST_DIR/sysroot/.complete exists, so an interrupted
# run leaves no half sysroot; a later run returns at once.
set -euo pipefail

die() {
  echo "fetch-glibc: $*" >&2
  exit 1
}

[[ $# -eq 1 && -n $1 ]] || die "usage: fetch-glibc.sh DEST_DIR"

case "$(uname -m)" in
  x86_64) deb_arch=amd64 triplet=x86_64-linux-gnu loader_name=ld-linux-x86-64.so.2 ;;
  aarch64) deb_arch=arm64 triplet=aarch64-linux-gnu loader_name=ld-linux-aarch64.so.1 ;;
  *) die "unsupported machine $(uname -m); set CHROMA_URL to an existing Chroma server instead" ;;
esac

mkdir -p "$1"
dest=$(cd "$1" && pwd)
sysroot=$dest/sysroot
loader=$sysroot/usr/lib/$triplet/$loader_name

if [[ -f $sysroot/.complete && -x $loader ]]; then
  echo "$loader"
  exit 0
fi

for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null ||
    die "$tool is missing; this fallback needs a Debian-like system. Install glibc >= 2.39 or set CHROMA_URL"
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || die "$keyring is missing; install the debian-archive-keyring package"

# Two processes starting Chroma at once must not both download; the second waits, then reuses.
if command -v flock >/dev/null; then
  exec 9>"$dest/.fetch.lock"
  flock 9
  if [[ -f $sysroot/.complete && -x $loader ]]; then
    echo "$loader"
    exit 0
  fi
  # Holding the lock, any other work dir is debris from a run that was killed outright.
  rm -rf "$dest"/.fetch.??????
fi

# Inside DEST_DIR so the final mv is a rename on one filesystem, hence atomic.
work=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
apt_dir=$work/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/cache" "$work/debs" \
  "$work/sysroot"
echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main" >"$apt_dir/sources.list"
apt_options=(
  -oDir::Etc::SourceList="$apt_dir/sources.list" -oDir::Etc::SourceParts=/dev/null
  -oDir::Etc::Preferences=/dev/null -oDir::Etc::PreferencesParts=/dev/null
  -oDir::State::Lists="$apt_dir/lists" -oDir::Cache="$apt_dir/cache"
  -oDir::Cache::Archives="$apt_dir/archives" -oAPT::Architecture="$deb_arch"
  -oAPT::Architectures="$deb_arch" -oAcquire::Languages=none -oAcquire::Retries=2
  -oAcquire::http::Timeout=30 -oAPT::Sandbox::User="$(id -un)" -oDebug::NoLocking=1
)

# Without --error-on=any an unreachable mirror is only a warning and the failure surfaces later
# as a confusing "no candidate" error.
apt-get "${apt_options[@]}" --error-on=any -qq update >&2 ||
  die "apt-get update from deb.debian.org (trixie) failed; make apt-get reachable or set CHROMA_URL"
(cd "$work/debs" && apt-get "${apt_options[@]}" -qq download libc6 libstdc++6 libgcc-s1 >&2) ||
  die "apt-get download of libc6 libstdc++6 libgcc-s1 (trixie) failed"

for deb in "$work"/debs/*.deb; do
  dpkg -x "$deb" "$work/sysroot" || die "dpkg -x $deb failed"
done
staged_loader=$work/sysroot/usr/lib/$triplet/$loader_name
[[ -x $staged_loader ]] || die "the trixie packages did not contain $loader_name"
"$staged_loader" --version >/dev/null 2>&1 || die "the trixie loader does not run on this kernel"
touch "$work/sysroot/.complete"

# A leftover sysroot without .complete (from a manual copy, say) is replaced, never merged.
if [[ -e $sysroot ]]; then
  mv "$sysroot" "$work/stale"
fi
mv -T "$work/sysroot" "$sysroot"
echo "$loader"
