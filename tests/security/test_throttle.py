"""Failed-login throttling against a real PostgreSQL (the shared test server of erplite.testing)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
from psycopg import sql

from erplite.exceptions import AccessDenied
from erplite.security.throttle import (
    TABLE_NAME,
    LoginThrottle,
    address_key,
    ensure_table,
    login_key,
)
from erplite.sql import Cursor, connection_pool
from erplite.testing import create_database, drop_database

T0 = datetime(2024, 5, 1, 8, 0, 0)  # naive UTC


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# -- database fixtures: a database of the shared test server (erplite.testing) ----------------


@pytest.fixture(scope="module")
def pg_dsn(erplite_server):
    """DSN of a fresh, uniquely named database on the session's server, dropped after."""
    name = f"erplite_test_throttle_{uuid.uuid4().hex[:12]}"
    dsn = create_database(erplite_server, name)
    try:
        yield dsn
    finally:
        drop_database(erplite_server, name)


@pytest.fixture(scope="module")
def pool(pg_dsn):
    pool = connection_pool(pg_dsn)
    with Cursor(pool) as cr:
        ensure_table(cr)
    return pool


@pytest.fixture
def cr(pool):
    """A cursor whose work is rolled back after the test."""
    cursor = Cursor(pool)
    try:
        yield cursor
    finally:
        cursor.rollback()
        cursor.close()


@pytest.fixture
def throttle():
    return LoginThrottle()


def failures_of(cr, key):
    cr.execute(
        sql.SQL("SELECT failures, last_failure FROM {} WHERE key = %s").format(
            sql.Identifier(TABLE_NAME)
        ),
        [key],
    )
    return cr.fetchone()


def fail(throttle, cr, login, address, times, start=0.0, step=0.0):
    for i in range(times):
        throttle.record_failure(cr, login, address, now=at(start + i * step))


# -- the table --------------------------------------------------------------------------------


def test_ensure_table_is_idempotent(cr):
    ensure_table(cr)
    ensure_table(cr)
    cr.execute(
        sql.SQL(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_name = %s ORDER BY ordinal_position"
        ),
        [TABLE_NAME],
    )
    assert cr.fetchall() == [
        ("key", "character varying", "NO"),
        ("failures", "integer", "NO"),
        ("last_failure", "timestamp without time zone", "NO"),
    ]
    cr.execute(
        sql.SQL(
            "SELECT a.attname FROM pg_index i"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = %s::regclass AND i.indisprimary"
        ),
        [TABLE_NAME],
    )
    assert cr.fetchall() == [("key",)]


# -- keys (pure) ------------------------------------------------------------------------------


def test_keys():
    assert login_key("Alice@Example.com") == "login:alice@example.com"
    assert login_key("") is None and login_key(None) is None
    assert address_key("192.0.2.7") == "ip:192.0.2.7"
    assert address_key("2001:db8::1") == "ip:2001:db8::/64"
    assert address_key("2001:DB8:0:0:ffff::9") == "ip:2001:db8::/64"
    assert address_key("::ffff:192.0.2.7") == "ip:192.0.2.7"
    assert address_key("unix-socket") == "ip:unix-socket"
    assert address_key(None) is None and address_key("") is None


