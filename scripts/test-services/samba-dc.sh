#!/usr/bin/env bash
# A real Samba Active Directory domain controller on 127.0.0.1 for integration tests and the lab.
# start: idempotent; provisions once (realm CORP.EXAMPLE.TEST), creates the lab users and groups
# once, and prints KEY=VALUE facts (LDAPS URL, CA file, base DN, bind DN and password file).
# stop: stops the DC, keeps the domain. teardown: also removes the domain.
# Recipe: ../shared/design/test-infra.md section 2 (LDAPS only: a simple bind over plain LDAP is
# refused; `server services = ldap kdc` so no winbindd stalls NSS lookups; only one DC per network
# namespace because the ports are fixed).
set -euo pipefail
cd "$(dirname "$0")/../.."
state="$PWD/.helpdesk/test-services/samba-dc"
realm="CORP.EXAMPLE.TEST"
domain="CORP"
base_dn="DC=corp,DC=example,DC=test"
lab_users="alice:Alice:Anders bob:Bob:Brown carol:Carol:Clark dave:Dave:Dunn"
lab_groups="jira-users vpn-users finance-share"
# 636 LDAPS, 389 LDAP, 88 and 464 Kerberos, 3268/3269 global catalogue: all fixed by Samba.
ports="636 389 88 464 3268 3269"
mkdir -p "$state"
exec 9>"$state/.lock"
flock 9

running() { [ -f "$state/samba.pid" ] && kill -0 "$(cat "$state/samba.pid")" 2>/dev/null; }

facts() {
  echo "LDAP_URL=ldaps://127.0.0.1:636"
  echo "LDAP_CA_FILE=$state/domain/private/tls/ca.pem"
  echo "LDAP_TLS_SERVERNAME=$(certificate_name)"
  echo "LDAP_BASE_DN=$base_dn"
  echo "LDAP_BIND_DN=CN=Administrator,CN=Users,$base_dn"
  echo "LDAP_BIND_PASSWORD_FILE=$state/admin-password"
  echo "LDAP_USER_PASSWORD=$(cat "$state/user-password")"
  echo "LDAP_REALM=$realm"
  echo "LDAP_USERS=$(for entry in $lab_users; do printf '%s,' "${entry%%:*}"; done | sed 's/,$//')"
  echo "LDAP_GROUPS=$(echo "$lab_groups" | tr ' ' ',')"
}

# The certificate Samba generates on its first start is issued to <HOSTNAME>.<realm>, not to
# 127.0.0.1; clients verify the chain against ca.pem and check this name instead.
certificate_name() {
  openssl x509 -in "$state/domain/private/tls/cert.pem" -noout -subject -nameopt multiline |
    sed -n 's/^ *commonName *= *//p' | head -1
}

# Letters and digits from the kernel's generator plus a fixed tail, so AD complexity always holds.
random_password() { printf '%s%s' "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)" 'a7!Q'; }

samba_tool() { samba-tool "$@" -s "$state/domain/etc/smb.conf" >>"$state/provision.log" 2>&1; }

provision() {
  [ -f "$state/provisioned" ] && return
  command -v samba-tool >/dev/null || { echo "samba-dc.sh: samba is not installed (run scripts/install-test-deps.sh)" >&2; exit 1; }
  # A half-made domain (an interrupted earlier start) cannot be repaired; make it again.
  rm -rf "$state/domain" "$state/provision.log"
  (umask 077; random_password > "$state/admin-password"; random_password > "$state/user-password")
  if ! samba-tool domain provision --realm="$realm" --domain="$domain" --server-role=dc \
      --dns-backend=NONE --adminpass="$(cat "$state/admin-password")" --targetdir="$state/domain" \
      --option="interfaces=lo" --option="bind interfaces only=yes" \
      --option="log file=$state/domain/log.%m" --option="server services=ldap kdc" \
      >"$state/provision.log" 2>&1; then
    echo "samba-dc.sh: provisioning failed; log:" >&2
    tail -20 "$state/provision.log" >&2
    exit 1
  fi
  # Three wrong passwords lock an account, so tests can lock one quickly; no complexity, history
  # or minimum age, so tests can set known passwords again and again.
  samba_tool domain passwordsettings set --account-lockout-threshold=3 --complexity=off \
    --min-pwd-age=0 --history-length=0
  # Made offline, directly in the database, before the DC first runs: no network round trips.
  local user_password entry name given surname group
  user_password="$(cat "$state/user-password")"
  for entry in $lab_users; do
    IFS=: read -r name given surname <<<"$entry"
    samba_tool user create "$name" "$user_password" --given-name="$given" --surname="$surname"
  done
  for group in $lab_groups; do samba_tool group add "$group"; done
  touch "$state/provisioned"
}

start() {
  if running; then facts; return; fi
  local port
  for port in $ports; do
    if ss -Htln "sport = :$port" | grep -q .; then
      echo "samba-dc.sh: port $port is taken by another process (another domain controller or LDAP server?); stop it first, a Samba DC needs the fixed ports $ports" >&2
      exit 1
    fi
  done
  provision
  # fd 9 holds the lock: the long-lived DC must not inherit it, or every later start would wait on it.
  setsid samba -s "$state/domain/etc/smb.conf" -i -M single > "$state/samba.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$state/samba.pid"
  for _ in $(seq 1 150); do
    if ! running; then break; fi
    if [ -f "$state/domain/private/tls/ca.pem" ] &&
      timeout 2 openssl s_client -connect 127.0.0.1:636 -CAfile "$state/domain/private/tls/ca.pem" \
        -verify_return_error -brief </dev/null >/dev/null 2>&1; then
      facts
      return
    fi
    sleep 0.1
  done
  echo "samba-dc.sh: the domain controller did not answer LDAPS on 636; log:" >&2
  tail -20 "$state/samba.log" >&2
  stop
  exit 1
}

stop() {
  if running; then
    local pid
    pid="$(cat "$state/samba.pid")"
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "samba-dc.sh: samba $pid ignored TERM for 10 s; killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    fi
  fi
  rm -f "$state/samba.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then facts; else echo "samba-dc.sh: not running" >&2; exit 3; fi ;;
  teardown) stop; rm -rf "$state" ;;
  *) echo "usage: samba-dc.sh start|stop|status|teardown" >&2; exit 2 ;;
esac
