#!/usr/bin/env bash
# The erplite peer of the shared ORM benchmark (../shared/bench/peers/SPEC.md, section 7.1).
#
#   peer.sh venv VENV                  create/update VENV with erplite (editable) and gunicorn
#   peer.sh template DSN DB            install the bench module into the empty database DB,
#                                      admin's password 'admin'
#   peer.sh run --peer erplite --dsn DSN --db DB --scenarios S1,.. --out FILE
#                                      S1-S6 in one process (bench_erplite.py, BENCH_COMMON's
#                                      harness), on DB (a copy of the template)
#   peer.sh serve PORT DSN DB          gunicorn, 4 workers, on 127.0.0.1:PORT, serving DB
#                                      (Odoo-compatible /jsonrpc, the form login /web/login,
#                                      the backoffice pages) until SIGTERM
#   peer.sh s8-path DSN DB             print the path of DB's backoffice list page of
#                                      bench.order (S8: 80 orders by date DESC, id DESC)
#
# run.sh exports BENCH_VENV (the venv to use) and BENCH_COMMON (the shared common/ folder).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
VENV=${BENCH_VENV:-$REPO/.venv}

case "${1:-}" in
  venv)
    target=${2:?usage: peer.sh venv VENV}
    [ -x "$target/bin/python" ] || python3 -m venv "$target"
    "$target/bin/pip" install -q --disable-pip-version-check -e "$REPO" gunicorn
    ;;
  template)
    dsn=${2:?usage: peer.sh template DSN DB} db=${3:?usage: peer.sh template DSN DB}
    exec "$VENV/bin/python" "$HERE/bench_erplite.py" template --dsn "$dsn" --db "$db"
    ;;
  run)
    shift
    exec "$VENV/bin/python" "$HERE/bench_erplite.py" "$@"
    ;;
  s8-path)
    dsn=${2:?usage: peer.sh s8-path DSN DB} db=${3:?usage: peer.sh s8-path DSN DB}
    exec "$VENV/bin/python" "$HERE/bench_erplite.py" s8-path --dsn "$dsn" --db "$db"
    ;;
  serve)
    port=${2:?usage: peer.sh serve PORT DSN DB} dsn=${3:?} db=${4:?}
    export ERPLITE_DSN="$dsn dbname=$db" ERPLITE_ADDONS_PATH="$HERE/addons"
    exec "$VENV/bin/gunicorn" -w 4 -b "127.0.0.1:$port" --graceful-timeout 5 \
      'erplite.http:application'
    ;;
  *)
    sed -n 2,18p "$0" >&2
    exit 2
    ;;
esac
