#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the storage and classroom tests.
#   source .ci/pg.sh; pg_start   -> exports BIANQUE_TEST_PG_URL, sets PG_TMP
#   pg_stop                      -> stops the cluster and removes its files
# PostgreSQL comes from Debian's packages (installed when missing). The server refuses
# to run as root, so under root the cluster belongs to the unprivileged "postgres"
# user (created by the package) or, failing that, "nobody".

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}

pg_install() {
  if pg_bindir >/dev/null; then return 0; fi
  echo "CI: installing PostgreSQL from Debian's packages" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_as() {
  # run a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

pg_start() {
  pg_install
  local bin port
  bin=$(pg_bindir)
  PG_OWNER=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    if getent passwd postgres >/dev/null; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
  fi
  PG_TMP=$(mktemp -d /tmp/bianque-pg.XXXXXX)
  chmod 755 "$PG_TMP"
  mkdir -p "$PG_TMP/data" "$PG_TMP/sock"
  [ "$(id -u)" -eq 0 ] && chown -R "$PG_OWNER" "$PG_TMP/data" "$PG_TMP/sock"
  port=$(pg_free_port)
  pg_as "$bin/initdb" -D "$PG_TMP/data" -U bianque --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  pg_as "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/sock/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP/sock -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_TMP/sock/server.log" >&2; return 1; }
  pg_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U bianque bianque_test
  export PG_BIN="$bin" PG_PORT="$port" PG_OWNER PG_TMP
  export BIANQUE_TEST_PG_URL="postgresql+psycopg://bianque@127.0.0.1:$port/bianque_test"
  echo "CI: PostgreSQL on 127.0.0.1:$port ($PG_TMP)" >&2
}

pg_stop() {
  [ -n "${PG_TMP:-}" ] || return 0
  if [ -f "$PG_TMP/data/postmaster.pid" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TMP"
  PG_TMP=""
}
