"""``erplite.pool.Pool`` against a real server that stops and starts: an error at once while it is
down, a working connection as soon as it is back, no dead connection handed out."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from erplite.pool import Pool, PoolClosed, PoolTimeout
from tests.reliability.conftest import free_port

pytestmark = pytest.mark.reliability


@pytest.fixture
def pool(cluster):
    pool = Pool(cluster.dsn("postgres"), max_size=3, name="test")
    yield pool
    pool.close()


def backend_pid(conn: psycopg.Connection) -> int:
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    conn.rollback()
    return pid


def test_a_server_that_refuses_connections_is_an_error_at_once():
    pool = Pool(f"host=127.0.0.1 port={free_port()} dbname=x user=x", max_size=2)
    for _ in range(5):  # never a background retry to wait for: each call tries and fails
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            pool.getconn()
        assert time.monotonic() - started < 1.0
    assert pool.stats() == {"size": 0, "idle": 0}  # the failed attempts hold no slot


def test_idle_connections_are_reused_most_recent_first(pool):
    first, second = pool.getconn(), pool.getconn()
    pids = backend_pid(first), backend_pid(second)
    pool.putconn(first)
    pool.putconn(second)
    assert pool.stats() == {"size": 2, "idle": 2}
    again = pool.getconn()
    assert backend_pid(again) == pids[1]
    pool.putconn(again)


def test_a_transaction_left_open_is_rolled_back_when_given_back(pool):
    conn = pool.getconn()
    conn.execute("CREATE TEMP TABLE left_open (x int)")
    pool.putconn(conn)  # INTRANS: rolled back, kept
    conn = pool.getconn()
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert conn.execute("SELECT to_regclass('left_open')").fetchone() == (None,)
    conn.rollback()
    pool.putconn(conn)


def test_connection_commits_the_block_or_rolls_it_back(pool):
    with pool.connection() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS pool_block (x int)")
        conn.execute("DELETE FROM pool_block")
    with pytest.raises(ZeroDivisionError), pool.connection() as conn:
        conn.execute("INSERT INTO pool_block VALUES (1)")
        raise ZeroDivisionError
    with pool.connection() as conn:
        conn.execute("INSERT INTO pool_block VALUES (2)")
    with pool.connection() as conn:
        assert conn.execute("SELECT x FROM pool_block").fetchall() == [(2,)]
        conn.execute("DROP TABLE pool_block")


def test_a_full_pool_waits_for_a_connection_then_times_out(pool):
    taken = [pool.getconn() for _ in range(3)]
    started = time.monotonic()
    with pytest.raises(PoolTimeout):
        pool.getconn(timeout=0.3)
    assert 0.25 < time.monotonic() - started < 2
    # a connection given back goes to the caller waiting for it
    threading.Timer(0.2, pool.putconn, [taken.pop()]).start()
    handed = pool.getconn(timeout=10)
    assert handed.execute("SELECT 1").fetchone() == (1,)
    handed.rollback()
    for conn in [handed, *taken]:
        pool.putconn(conn)
    assert pool.stats() == {"size": 3, "idle": 3}


def test_a_terminated_backend_is_not_handed_out(pool, cluster):
    conn = pool.getconn()
    pid = backend_pid(conn)
    pool.putconn(conn)
    with psycopg.connect(cluster.dsn("postgres"), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the backend's goodbye reaches the idle socket
    conn = pool.getconn()  # not the dead one (no round trip spent to find out)
    assert backend_pid(conn) != pid
    pool.putconn(conn)


def test_a_broken_connection_given_back_drops_the_idle_ones(pool):
    conns = [pool.getconn() for _ in range(3)]
    for conn in conns[1:]:
        pool.putconn(conn)
    conns[0].close()  # as after a lost server
    pool.putconn(conns[0])
    assert pool.stats() == {"size": 0, "idle": 0}


def test_the_pool_serves_again_as_soon_as_the_server_is_back(pool, cluster, figures):
    conns = [pool.getconn() for _ in range(3)]
    old_pids = {backend_pid(conn) for conn in conns}
    for conn in conns:
        pool.putconn(conn)
    cluster.stop("fast")
    try:
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            conn = pool.getconn()
            conn.execute("SELECT 1")
        detection = time.monotonic() - started
        assert detection < 1.0
    finally:
        cluster.start()
    back = time.monotonic()
    conn = pool.getconn()
    assert conn.execute("SELECT 1").fetchone() == (1,)  # no dead connection first
    recovery = time.monotonic() - back
    assert backend_pid(conn) not in old_pids
    pool.putconn(conn)
    assert recovery < 1.0
    figures(pool_error_while_down_s=round(detection, 4), pool_recovery_s=round(recovery, 4))


def test_a_closed_pool_refuses_and_closes_what_comes_back(cluster):
    pool = Pool(cluster.dsn("postgres"), max_size=2)
    conn = pool.getconn()
    pool.close()
    with pytest.raises(PoolClosed):
        pool.getconn()
    pool.putconn(conn)
    assert conn.closed
