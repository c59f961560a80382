"""A transaction that only read is committed without waiting for the server's answer
(``Cursor.commit_and_close``, ``Pool.putconn_committing``): a read-only request waits for one
round trip less. What it must keep: the COMMIT is sent at once and really commits, the
connection comes back to the next caller idle and as configured, a transaction that wrote (or
has post-commit hooks) commits as before, and a COMMIT that fails is not hidden."""

from __future__ import annotations

import logging
import time
import uuid

import psycopg
import pytest

from erplite import pooler
from erplite.pool import Pool
from erplite.sql import SQL, Cursor, _configure, connection_pool
from tests.http.conftest import rpc

IDLE = psycopg.pq.TransactionStatus.IDLE


@pytest.fixture
def pool(web_db):
    """A pool of its own on the test database (directly to PostgreSQL)."""
    direct = pooler.session_dsn(web_db.dsn) or web_db.dsn
    pool = Pool(direct, max_size=2, configure=_configure, name="pipelined")
    yield pool
    pool.close()


def backend_state(web_db, pid: int) -> str:
    """The state of backend ``pid`` once it is no longer running a statement."""
    with connection_pool(pooler.session_dsn(web_db.dsn) or web_db.dsn).connection() as conn:
        for _ in range(100):
            state = conn.execute(
                "SELECT state FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()[0]
            conn.rollback()
            if state != "active":
                return state
            time.sleep(0.01)
    return state


def test_a_transaction_that_only_read_commits_without_waiting(pool, web_db):
    cr = Cursor(pool)
    conn = cr.connection
    cr.execute("SELECT pg_backend_pid()")
    pid = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM res_users")
    cr.commit_and_close()
    # the answer is not read yet: the connection waits for its next caller, unread
    assert pool.pending_commits() == 1
    assert conn.pgconn.transaction_status != IDLE
    # but the server committed: the backend is idle, not "idle in transaction"
    assert backend_state(web_db, pid) == "idle"

    again = Cursor(pool)  # the same connection, its answer read, idle and not in autocommit
    assert again.connection is conn
    assert pool.pending_commits() == 0
    assert conn.pgconn.transaction_status == IDLE and not conn.autocommit
    again.execute("SELECT current_setting('transaction_isolation')")
    assert again.fetchone() == ("repeatable read",)
    again.rollback()
    again.close()


def test_a_transaction_begun_with_begin_with_gets_its_connection_back_as_it_was(pool):
    cr = Cursor(pool)
    conn = cr.connection
    cr.begin_with(SQL("SELECT %s::int", 5))
    assert cr.fetchone() == (5,)
    assert conn.autocommit  # begin_with's transaction: the connection in autocommit meanwhile
    cr.commit_and_close()
    assert pool.pending_commits() == 1
    with pool.connection() as again:
        assert again is conn and not again.autocommit
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_the_next_begin_with_uses_the_connection_left_in_autocommit_as_it_is(pool, monkeypatch):
    """A request's transaction begun by begin_with and committed without waiting leaves its
    connection in autocommit mode for the next cursor (Pool.getconn_unsettled): when that one
    begins with begin_with too, no switch out of autocommit and back in; in the same
    transaction as before (BEGIN sent with the statement, rolled back with it)."""
    cr = Cursor(pool)
    conn = cr.connection
    cr.begin_with(SQL("SELECT %s::int", 1))
    cr.commit_and_close()
    switches: list[bool] = []
    setter = type(conn).autocommit.fset
    monkeypatch.setattr(
        type(conn),
        "autocommit",
        property(
            type(conn).autocommit.fget,
            lambda self, value: (switches.append(value), setter(self, value))[1],
        ),
    )
    again = Cursor(pool)
    again.begin_with(SQL("SELECT %s::int, current_setting('transaction_isolation')", 2))
    assert again.fetchone() == (2, "repeatable read")
    assert switches == [] and again._conn is conn
    assert conn.pgconn.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    again.rollback()  # the transaction's end: the connection begins its own ones again
    assert switches == [False] and not conn.autocommit
    again.close()


@pytest.mark.parametrize("first", ["execute", "connection", "close", "commit_and_close"])
def test_a_cursor_that_does_not_begin_with_begin_with_gets_a_normal_connection(pool, first):
    """The connection left in autocommit is switched back before anything else uses it: a
    statement runs in a transaction, code given ``cr.connection`` and the next taker of
    ``pool.getconn()`` see it out of autocommit."""
    cr = Cursor(pool)
    cr.begin_with(SQL("SELECT %s::int", 1))
    cr.commit_and_close()
    again = Cursor(pool)
    conn = again._conn
    if first == "execute":
        again.execute("SELECT 1")
        assert conn.pgconn.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        assert not conn.autocommit
        again.rollback()
        again.close()
    elif first == "connection":
        assert not again.connection.autocommit
        again.close()
    elif first == "close":
        again.close()
    else:
        again.commit_and_close()
    taken = pool.getconn()
    try:
        assert taken is conn and not taken.autocommit
    finally:
        pool.putconn(taken)


def test_a_transaction_that_wrote_commits_and_waits(pool, web_db):
    name = uuid.uuid4().hex
    table = SQL.identifier("test_http_counter")
    for statement in (
        SQL("INSERT INTO %s (name, value) VALUES (%s, 1)", table, name),
        SQL("UPDATE %s SET value = 2 WHERE name = %s", table, name),
    ):
        cr = Cursor(pool)
        cr.execute(SQL("SELECT 1"))  # a read first: the write still counts
        cr.execute(statement)
        cr.commit_and_close()
        assert pool.pending_commits() == 0
    with Cursor(pool) as check:
        check.execute(SQL("SELECT value FROM %s WHERE name = %s", table, name))
        assert check.fetchall() == [(2,)]


def test_post_commit_hooks_run_after_a_commit_that_was_waited_for(pool):
    ran = []
    cr = Cursor(pool)
    cr.execute("SELECT 1")
    cr.postcommit.add(lambda: ran.append(pool.pending_commits()))
    cr.commit_and_close()
    assert ran == [0] and pool.pending_commits() == 0


def test_a_pipelined_commit_that_fails_is_logged_and_its_connection_dropped(pool, caplog):
    # a SELECT whose function writes, breaking a deferred constraint: only COMMIT fails
    with Cursor(pool) as cr:
        cr.execute(
            "CREATE TABLE test_pipelined (x int UNIQUE DEFERRABLE INITIALLY DEFERRED);"
            "CREATE FUNCTION test_pipelined_twice() RETURNS int LANGUAGE sql"
            " AS 'INSERT INTO test_pipelined VALUES (1), (1) RETURNING 1'"
        )
    try:
        cr = Cursor(pool)
        conn = cr.connection
        cr.execute("SELECT test_pipelined_twice()")
        cr.commit_and_close()
        with caplog.at_level(logging.ERROR, logger="erplite.pool"):
            again = Cursor(pool)
        assert again.connection is not conn and conn.closed
        assert any(
            "COMMIT sent without waiting failed" in record.getMessage()
            and "duplicate key" in record.getMessage()
            for record in caplog.records
        )
        again.execute("SELECT count(*) FROM test_pipelined")
        assert again.fetchone() == (0,)  # nothing was committed
        again.close()
    finally:
        with Cursor(pool) as cr:
            cr.execute("DROP TABLE test_pipelined; DROP FUNCTION test_pipelined_twice()")


def test_a_read_only_rpc_call_leaves_its_commit_answer_for_the_next_request(app, client, web_db):
    def search_count():
        response = rpc(
            client,
            "/jsonrpc",
            {
                "service": "object",
                "method": "execute_kw",
                "args": [web_db.name, web_db.admin_uid, "admin", "res.users", "search_count", [[]]],
            },
        )
        return response.get_json()["result"]

    database_pool = connection_pool(app.databases.get(web_db.name).registry.dsn)
    count = search_count()
    assert count >= 1
    assert database_pool.pending_commits() == 1
    assert search_count() == count  # the next request reads it first, and works
    assert database_pool.pending_commits() == 1
