#!/usr/bin/env bash
# A PostgreSQL 15 cluster (Debian's binaries) set up as the benchmark's (SPEC.md 5.1:
# pg_trgm, pg_stat_statements, same settings) for profiling runs:
#   benchmarks/profile/pg15.sh start   -> prints the DSN to pass as --dsn
#   benchmarks/profile/pg15.sh stop
# Data in /tmp/erplite-profile-pg15 (kept between runs; PGDATA= to change), port 54339 (PORT=)
# on 127.0.0.1: a second cluster beside one another helper runs, e.g. PGDATA=/tmp/mine PORT=54351.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA=${PGDATA:-/tmp/erplite-profile-pg15}
RUN=${PGRUN:-$PGDATA-run}
PORT=${PORT:-54339}
AS=()
[ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)  # pg_ctl refuses root
DSN="host=127.0.0.1 port=$PORT user=bench dbname=postgres"
case "${1:-start}" in
start)
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA" "$RUN"
    ((${#AS[@]})) && chown postgres: "$PGDATA" "$RUN"
    "${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
shared_buffers = 1GB
work_mem = 16MB
max_wal_size = 4GB
checkpoint_timeout = 30min
autovacuum = off
jit = off
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 20000
pg_stat_statements.track = top
pg_stat_statements.track_utility = on
pg_stat_statements.track_planning = on
pg_stat_statements.save = off
CONF
    FRESH=1
  fi
  mkdir -p "$RUN"; ((${#AS[@]})) && chown postgres: "$RUN"
  if ! "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null
  fi
  if [ "${FRESH:-0}" = 1 ]; then
    "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U bench -d template1 \
      -c "CREATE EXTENSION pg_stat_statements" -c "CREATE EXTENSION pg_trgm"
  fi
  echo "$DSN"
  ;;
stop)
  [ -f "$PGDATA/postmaster.pid" ] && "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
