# Sourced by the test-service scripts: the port a service listens on.
# An explicit port (the service's HELPDESK_TEST_*_PORT) is kept or refused, never swapped. Without
# one, the service keeps the port it last ran on in this checkout, or its default; when that port
# is taken (another checkout's copy of the service: a clean-clone CI next to a working tree), it
# moves to the next free one and records it, so every later start and `status` in this checkout
# print the same port.

port_taken() { ss -Htln "sport = :$1" | grep -q .; }

# usage: chosen_port EXPLICIT RECORDED_FILE DEFAULT
chosen_port() {
  if [ -n "$1" ]; then echo "$1"; return; fi
  if [ -f "$2" ]; then cat "$2"; return; fi
  echo "$3"
}

# usage: next_free_port FROM: the first port from FROM up that nothing listens on.
next_free_port() {
  local candidate="$1"
  while port_taken "$candidate"; do
    candidate=$((candidate + 1))
    if [ "$candidate" -gt $(( $1 + 200 )) ]; then
      echo "no free port in $1..$candidate" >&2
      return 1
    fi
  done
  echo "$candidate"
}
