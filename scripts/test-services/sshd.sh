#!/usr/bin/env bash
# A real OpenSSH server on 127.0.0.1 for integration tests, the fleet benchmark and the lab.
# start: idempotent; prints KEY=VALUE facts (port, user, key files, pinned host key line).
# stop: stops the server, keeps the keys. teardown: also removes the user and the state.
# Recipe: ../shared/design/test-infra.md section 3 (pubkey only, no PAM, MaxStartups raised for
# 50 parallel logins, readiness checked by comparing the host key, never just the port).
set -euo pipefail
cd "$(dirname "$0")/../.."
user="${HELPDESK_TEST_SSH_USER:-helpdesk-ssh}"
state="$PWD/.helpdesk/test-services/sshd"
mkdir -p "$state"
exec 9>"$state/.lock"
flock 9
# shellcheck source=ports.sh
. scripts/test-services/ports.sh
explicit_port="${HELPDESK_TEST_SSHD_PORT:-}"
port="$(chosen_port "$explicit_port" "$state/port" 2222)"

running() { [ -f "$state/sshd.pid" ] && kill -0 "$(cat "$state/sshd.pid")" 2>/dev/null; }

facts() {
  echo "SSH_HOST=127.0.0.1"
  echo "SSH_PORT=$port"
  echo "SSH_USER=$user"
  echo "SSH_PASSWORD_USER=${user}-pw"
  echo "SSH_PASSWORD_FILE=$state/password"
  echo "SSH_CLIENT_KEY=$state/client_ed25519"
  echo "SSH_HOST_KEY=$(cut -d' ' -f1,2 "$state/host_ed25519.pub")"
  echo "SSH_HOME=$(getent passwd "$user" | cut -d: -f6)"
}

setup() {
  command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || { echo "sshd.sh: openssh-server is not installed (run scripts/install-test-deps.sh)" >&2; exit 1; }
  [ -f "$state/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C helpdesk-test-host -f "$state/host_ed25519"
  [ -f "$state/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C helpdesk-test-client -f "$state/client_ed25519"
  [ -f "$state/password" ] || (head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$state/password")
  for account in "$user" "${user}-pw"; do
    if ! id "$account" >/dev/null 2>&1; then
      useradd --create-home --shell /bin/bash "$account"
    fi
    # useradd leaves the account locked ('!'), and a locked account cannot log in even by key.
    usermod -p '*' "$account"
  done
  echo "${user}-pw:$(cat "$state/password")" | chpasswd
  local home
  home="$(getent passwd "$user" | cut -d: -f6)"
  install -d -m700 -o "$user" -g "$user" "$home/.ssh"
  # Checkouts share this user, each with its own client key: add ours beside theirs. Replacing the
  # file locked another checkout's running tests out mid-run (every login "Failed publickey").
  local keys="$home/.ssh/authorized_keys"
  [ -f "$keys" ] || install -m600 -o "$user" -g "$user" /dev/null "$keys"
  grep -qxF -- "$(cat "$state/client_ed25519.pub")" "$keys" || cat "$state/client_ed25519.pub" >> "$keys"
  # A stand-in for Windows PowerShell on this Linux sshd (there is no pwsh here): it decodes
  # -EncodedCommand (base64 of UTF-16LE) and prints the script and its switches, so a test can
  # prove the exact script crossed SSH intact. It runs nothing.
  # It lives in the user's home: the checkout may sit in a directory only root can enter.
  cat > "$state/powershell" <<'SHIM'
#!/bin/bash
encoded=''
switches=()
while [ $# -gt 0 ]; do
  case "$1" in
    -EncodedCommand) encoded="$2"; shift 2 ;;
    *) switches+=("$1"); shift ;;
  esac
done
printf 'switches: %s\n' "${switches[*]}" >&2
printf '%s' "$encoded" | base64 -d | iconv -f UTF-16LE -t UTF-8
SHIM
  install -d -m755 -o "$user" -g "$user" "$home/.helpdesk-bin"
  install -m755 -o "$user" -g "$user" "$state/powershell" "$home/.helpdesk-bin/powershell"
  cat > "$state/sshd_config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $state/host_ed25519
PidFile $state/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $user ${user}-pw
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 200:30:400
MaxSessions 64
LoginGraceTime 30
ClientAliveInterval 15
LogLevel VERBOSE
Subsystem sftp internal-sftp
SetEnv PATH=$home/.helpdesk-bin:/usr/local/bin:/usr/bin:/bin
CONFIG
  mkdir -p /run/sshd
  /usr/sbin/sshd -t -f "$state/sshd_config"
}

start() {
  if running; then facts; return; fi
  if port_taken "$port"; then
    if [ -n "$explicit_port" ]; then
      echo "sshd.sh: port $port (HELPDESK_TEST_SSHD_PORT) is taken by another process" >&2
      exit 1
    fi
    # Another checkout's test sshd: this checkout's moves to the next free port.
    port="$(next_free_port "$port")"
  fi
  echo "$port" > "$state/port"
  setup
  setsid /usr/sbin/sshd -D -e -f "$state/sshd_config" > "$state/sshd.log" 2>&1 < /dev/null &
  local expected
  expected="$(cut -d' ' -f2 "$state/host_ed25519.pub")"
  for _ in $(seq 1 100); do
    if ssh-keyscan -T 1 -t ed25519 -p "$port" 127.0.0.1 2>/dev/null | grep -qF "$expected"; then
      facts
      return
    fi
    sleep 0.1
  done
  echo "sshd.sh: sshd did not come up on $port; log:" >&2
  tail -20 "$state/sshd.log" >&2
  exit 1
}

stop() {
  if running; then
    local pid
    pid="$(cat "$state/sshd.pid")"
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$state/sshd.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then facts; else echo "sshd.sh: not running" >&2; exit 3; fi ;;
  teardown) stop; userdel -r "$user" 2>/dev/null || true; userdel -r "${user}-pw" 2>/dev/null || true; rm -rf "$state" ;;
  *) echo "usage: sshd.sh start|stop|status|teardown" >&2; exit 2 ;;
esac