def test_delay_policy_is_exponential_and_capped():
    throttle = LoginThrottle(threshold=5, base_delay=1.0, max_delay=300.0)
    assert [throttle.delay_for(n) for n in range(0, 5)] == [0.0] * 5
    assert [throttle.delay_for(n) for n in range(5, 10)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert throttle.delay_for(13) == 256.0
    assert throttle.delay_for(14) == 300.0
    assert throttle.delay_for(2**31 - 1) == 300.0  # no overflow


def test_invalid_settings_refused():
    with pytest.raises(ValueError):
        LoginThrottle(threshold=0)
    with pytest.raises(ValueError):
        LoginThrottle(max_delay=-1)
    with pytest.raises(ValueError):
        LoginThrottle(reset_after=0)


# -- blocking ---------------------------------------------------------------------------------


def test_four_failures_are_free_the_fifth_blocks(cr, throttle):
    fail(throttle, cr, "alice", "192.0.2.1", 4)
    throttle.check(cr, "alice", "192.0.2.1", now=at(0))
    assert throttle.retry_after(cr, "alice", "192.0.2.1", now=at(0)) == 0.0

    throttle.record_failure(cr, "alice", "192.0.2.1", now=at(0))
    assert failures_of(cr, "login:alice") == (5, at(0))
    assert failures_of(cr, "ip:192.0.2.1") == (5, at(0))
    with pytest.raises(AccessDenied) as info:
        throttle.check(cr, "alice", "192.0.2.1", now=at(0.5))
    assert str(info.value) == "Too many login failures, please wait a moment."
    assert "alice" not in str(info.value)
    assert info.value.retry_after == pytest.approx(0.5)


def test_unknown_login_gets_the_same_refusal(cr, throttle):
    fail(throttle, cr, "nobody-such", "192.0.2.2", 5)
    with pytest.raises(AccessDenied, match="^Too many login failures, please wait a moment.$"):
        throttle.check(cr, "nobody-such", "192.0.2.2", now=at(0))


def test_retry_after_counts_down(cr, throttle):
    fail(throttle, cr, "bob", "192.0.2.3", 5)
    assert throttle.retry_after(cr, "bob", "192.0.2.3", now=at(0)) == 1.0
    assert throttle.retry_after(cr, "bob", "192.0.2.3", now=at(0.25)) == 0.75
    assert throttle.retry_after(cr, "bob", "192.0.2.3", now=at(1)) == 0.0
    throttle.check(cr, "bob", "192.0.2.3", now=at(1))  # free again
    # a clock behind the last failure never waits longer than the block itself
    assert throttle.retry_after(cr, "bob", "192.0.2.3", now=at(-10)) == 1.0


def test_backoff_doubles_with_each_failure(cr, throttle):
    fail(throttle, cr, "carol", "192.0.2.4", 5)
    waits = []
    for _ in range(6):
        waits.append(throttle.retry_after(cr, "carol", "192.0.2.4", now=at(0)))
        throttle.record_failure(cr, "carol", "192.0.2.4", now=at(0))
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    with pytest.raises(AccessDenied):
        throttle.check(cr, "carol", "192.0.2.4", now=at(63))
    throttle.check(cr, "carol", "192.0.2.4", now=at(64))


def test_backoff_is_capped_at_max_delay(cr):
    throttle = LoginThrottle(threshold=2, base_delay=10.0, max_delay=45.0)
    fail(throttle, cr, "dave", None, 10)
    assert throttle.retry_after(cr, "dave", None, now=at(0)) == 45.0


def test_success_clears_login_and_address(cr, throttle):
    fail(throttle, cr, "erin", "192.0.2.5", 7)
    with pytest.raises(AccessDenied):
        throttle.check(cr, "erin", "192.0.2.5", now=at(1))
    throttle.record_success(cr, "erin", "192.0.2.5")
    assert failures_of(cr, "login:erin") is None
    assert failures_of(cr, "ip:192.0.2.5") is None
    throttle.check(cr, "erin", "192.0.2.5", now=at(1))
    # counting starts again from zero
    fail(throttle, cr, "erin", "192.0.2.5", 4, start=2)
    assert throttle.retry_after(cr, "erin", "192.0.2.5", now=at(5)) == 0.0
    assert failures_of(cr, "login:erin")[0] == 4


def test_address_blocked_across_logins(cr, throttle):
    for i in range(5):
        throttle.record_failure(cr, f"user{i}", "198.51.100.9", now=at(0))
    # a sixth login, never tried, is refused from that address ...
    with pytest.raises(AccessDenied):
        throttle.check(cr, "frank", "198.51.100.9", now=at(0.5))
    # ... but the same logins are free from elsewhere (one failure each)
    for i in range(5):
        throttle.check(cr, f"user{i}", "198.51.100.10", now=at(0.5))
    throttle.check(cr, "frank", "198.51.100.10", now=at(0.5))


def test_login_blocked_across_addresses(cr, throttle):
    for i in range(5):
        throttle.record_failure(cr, "grace", f"203.0.113.{i}", now=at(0))
    with pytest.raises(AccessDenied):
        throttle.check(cr, "grace", "203.0.113.200", now=at(0.5))
    throttle.check(cr, "heidi", "203.0.113.0", now=at(0.5))


def test_login_is_case_insensitive(cr, throttle):
    for login in ["Ivan", "IVAN", "ivan", "iVaN", "ivaN"]:
        throttle.record_failure(cr, login, None, now=at(0))
    assert failures_of(cr, "login:ivan")[0] == 5
    with pytest.raises(AccessDenied):
        throttle.check(cr, "IvAn", None, now=at(0))


def test_ipv6_counts_per_64_network(cr, throttle):
    for i in range(1, 6):
        throttle.record_failure(cr, f"v6user{i}", f"2001:db8:aa::{i}", now=at(0))
    with pytest.raises(AccessDenied):
        throttle.check(cr, "judy", "2001:db8:aa::ffff", now=at(0))
    throttle.check(cr, "judy", "2001:db8:bb::1", now=at(0))


def test_old_failures_are_ignored_after_reset_window(cr):
    throttle = LoginThrottle(base_delay=1000.0, max_delay=10000.0, reset_after=3600.0)
    fail(throttle, cr, "mallory", "192.0.2.66", 6)  # blocked 2000 s
    assert throttle.retry_after(cr, "mallory", "192.0.2.66", now=at(1999)) == 1.0
    assert throttle.retry_after(cr, "mallory", "192.0.2.66", now=at(2000)) == 0.0

    throttle = LoginThrottle(base_delay=1000.0, max_delay=10000.0, reset_after=1800.0)
    # the block never outlasts the reset window
    assert throttle.retry_after(cr, "mallory", "192.0.2.66", now=at(1799)) == 1.0
    assert throttle.retry_after(cr, "mallory", "192.0.2.66", now=at(1800)) == 0.0
    # a failure after the window counts from 1 again
    throttle.record_failure(cr, "mallory", "192.0.2.66", now=at(1801))
    assert failures_of(cr, "login:mallory") == (1, at(1801))
    assert failures_of(cr, "ip:192.0.2.66") == (1, at(1801))
    throttle.check(cr, "mallory", "192.0.2.66", now=at(1801))


def test_failures_within_window_keep_counting(cr, throttle):
    fail(throttle, cr, "niaj", None, 5, step=3000)  # each within an hour of the previous
    assert failures_of(cr, "login:niaj") == (5, at(12000))
    with pytest.raises(AccessDenied):
        throttle.check(cr, "niaj", None, now=at(12000))


def test_purge_deletes_forgotten_counters(cr, throttle):
    throttle.record_failure(cr, "olivia", "192.0.2.77", now=at(0))
    throttle.record_failure(cr, "peggy", None, now=at(3000))
    assert throttle.purge(cr, now=at(3700)) == 2
    assert failures_of(cr, "login:olivia") is None
    assert failures_of(cr, "login:peggy") == (1, at(3000))


def test_missing_login_or_address(cr, throttle):
    fail(throttle, cr, None, "192.0.2.88", 5)
    fail(throttle, cr, "", None, 5)
    with pytest.raises(AccessDenied):
        throttle.check(cr, None, "192.0.2.88", now=at(0))
    throttle.check(cr, None, None, now=at(0))
    assert throttle.retry_after(cr, None, None, now=at(0)) == 0.0
    throttle.record_success(cr, None, None)


def test_quotes_in_login_are_data_not_sql(cr, throttle):
    evil = "x'); DROP TABLE auth_login_failure; --"
    fail(throttle, cr, evil, "192.0.2.99", 5)
    assert failures_of(cr, login_key(evil))[0] == 5
    with pytest.raises(AccessDenied):
        throttle.check(cr, evil, "192.0.2.99", now=at(0))


def test_statements_per_call(cr, throttle):
    from erplite.sql import count_queries

    with count_queries() as queries:
        throttle.check(cr, "quentin", "192.0.2.100", now=at(0))
    assert len(queries) == 1
    with count_queries() as queries:
        throttle.record_failure(cr, "quentin", "192.0.2.100", now=at(0))
    assert len(queries) == 1  # both keys in one upsert (the transaction is under way)


# -- sharing between workers ------------------------------------------------------------------


def test_counters_shared_between_concurrent_transactions(pool, throttle):
    """Two workers failing at once on the same keys: the second waits, neither errors."""
    login, address = f"rupert-{uuid.uuid4().hex[:8]}", "192.0.2.123"
    errors = []
    first = Cursor(pool)
    try:
        throttle.record_failure(first, login, address, now=at(0))  # holds the row locks

        def second_worker():
            try:
                with Cursor(pool) as cr2:
                    throttle.record_failure(cr2, login, address, now=at(1))
            except Exception as exc:  # reported to the main thread
                errors.append(exc)

        worker = threading.Thread(target=second_worker)
        worker.start()
        time.sleep(0.3)
        assert worker.is_alive(), "the second upsert should wait for the first one's locks"
        first.commit()
        worker.join(10)
        assert not worker.is_alive()
        assert errors == []

        with Cursor(pool) as cr3:
            assert failures_of(cr3, login_key(login)) == (2, at(1))
            assert failures_of(cr3, "ip:" + address) == (2, at(1))
            for _ in range(3):
                throttle.record_failure(cr3, login, address, now=at(2))
        with Cursor(pool) as other_worker, pytest.raises(AccessDenied):
            throttle.check(other_worker, login, address, now=at(2))
    finally:
        first.close()
        with Cursor(pool) as cleanup:
            throttle.record_success(cleanup, login, address)
