#!/usr/bin/env bash
# Provisions a throwaway PostgreSQL for the tests (issue #26 item 4).
#
#   source scripts/postgres.sh   # sets BASALT_TEST_POSTGRES, traps EXIT to stop it
#   scripts/postgres.sh start    # prints the DSN; stop with: scripts/postgres.sh stop DIR
#
# When BASALT_TEST_POSTGRES is already set nothing is started. Otherwise
# Debian's postgresql package is installed when missing, and a fresh
# cluster is created in a temp dir on a free loopback port, owned by an
# unprivileged user (PostgreSQL refuses to run as root). The cluster uses
# the C locale, so text sorts by bytes as in SQLite.
set -euo pipefail

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

pg_install() {
  if pg_bin >/dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed and this is not root (apt-get install postgresql)" >&2
    return 1
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# as_pg runs a command as the cluster's owner.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

free_port() {
  # The kernel picks a free port; PostgreSQL binds it right after.
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# pg_start prints "DIR PORT" of a running fresh cluster.
pg_start() {
  pg_install
  local bin dir port
  bin="$(pg_bin)"
  # Under /tmp, not $TMPDIR: the cluster's owner (nobody) must reach it.
  dir="$(mktemp -d /tmp/basalt-pg.XXXXXX)"
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown nobody "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; return 1; }
  port="$(free_port)"
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >&2 || {
    cat "$dir/server.log" >&2; return 1; }
  echo "$dir $port"
}

pg_stop() {
  local bin dir="$1"
  bin="$(pg_bin)" || return 0
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: provide BASALT_TEST_POSTGRES for the rest of the caller.
  if [ -z "${BASALT_TEST_POSTGRES:-}" ]; then
    pg_out="$(pg_start)" || { echo "postgres.sh: could not start PostgreSQL" >&2; return 1; }
    read -r BASALT_PG_DIR BASALT_PG_PORT <<<"$pg_out"
    export BASALT_TEST_POSTGRES="postgres://postgres@127.0.0.1:${BASALT_PG_PORT}/postgres?sslmode=disable"
    trap 'pg_stop "$BASALT_PG_DIR"' EXIT
  fi
  return 0
fi

case "${1:-}" in
  start)
    out="$(pg_start)"
    read -r dir port <<<"$out"
    echo "BASALT_PG_DIR=$dir"
    echo "BASALT_TEST_POSTGRES=postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable"
    ;;
  stop) pg_stop "$2" ;;
  *) echo "usage: $0 start | stop DIR (or source it)" >&2; exit 2 ;;
esac
