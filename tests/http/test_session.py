"""Sessions stored in PostgreSQL: new, get, save, rotate, delete, idle expiry, vacuum."""

from __future__ import annotations

import datetime

import psycopg
import pytest

from erplite.http.session import Session, SessionStore, default_session_data
from erplite.sql import connection_pool


class Clock:
    """An injectable ``now`` that tests move forward."""

    def __init__(self):
        self.value = datetime.datetime(2024, 6, 1, 12, 0, 0)

    def __call__(self):
        return self.value

    def advance(self, **delta):
        self.value += datetime.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(pg_dsn, clock):
    store = SessionStore(connection_pool(pg_dsn), idle_timeout=3600, now=clock)
    yield store
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE http_session")


def rows(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT sid, data, create_date, last_seen FROM http_session").fetchall()


# -- the Session object -------------------------------------------------------------------------


def test_session_attributes_are_its_keys():
    session = Session(default_session_data(), "sid")
    assert not session.is_dirty
    session.uid, session.login, session.db = 2, "admin", "demo"
    session.context = {"lang": "fr_FR"}
    assert dict(session) == {
        "context": {"lang": "fr_FR"},
        "db": "demo",
        "debug": "",
        "login": "admin",
        "uid": 2,
        "session_token": None,
    }
    assert session.is_dirty


def test_setting_an_equal_value_does_not_dirty_the_session():
    session = Session({"uid": 2, "context": {"lang": "en_US"}}, "sid")
    session.uid = 2
    session.context = {"lang": "en_US"}
    assert not session.is_dirty


def test_values_must_be_json():
    session = Session({}, "sid")
    session["pair"] = (1, 2)
    assert session["pair"] == [1, 2]  # stored as its JSON round trip
    with pytest.raises(TypeError):
        session["when"] = datetime.date(2024, 1, 1)


def test_logout_resets_the_user_and_asks_for_a_new_sid():
    session = Session(dict(default_session_data(), uid=2, login="admin", db="demo"), "sid")
    session.logout(keep_db=True)
    assert (session.uid, session.login, session.db) == (None, None, "demo")
    assert session.should_rotate and session.is_dirty


# -- the store ----------------------------------------------------------------------------------


def test_table_is_created_idempotently(pg_dsn, clock):
    first = SessionStore(connection_pool(pg_dsn), now=clock)
    first.ensure_table()
    SessionStore(connection_pool(pg_dsn), now=clock).ensure_table()  # no error the second time
    with psycopg.connect(pg_dsn) as conn:
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'http_session' ORDER BY ordinal_position"
        ).fetchall()
    assert columns == [
        ("sid", "character varying"),
        ("data", "jsonb"),
        ("create_date", "timestamp without time zone"),
        ("last_seen", "timestamp without time zone"),
    ]


def test_new_session_is_not_stored_until_saved(store, pg_dsn):
    session = store.new()
    assert session.is_new and SessionStore.is_valid_sid(session.sid)
    assert len(session.sid) == 43  # secrets.token_urlsafe(32)
    assert store.new().sid != session.sid
    assert store.get(session.sid) is None
    assert rows(pg_dsn) == []


def test_save_then_get(store, pg_dsn, clock):
    session = store.new()
    session.update(uid=2, login="admin", db="demo", context={"lang": "en_US", "tz": "UTC"})
    store.save(session)
    assert not session.is_dirty and not session.is_new

    loaded = store.get(session.sid)
    assert loaded is not session
    assert loaded.sid == session.sid
    assert (loaded.uid, loaded.login, loaded.db) == (2, "admin", "demo")
    assert loaded.context == {"lang": "en_US", "tz": "UTC"}
    assert not loaded.is_dirty and not loaded.is_new
    [(sid, data, create_date, last_seen)] = rows(pg_dsn)
    assert sid == session.sid and data["login"] == "admin"
    assert create_date == last_seen == clock.value


def test_saving_again_replaces_the_data_and_keeps_create_date(store, pg_dsn, clock):
    session = store.new()
    store.save(session)
    clock.advance(minutes=5)
    session.login = "demo"
    store.save(session)
    [(_, data, create_date, last_seen)] = rows(pg_dsn)
    assert data["login"] == "demo"
    assert last_seen - create_date == datetime.timedelta(minutes=5)


def test_new_keeps_a_well_formed_sid_only(store):
    sid = SessionStore.generate_sid()
    assert store.new(sid).sid == sid
    assert store.new("../../etc/passwd").sid != "../../etc/passwd"
    assert store.new(None).sid != sid


def test_holds_nothing(store):
    session = store.new()
    assert session.holds_nothing()
    session.db = "shop"  # the database last used is not worth a row
    assert session.holds_nothing()
    session.login = "admin"
    assert not session.holds_nothing()
    other = store.new()
    other["cart"] = [1]  # a key of its own
    assert not other.holds_nothing()
    other.pop("cart")
    other.debug = "1"
    assert not other.holds_nothing()


def test_get_refuses_malformed_and_unknown_sids(store):
    assert store.get(None) is None
    assert store.get("") is None
    assert store.get("../../etc/passwd") is None
    assert store.get("x" * 43) is None


