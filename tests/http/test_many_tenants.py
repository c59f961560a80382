"""Many tenants served by one Application (dbfilter): the registries a process keeps are
bounded (least recently used dropped beyond ``max_registries``), and so are its connections
over all the tenants' databases (the process's budget, Odoo's ``db_maxconn``): touching every
tenant never opens more than the budget, however many databases there are."""

from __future__ import annotations

import time

import psycopg
import pytest

from erplite import pooler
from erplite.http import Application
from erplite.pool import Budget
from erplite.sql import close_pool, connection_pool, dbname_of
from erplite.testing import drop_database
from tests.http.conftest import clone_web_database
from tests.http.test_app_multi_db import host_client

TENANTS = 6
BUDGET = 3


@pytest.fixture(scope="module")
def tenants(erplite_server, web_template):
    databases = [clone_web_database(erplite_server, web_template) for _ in range(TENANTS)]
    try:
        yield databases
    finally:
        for database in databases:
            drop_database(erplite_server, database.name)


@pytest.fixture
def small_budget(monkeypatch, tenants, pg_dsn):
    """The process's connection budget is ``BUDGET`` connections for the pools made in the
    test (those of the tenants and of the sessions database); they are closed after it."""
    import erplite.sql

    budget = Budget(BUDGET)
    dsns = [database.dsn for database in tenants] + [pg_dsn]
    for dsn in dsns:
        close_pool(dsn)
    monkeypatch.setattr(erplite.sql, "_budget", budget)
    yield budget
    for dsn in dsns:
        close_pool(dsn)


def _connections_to(server: str, names: list[str]) -> int:
    """The backends connected to ``names``, once those the budget just closed are gone: a
    closed connection's backend leaves ``pg_stat_activity`` a moment after the client closed
    it, so a count above the budget is looked at again for up to a second (a connection kept
    open beyond the budget stays counted and fails the test)."""
    with psycopg.connect(pooler.admin_dsn(server), autocommit=True) as conn:
        for _attempt in range(20):
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s)", [names]
            ).fetchone()
            if row[0] <= BUDGET:
                break
            time.sleep(0.05)
    return row[0]


def test_touching_every_tenant_keeps_the_connections_within_the_budget(
    tenants, small_budget, erplite_server, erplite_addons_paths, pg_dsn
):
    app = Application(
        erplite_server,
        erplite_addons_paths,
        dbfilter=r"^erplite_w_%d$",
        session_dsn=pg_dsn,
        max_registries=TENANTS,  # every tenant stays warm: only the budget bounds connections
    )
    names = [database.name for database in tenants]
    watched = [*names, dbname_of(pg_dsn)]
    most = 0
    for _round in range(2):
        for database in tenants:
            answer = host_client(app, database).get("/test_http/whoami").get_json()
            assert answer["db"] == database.name  # each tenant answers from its own database
            if not pooler.transaction_pooling():  # else PgBouncer holds the server sessions
                most = max(most, _connections_to(erplite_server, watched))
    stats = small_budget.stats()
    assert stats["peak"] <= BUDGET and stats["used"] <= BUDGET
    assert most <= BUDGET
    # without the budget each tenant's pool would keep its idle connection: six or more
    open_pools = [connection_pool(database.dsn).stats()["size"] for database in tenants]
    assert sum(open_pools) <= BUDGET
    assert app.databases.loaded() == names


def test_only_the_most_recently_used_registries_stay(
    tenants, erplite_server, erplite_addons_paths, pg_dsn
):
    app = Application(
        erplite_server,
        erplite_addons_paths,
        dbfilter=r"^erplite_w_%d$",
        session_dsn=pg_dsn,
        max_registries=2,
    )
    for database in [*tenants[:3], tenants[1]]:
        assert host_client(app, database).get("/test_http/whoami").get_json()["db"] == database.name
    assert app.databases.loaded() == [tenants[2].name, tenants[1].name]


def test_a_tenant_waits_for_a_connection_only_while_the_budget_is_in_use(tenants, small_budget):
    first, second = tenants[0], tenants[1]
    busy = [connection_pool(first.dsn).getconn() for _ in range(BUDGET)]
    try:
        with pytest.raises(psycopg.OperationalError, match="became free in time"):
            connection_pool(second.dsn).getconn(timeout=0.2)
        connection_pool(first.dsn).putconn(busy.pop())  # idle now: closed for the other one
        conn = connection_pool(second.dsn).getconn(timeout=5)
        assert conn.execute("SELECT current_database()").fetchone() == (second.name,)
        connection_pool(second.dsn).putconn(conn)
        assert connection_pool(first.dsn).stats() == {"size": BUDGET - 1, "idle": 0}
    finally:
        for conn in busy:
            connection_pool(first.dsn).putconn(conn)
    assert small_budget.stats()["used"] <= BUDGET
