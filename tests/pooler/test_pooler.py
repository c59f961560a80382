"""``db_pooler = transaction``: erplite through a real PgBouncer in transaction mode (Debian's
``pgbouncer``, started here in front of the session's PostgreSQL). Connections keep no
prepared statements, ``begin_with`` still sends BEGIN with its query, module loading holds its
lock on the direct DSN (and refuses to run without one), and databases are copied directly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from erplite import SUPERUSER_ID, Registry, api, pooler
from erplite.sql import SQL, close_pool, connection_pool, count_queries, dbname_of, dsn_with_dbname
from erplite.testing import create_database, drop_database
from erplite.tools.pgbouncer import PgBouncer


@pytest.fixture
def pooler_setting() -> Iterator[None]:
    """Restores the process's pooler setting after the test."""
    saved = pooler.settings()
    yield
    pooler.configure(saved.mode, saved.direct_dsn)


@pytest.fixture
def bouncer(erplite_server: str, pooler_setting: None) -> Iterator[tuple[PgBouncer, str]]:
    """``(PgBouncer in front of the test server, the server's direct DSN)``, with the pooler
    setting on (``transaction``, that direct DSN)."""
    direct = pooler.session_dsn(erplite_server)  # the server itself, in either kind of run
    assert direct is not None
    with PgBouncer(direct, pool_size=4) as running:
        pooler.configure("transaction", direct_dsn=direct)
        yield running, direct


def test_the_setting_is_checked_and_points_sessions_at_the_direct_server(pooler_setting):
    with pytest.raises(ValueError, match="db_pooler must be 'none' or 'transaction'"):
        pooler.configure("session")
    with pytest.raises(ValueError, match="db_direct_dsn"):
        pooler.configure("transaction", direct_dsn="host='unterminated")
    pooler.configure("none", direct_dsn="host=direct")
    assert not pooler.transaction_pooling()
    assert pooler.session_dsn("host=bouncer dbname=shop") == "host=bouncer dbname=shop"
    pooler.configure("transaction")
    assert pooler.session_dsn("host=bouncer dbname=shop") is None
    assert pooler.admin_dsn("host=bouncer dbname=shop") == "host=bouncer dbname=shop"
    pooler.configure_from_environ(
        {"ERPLITE_DB_POOLER": "Transaction", "ERPLITE_DB_DIRECT_DSN": "host=pg port=5433"}
    )
    assert pooler.transaction_pooling()
    assert pooler.session_dsn("host=bouncer port=6432 dbname=shop") == (
        "host=pg port=5433 dbname=shop"
    )


def test_the_orm_through_pgbouncer_keeps_no_prepared_statement(
    bouncer, erplite_template, erplite_addons_paths
):
    running, direct = bouncer
    name = f"erplite_pgb_{uuid.uuid4().hex[:10]}"
    # copied on the direct connection, after ending the pooler's sessions on the template
    create_database(direct, name, template=dbname_of(erplite_template[0]))
    dsn = running.dsn_for(name)
    try:
        registry = Registry(dsn, addons_paths=erplite_addons_paths)
        pool = connection_pool(dsn)
        assert not pool.prepared_statements
        for round_ in range(8):  # psycopg would prepare a statement run 5 times
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                partner = env["res.partner"].create({"name": f"Pooled {round_}"})
                found = env["res.partner"].search([("name", "=", f"Pooled {round_}")])
                assert found == partner
                assert cr.connection.prepare_threshold is None
        with registry.cursor() as cr:  # the request's first statement, sent with its BEGIN
            with count_queries() as statements:
                cr.begin_with(
                    SQL("SELECT count(*) FROM res_partner WHERE name LIKE %s", "Pooled %")
                )
                assert cr.fetchone() == (8,)
            assert len(statements) == 1
    finally:
        close_pool(dsn)
        drop_database(direct, name)


def test_module_loading_through_pgbouncer_needs_the_direct_dsn(
    bouncer, erplite_template, erplite_addons_paths
):
    running, direct = bouncer
    name = f"erplite_pgb_{uuid.uuid4().hex[:10]}"
    create_database(direct, name, template=dbname_of(erplite_template[0]))
    dsn = running.dsn_for(name)
    try:
        registry = Registry.new(dsn, install=("test_http",), addons_paths=erplite_addons_paths)
        assert "test_http" in registry.installed_modules
        with psycopg.connect(dsn_with_dbname(direct, name), autocommit=True) as conn:
            held = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            ).fetchone()
        assert held == (0,)  # released with its direct connection

        pooler.configure("transaction")  # no direct DSN: two loaders could not exclude each other
        with pytest.raises(RuntimeError, match="without a direct DSN"):
            Registry.new(dsn, update=("test_http",), addons_paths=erplite_addons_paths)
    finally:
        close_pool(dsn)
        drop_database(direct, name)
