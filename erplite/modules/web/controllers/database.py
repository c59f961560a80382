"""Server information for load balancers and clients: health, version, the database list.

Worked example::

    GET  /web/health                    → 200 {"status": "pass", "db_server_status": true,
                                                 "database": "ok"}
                                          503 {"status": "fail", "db_server_status": false,
                                               "database": "unreachable"} while PostgreSQL is
                                          down (within a connect timeout, never hanging)
    GET  /web/version                   → {"version_info": [17, 0, 0, "final", 0, ""],
                                           "version": "17.0", "erplite_version": "0.1.0"}
    POST /web/webclient/version_info    → JSON-RPC: common.version()
    POST /web/database/list             → JSON-RPC: the databases served to this host
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg

from erplite import http
from erplite.http import request
from erplite.http.errors import RETRY_AFTER
from erplite.http.service import exp_list, version_info
from erplite.pool import CONNECT_TIMEOUT
from erplite.sql import connection_pool

_logger = logging.getLogger(__name__)


class Database(http.Controller):
    @http.route("/web/health", type="http", auth="none", save_session=False)
    def health(self, **kw: Any):
        """Whether this server can serve: the database (or, with none selected, the
        PostgreSQL server) answers a query. JSON, never cached. While PostgreSQL is down it
        answers 503 at once (a refused connection) or after ``CONNECT_TIMEOUT`` seconds (a
        server that does not answer), with ``Retry-After``."""
        dsn = request.database_dsn
        try:
            if dsn is not None:
                with connection_pool(dsn).connection(timeout=CONNECT_TIMEOUT) as conn:
                    conn.execute("SELECT 1")
            else:  # no database, maybe because the server is down: ask it directly
                with psycopg.connect(
                    request.app.session_dsn, connect_timeout=CONNECT_TIMEOUT
                ) as conn:
                    conn.execute("SELECT 1")
            ok = True
        except (psycopg.Error, OSError) as exc:
            _logger.warning("health check: the database does not answer: %s", exc)
            ok = False
        body = {
            "status": "pass" if ok else "fail",
            "db_server_status": ok,
            "database": "ok" if ok else "unreachable",
        }
        headers = {"Cache-Control": "no-store"}
        if not ok:
            headers["Retry-After"] = str(RETRY_AFTER)
        return request.make_json_response(body, headers=headers, status=200 if ok else 503)

    @http.route(
        ["/web/version", "/json/version"],
        type="http",
        auth="none",
        methods=["GET"],
        save_session=False,
    )
    def version(self):
        info = version_info()
        return request.make_json_response(
            {
                "version_info": info["server_version_info"],
                "version": info["server_version"],
                "erplite_version": info["erplite_version"],
            }
        )

    @http.route("/web/webclient/version_info", type="json", auth="none", save_session=False)
    def version_info(self):
        return version_info()

    @http.route("/web/database/list", type="json", auth="none", save_session=False)
    def list(self):
        return exp_list()
