#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the test suite.
#   scripts/postgres.sh start   → starts it (installing Debian's postgresql
#                                 package first if the server is missing and
#                                 we are root), prints its admin URL
#   scripts/postgres.sh stop    → stops it (its data stays)
#   scripts/postgres.sh resume  → starts a stopped one again, data and all
#                                 (the fault tests stop a server under load)
#   scripts/postgres.sh destroy → stops it and removes its data
# The cluster lives in /tmp/scorehost-pg-$PORT and is reused while it runs.
set -euo pipefail
# Below the kernel's ephemeral port range (32768–60999), so that no client
# connection of the tests can be holding it when the server starts.
PORT=${SCOREHOST_PG_PORT:-25432}
DIR=/tmp/scorehost-pg-$PORT
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  as_owner "$1/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

case "${1:-start}" in
  start)
    BIN=$(pgbin)
    if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "postgres.sh: installing Debian's postgresql package" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        BIN=$(pgbin)
      else
        echo "postgres.sh: no PostgreSQL server found; install Debian's postgresql package" >&2
        exit 1
      fi
    fi
    if [ -f "$DIR/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      echo "$URL"; exit 0
    fi
    rm -rf "$DIR"; mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 >/dev/null
    pg_start "$BIN"
    echo "$URL"
    ;;
  stop)
    BIN=$(pgbin)
    [ -n "$BIN" ] && [ -d "$DIR" ] && as_owner "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  resume)
    BIN=$(pgbin)
    [ -f "$DIR/PG_VERSION" ] || { echo "postgres.sh: no cluster in $DIR to resume" >&2; exit 1; }
    pg_start "$BIN"
    echo "$URL"
    ;;
  destroy)
    BIN=$(pgbin)
    [ -n "$BIN" ] && [ -d "$DIR" ] && as_owner "$BIN/pg_ctl" -D "$DIR" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop|resume|destroy" >&2; exit 2 ;;
esac
