"""A real PostgreSQL for the HTTP tests that need one.

``pg_dsn`` is a fresh, empty database per test module: on the server named by
``ERPLITE_TEST_DSN`` when set, else on a throw-away server started with ``pgserver``. The
fixture has the name of the shared plugin's, which can replace it.
"""

from __future__ import annotations

import os
import uuid

import pytest
from psycopg import sql

from erplite.sql import admin_connection, close_pool, dsn_with_dbname


@pytest.fixture(scope="session")
def _pg_server_dsn(tmp_path_factory):
    dsn = os.environ.get("ERPLITE_TEST_DSN")
    if dsn:
        yield dsn
        return
    pgserver = pytest.importorskip("pgserver")
    server = pgserver.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def pg_dsn(_pg_server_dsn):
    dbname = f"erplite_http_{uuid.uuid4().hex[:10]}"
    with admin_connection(_pg_server_dsn) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    dsn = dsn_with_dbname(_pg_server_dsn, dbname)
    try:
        yield dsn
    finally:
        close_pool(dsn)
        with admin_connection(_pg_server_dsn) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
