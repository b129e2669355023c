#!/usr/bin/env bash
# A real PostgreSQL server on 127.0.0.1 for integration tests (the LangGraph Postgres checkpointer).
# start: idempotent; makes the cluster once and prints KEY=VALUE facts (host, port, user, password
# file, database). stop: stops the server, keeps the cluster. teardown: also removes the cluster.
# Recipe: ../shared/design/test-infra.md section 4 (no systemd: initdb and pg_ctl as the postgres
# user, which both refuse to run as root). Port 55432 (or the next free one, ports.sh), never the
# packaged cluster's 5432, which the Debian postinst may have made (and, under systemd, started):
# that one is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
state="$PWD/.helpdesk/test-services/postgres"
mkdir -p "$state"
exec 9>"$state/.lock"
flock 9
# shellcheck source=ports.sh
. scripts/test-services/ports.sh
explicit_port="${HELPDESK_TEST_POSTGRES_PORT:-}"
port="$(chosen_port "$explicit_port" "$state/port" 55432)"

# From /: the checkout may be a directory the postgres user cannot enter.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

bin_directory() {
  local found
  # The newest major version installed (15 on bookworm, 17 on trixie).
  found="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  if [ ! -x "$found/initdb" ]; then
    echo "postgres.sh: postgresql is not installed (run scripts/install-test-deps.sh)" >&2
    exit 1
  fi
  echo "$found"
}

# The postgres user must own the cluster and reach it. A checkout inside a directory only root
# may enter (a mktemp clone) hides the state directory from it; then the cluster lives under
# /var/tmp, one per checkout, and the state directory records where.
cluster_directory() {
  if [ -f "$state/cluster-path" ]; then cat "$state/cluster-path"; return; fi
  local cluster="$state/cluster"
  if ! as_postgres test -x "$state"; then
    cluster="/var/tmp/helpdesk-test-postgres-$(printf '%s' "$state" | sha256sum | cut -c1-12)"
  fi
  echo "$cluster" > "$state/cluster-path"
  echo "$cluster"
}

running() {
  local cluster
  cluster="$(cluster_directory)"
  [ -f "$cluster/data/postmaster.pid" ] && kill -0 "$(head -1 "$cluster/data/postmaster.pid")" 2>/dev/null
}

facts() {
  echo "PG_HOST=127.0.0.1"
  echo "PG_PORT=$port"
  echo "PG_USER=postgres"
  echo "PG_PASSWORD_FILE=$state/password"
  echo "PG_DATABASE=postgres"
}

# Password logins over TCP (scram-sha-256), so tests see what a real deployment sees: a wrong
# password is refused, and the clients' error messages can be checked for leaking it.
setup() {
  local bin cluster
  bin="$(bin_directory)"
  cluster="$(cluster_directory)"
  [ -f "$cluster/data/PG_VERSION" ] && return
  [ -f "$state/password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$state/password")
  # A half-made cluster (an interrupted earlier start) cannot be repaired; make it again.
  rm -rf "$cluster"
  install -d -m700 -o postgres -g postgres "$cluster"
  install -m600 -o postgres -g postgres "$state/password" "$cluster/pwfile"
  if ! as_postgres "$bin/initdb" -D "$cluster/data" -U postgres --pwfile="$cluster/pwfile" \
      --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$state/initdb.log" 2>&1; then
    rm -f "$cluster/pwfile"
    echo "postgres.sh: initdb failed; log:" >&2
    tail -20 "$state/initdb.log" >&2
    exit 1
  fi
  rm -f "$cluster/pwfile"
}

start() {
  if running; then facts; return; fi
  setup
  local bin cluster attempt
  bin="$(bin_directory)"
  cluster="$(cluster_directory)"
  # Another copy of the test server (another checkout's) may take the port between the check
  # and the bind: then, unless the port was given, the next free one is tried.
  for attempt in 1 2 3 4 5; do
    if port_taken "$port"; then
      if [ -n "$explicit_port" ]; then
        echo "postgres.sh: port $port (HELPDESK_TEST_POSTGRES_PORT) is taken by another process" >&2
        exit 1
      fi
      port="$(next_free_port "$port")"
    fi
    # No durability (fsync off): the cluster is thrown away. No Unix socket: clients use TCP, and
    # a socket path under a deep checkout can pass the 107-byte limit (pg_ctl -w watches the pid
    # file, not the socket). fd 9 holds the lock: the server must not inherit it, or every later
    # start would wait.
    if as_postgres "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >/dev/null 9>&-; then
      break
    fi
    if [ -z "$explicit_port" ] && [ "$attempt" -lt 5 ] && tail -5 "$cluster/server.log" | grep -q 'Address already in use'; then
      port=$((port + 1))
      continue
    fi
    echo "postgres.sh: PostgreSQL did not come up on $port; log:" >&2
    tail -20 "$cluster/server.log" >&2
    exit 1
  done
  echo "$port" > "$state/port"
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 10; then
    echo "postgres.sh: PostgreSQL started but does not answer on 127.0.0.1:$port; log:" >&2
    tail -20 "$cluster/server.log" >&2
    stop
    exit 1
  fi
  facts
}

stop() {
  if running; then
    local cluster
    cluster="$(cluster_directory)"
    as_postgres "$(bin_directory)/pg_ctl" -D "$cluster/data" -m fast -w -t 30 stop >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then facts; else echo "postgres.sh: not running" >&2; exit 3; fi ;;
  teardown) stop; rm -rf "$(cluster_directory)" "$state" ;;
  *) echo "usage: postgres.sh start|stop|status|teardown" >&2; exit 2 ;;
esac