def test_rotate_gives_a_new_sid_and_forgets_the_old_one(store, pg_dsn):
    session = store.new()
    session.login = "visitor"
    store.save(session)
    old_sid = session.sid
    session.uid = 2
    store.rotate(session, token_factory=lambda sid: f"token-for-{sid}")
    assert session.sid != old_sid
    assert store.get(old_sid) is None  # the pre-login id is useless to whoever knows it
    loaded = store.get(session.sid)
    assert loaded.uid == 2 and loaded.login == "visitor"
    assert loaded.session_token == f"token-for-{session.sid}"
    assert [row[0] for row in rows(pg_dsn)] == [session.sid]


def test_delete(store):
    session = store.new()
    store.save(session)
    store.delete(session.sid)
    assert store.get(session.sid) is None
    store.delete(session.sid)  # deleting twice is fine


def test_idle_session_expires(store, clock, pg_dsn):
    session = store.new()
    store.save(session)
    clock.advance(minutes=59)
    assert store.get(session.sid) is not None
    clock.advance(minutes=2)  # 61 minutes without being seen; idle_timeout is one hour
    assert store.get(session.sid) is None
    assert rows(pg_dsn) == []  # and it was removed


def test_touch_keeps_a_session_alive_without_writing_every_request(store, clock):
    session = store.new()
    store.save(session)
    clock.advance(seconds=30)
    assert store.touch(session) is False  # seen less than touch_interval ago: nothing written
    clock.advance(minutes=40)
    assert store.touch(session) is True
    clock.advance(minutes=40)  # 80 minutes after creation, 40 after the touch
    assert store.get(session.sid) is not None


def test_save_if_needed_follows_the_session_flags(store, pg_dsn):
    anonymous = store.new()
    assert store.save_if_needed(anonymous) is False  # an untouched visit stores nothing
    assert rows(pg_dsn) == []

    anonymous.touch()  # e.g. a CSRF token was handed out: send the cookie, store nothing
    assert store.save_if_needed(anonymous) is True
    assert store.get(anonymous.sid) is None and rows(pg_dsn) == []
    again = store.new(anonymous.sid)  # the cookie comes back: the same sid, the same tokens
    assert again.sid == anonymous.sid and again.is_new

    first_sid = anonymous.sid
    anonymous.update(uid=2, login="admin")
    anonymous.should_rotate = True  # login
    assert store.save_if_needed(anonymous) is True
    assert anonymous.sid != first_sid and store.get(first_sid) is None
    logged_in_sid = anonymous.sid
    assert store.get(logged_in_sid).uid == 2

    anonymous.logout()  # the row goes, the new sid is not stored: it holds nothing
    assert store.save_if_needed(anonymous) is True
    assert anonymous.sid != logged_in_sid and store.get(logged_in_sid) is None
    assert rows(pg_dsn) == []

    stateless = store.new()
    stateless.can_save = False
    stateless.uid = 3
    assert store.save_if_needed(stateless) is False
    assert store.get(stateless.sid) is None


def test_vacuum_removes_only_idle_sessions(store, clock):
    old = store.new()
    store.save(old)
    clock.advance(minutes=50)
    recent = store.new()
    store.save(recent)
    clock.advance(minutes=20)  # old: 70 minutes idle, recent: 20
    assert store.vacuum() == 1
    assert store.get(recent.sid) is not None
    clock.advance(hours=2)
    assert store.vacuum() == 1


def test_store_transactions_are_independent_of_the_request(store, pg_dsn):
    """A session saved while the request's own transaction is open survives its rollback."""
    with psycopg.connect(pg_dsn) as request_conn:
        request_conn.execute("SELECT 1")  # the request's transaction is open
        session = store.new()
        session.login = "admin"
        store.save(session)
        request_conn.rollback()
    assert store.get(session.sid).login == "admin"


def test_reading_a_session_is_one_statement_outside_any_transaction(pg_dsn, clock, tmp_path):
    """A request's session read costs one round trip: no BEGIN and no COMMIT around its one
    SELECT (libpq's trace of the pooled connection shows what went to the server), and the
    connection goes back to the pool out of autocommit, for the transactions of others."""
    from psycopg.pq import Trace

    from erplite.pool import Pool

    def configure(conn):
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.autocommit = False

    pool = Pool(pg_dsn, max_size=1, configure=configure, name="one-session-read")
    try:
        store = SessionStore(pool, idle_timeout=3600, now=clock)
        session = store.new()
        session.uid, session.login = 7, "traced"
        store.save(session)
        trace_path = tmp_path / "libpq.trace"
        with open(trace_path, "w") as trace:
            with pool.connection() as conn:  # the pool's only connection: the one get uses
                conn.pgconn.trace(trace.fileno())
                conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
            assert store.get(session.sid)["login"] == "traced"
            with pool.connection() as conn:
                conn.pgconn.untrace()
                assert not conn.autocommit
                conn.execute("SELECT 1")  # a transaction again
                assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        sent = [line for line in trace_path.read_text().splitlines() if line.startswith("F")]
        text = "\n".join(sent)
        assert "SELECT data, last_seen" in text
        assert "BEGIN" not in text and "COMMIT" not in text, text
    finally:
        pool.close()
