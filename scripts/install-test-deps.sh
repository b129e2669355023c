#!/usr/bin/env bash
# Installs the system packages the test suite needs on Debian 12 (bookworm): Chromium for the
# browser tests, Samba as an AD domain controller, OpenSSH server, Ansible and parallel-ssh for
# the fleet benchmark, PostgreSQL for the LangGraph checkpointer, buildah and debootstrap to build
# and start the container image without a daemon (tests/deployment). Safe to run again. The Chroma
# runtime is prepared by the app itself on first use.
# The postgresql postinst makes a `main` cluster on 5432 (and starts it where systemd runs): the
# tests leave it alone and run their own on 55432 (scripts/test-services/postgres.sh).
set -euo pipefail
packages=(chromium samba samba-ad-dc samba-ad-provision ldb-tools krb5-user openssh-server openssh-client ansible-core pssh postgresql buildah debootstrap)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-test-deps: ok (${packages[*]})"
