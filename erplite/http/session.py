"""HTTP sessions stored in PostgreSQL, so that any worker on any host serves any request.

Worked example::

    from erplite.sql import connection_pool

    store = SessionStore(connection_pool(dsn))       # creates table http_session if needed
    session = store.new()                            # not stored until saved
    session.touch()                                  # its sid went into a CSRF token
    store.save_if_needed(session)                    # True (send the cookie), stores nothing
    session.uid, session.login, session.db = 2, "admin", "demo"
    session.should_rotate = True                     # a login: never keep the pre-login sid
    store.save_if_needed(session)                    # rotates, then stores; True: send cookie
    store.get(session.sid)["login"]                  # 'admin'
    store.get("unknown") is None                     # True: absent, malformed or idle too long
    store.delete(session.sid)                        # logout

A session is a JSON object in ``http_session.data`` keyed by ``sid``, a random opaque id
(``secrets.token_urlsafe(32)``). ``last_seen`` moves forward at most every ``touch_interval``
seconds; a session idle for longer than ``idle_timeout`` (7 days by default, Odoo's
``SESSION_LIFETIME``) is gone. The store works in its own short READ COMMITTED transactions on
pooled connections, independent of the request's ORM transaction: a session written at login
survives a rollback of the request's data and two requests of one session never conflict
(the last write wins, as with Odoo's file store). Only reading may ride on another statement:
when the sessions live in the database served, the HTTP layer reads the row with the request's
first statement (:meth:`SessionStore.row_query`, :meth:`SessionStore.from_row`).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, TypeGuard

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.pool import Pool

_logger = logging.getLogger(__name__)

#: Default idle lifetime of a session, in seconds (Odoo's ``SESSION_LIFETIME``: one week).
SESSION_LIFETIME = 7 * 24 * 3600

#: ``last_seen`` is written at most this often (seconds) for an unchanged session.
TOUCH_INTERVAL = 60

TABLE = "http_session"

#: Seconds to wait for a pooled connection before giving up (the server may be down).
CONNECT_TIMEOUT = 10
SECRET_TABLE = "http_session_secret"

# token_urlsafe(32) gives 43 characters; accept a little range for ids made by other versions.
_SID_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def default_session_data() -> dict[str, Any]:
    """The content of a fresh session (Odoo's ``get_default_session``)."""
    return {
        "context": {},
        "db": None,
        "debug": "",
        "login": None,
        "uid": None,
        "session_token": None,
    }


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Session(MutableMapping):
    """What a client's requests share: a JSON-serializable mapping plus bookkeeping flags.

    Values set are stored as their JSON round trip (tuples become lists; anything that is not
    JSON raises ``TypeError`` at once rather than when saving); ``data`` given to the
    constructor must be JSON already.

    ``is_dirty``: changed since loaded or saved. ``is_new``: never stored. ``should_rotate``:
    the next save must give it a new sid (login, logout). ``can_save``: ``False`` for routes
    declared ``save_session=False``. ``last_seen``: when the store last saw it (naive UTC).
    ``sid``: given ``None``, a new random one is made the first time it is read (a stateless
    request never reading it costs no random bytes).
    """

    __slots__ = (
        "_data",
        "_sid",
        "is_dirty",
        "is_new",
        "should_rotate",
        "can_save",
        "last_seen",
        "previous_sid",
        "sid_issued",
    )

    def __init__(
        self,
        data: dict[str, Any],
        sid: str | None,
        *,
        new: bool = False,
        last_seen: datetime.datetime | None = None,
    ):
        # ``data`` is JSON already (a stored session, a default): no round trip needed
        self._data: dict[str, Any] = dict(data)
        self._sid = sid
        self.is_dirty = False
        self.is_new = new
        self.should_rotate = False
        self.can_save = True
        self.last_seen = last_seen
        #: the stored sid this session replaces (see :meth:`rotate_sid`), deleted when saved
        self.previous_sid: str | None = None
        #: the sid was handed out (a CSRF token is bound to it): the client must get it
        self.sid_issued = False

    @property
    def sid(self) -> str:
        """The session id (made now when the session was created without one)."""
        sid = self._sid
        if sid is None:
            sid = self._sid = SessionStore.generate_sid()
        return sid

    @sid.setter
    def sid(self, sid: str) -> None:
        self._sid = sid

    # -- mapping ------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        value = json.loads(json.dumps(value))
        if key not in self._data or self._data[key] != value:
            self.is_dirty = True
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self.is_dirty = True

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()
        self.is_dirty = True

    def to_dict(self) -> dict[str, Any]:
        """A copy of the data, as stored."""
        return json.loads(json.dumps(self._data))

    # -- Odoo's session attributes ------------------------------------------------------------
    uid = property(lambda self: self.get("uid"), lambda self, v: self.__setitem__("uid", v))
    login = property(lambda self: self.get("login"), lambda self, v: self.__setitem__("login", v))
    db = property(lambda self: self.get("db"), lambda self, v: self.__setitem__("db", v))
    debug = property(lambda self: self.get("debug"), lambda self, v: self.__setitem__("debug", v))
    context = property(
        lambda self: self.get("context"), lambda self, v: self.__setitem__("context", v)
    )
    session_token = property(
        lambda self: self.get("session_token"),
        lambda self, v: self.__setitem__("session_token", v),
    )

    def rotate_sid(self, new_sid: str) -> None:
        """Take ``new_sid`` now; the stored row of the old sid is deleted when the session is
        saved. Done at login inside the request's transaction, so that the session token,
        which depends on the sid, is computed for the new one."""
        if self.previous_sid is None and not self.is_new:
            self.previous_sid = self.sid
        self.sid = new_sid
        self.should_rotate = False
        self.is_dirty = True

    def touch(self) -> None:
        """Note that the sid was handed out: a CSRF token is bound to it, so the client must
        get the cookie. A session holding nothing is not stored for that (an anonymous visit
        of the login page writes no row): a cookie naming an unknown sid gives back a new
        session with that sid (:meth:`SessionStore.new`), so the token stays valid."""
        self.sid_issued = True

    def holds_nothing(self) -> bool:
        """Whether the session has nothing worth storing: no user, no half-done login, no
        key of its own, only the defaults (and the database last used)."""
        defaults = default_session_data()
        for key, value in self._data.items():
            if key not in defaults:
                return False
            if key != "db" and value != defaults[key] and (value or defaults[key]):
                return False
        return True

    def logout(self, keep_db: bool = False) -> None:
        """Forget the user; the next save gives the session a new sid (Odoo's ``logout``)."""
        db = self.db if keep_db else None
        debug = self.debug
        self.clear()
        self.update(default_session_data())
        self.update(db=db, debug=debug or "")
        self.should_rotate = True

    def __repr__(self) -> str:
        return f"<Session {self.sid[:6]}… uid={self.uid!r} db={self.db!r}>"


class SessionStore:
    """Sessions in table ``http_session`` of the database behind ``pool``.

    :param pool: an :class:`erplite.pool.Pool` (``erplite.sql.connection_pool(dsn)``).
    :param idle_timeout: seconds after which an unused session is gone.
    :param touch_interval: minimum seconds between two writes of ``last_seen``.
    :param now: the clock, returning naive UTC datetimes (tests inject their own).
    """

    def __init__(
        self,
        pool: Pool,
        *,
        idle_timeout: float = SESSION_LIFETIME,
        touch_interval: float = TOUCH_INTERVAL,
        now: Callable[[], datetime.datetime] = _utcnow,
    ):
        self.pool = pool
        self.idle_timeout = idle_timeout
        self.touch_interval = touch_interval
        self.now = now
        self._table = sql.Identifier(TABLE)
        self._table_ready = False
        self._secret: str | None = None

    # -- plumbing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self, write: bool = True) -> Iterator[psycopg.Connection]:
        """A short transaction of its own: committed at the end, rolled back on error."""
        if not self._table_ready:
            self.ensure_table()
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            if write:
                # Pooled connections default to REPEATABLE READ (erplite.sql); sessions want
                # the last write to win rather than a serialization failure between two tabs.
                conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            yield conn

    def ensure_table(self) -> None:
        """Create ``http_session`` and its index unless they exist (safe to call concurrently)."""
        statements = [
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " sid varchar(64) PRIMARY KEY,"
                " data jsonb NOT NULL,"
                " create_date timestamp,"
                " last_seen timestamp)"
            ).format(self._table),
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (last_seen)").format(
                sql.Identifier(f"{TABLE}_last_seen_index"), self._table
            ),
        ]
        try:
            with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
                for statement in statements:
                    conn.execute(statement)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
            # Another worker created it between our IF NOT EXISTS check and our CREATE.
            _logger.debug("table %s created concurrently", TABLE)
        self._table_ready = True

    def secret(self) -> str:
        """The secret signing this store's CSRF tokens: random, made by the first worker that
        needs it and kept in table ``http_session_secret``, so that every worker on every
        host shares it (a token made by one is valid on another)."""
        if self._secret is None:
            table = sql.Identifier(SECRET_TABLE)
            create = sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY, secret varchar NOT NULL)"
            ).format(table)
            try:
                with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
                    conn.execute(create)
            except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
                _logger.debug("table %s created concurrently", SECRET_TABLE)
            with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (id, secret) VALUES (1, %s) ON CONFLICT (id) DO NOTHING"
                    ).format(table),
                    [secrets.token_hex(32)],
                )
                row = conn.execute(
                    sql.SQL("SELECT secret FROM {} WHERE id = 1").format(table)
                ).fetchone()
            if row is None:  # the row was inserted just before, in the same transaction
                raise RuntimeError(f"no secret in {SECRET_TABLE}")
            self._secret = row[0]
        return self._secret

    @staticmethod
    def generate_sid() -> str:
        """A new random, opaque session id (43 URL-safe characters, 256 bits)."""
        return secrets.token_urlsafe(32)

    @staticmethod
    def is_valid_sid(sid: object) -> TypeGuard[str]:
        """Whether ``sid`` has the shape of a session id (cookies are client input)."""
        return isinstance(sid, str) and _SID_RE.match(sid) is not None

    def _idle_threshold(self) -> datetime.datetime:
        return self.now() - datetime.timedelta(seconds=self.idle_timeout)

    # -- API ----------------------------------------------------------------------------------
    def new(self, sid: str | None = None) -> Session:
        """A fresh session, stored only once saved: with ``sid`` (the cookie of a session never
        stored, or gone), else a new sid made when first read.

        Keeping the client's unknown sid, as Odoo does, lets a CSRF token handed out with an
        unstored session be checked when the form comes back; a login always rotates the sid,
        so a sid chosen by someone else never names a logged-in session.
        """
        return Session(default_session_data(), sid if self.is_valid_sid(sid) else None, new=True)

    def get(self, sid: str | None) -> Session | None:
        """The stored session ``sid``, or ``None`` when absent, malformed or idle too long."""
        if not self.is_valid_sid(sid):
            return None
        with self._transaction(write=False) as conn:
            # one statement needs no transaction: in autocommit, no BEGIN and no COMMIT (two
            # round trips of every request saved)
            conn.autocommit = True
            try:
                row = conn.execute(
                    sql.SQL("SELECT data, last_seen FROM {} WHERE sid = %s").format(self._table),
                    [sid],
                ).fetchone()
            finally:
                with contextlib.suppress(psycopg.Error):  # broken: the pool drops it
                    conn.autocommit = False
        return self.from_row(sid, row)

    @property
    def table_ready(self) -> bool:
        """Whether this process made sure ``http_session`` exists (:meth:`row_query` may be
        sent within another statement)."""
        return self._table_ready

    @staticmethod
    def row_query(sid: str) -> SQL:
        """The query of :meth:`get`, ``(data, last_seen)`` of ``sid`` (no row: no such
        session), to send with another statement: the HTTP layer reads the session with
        the request's first statement when the sessions live in the request's database
        (``auth.read_session``). Give its answer to :meth:`from_row`."""
        return SQL("SELECT data, last_seen FROM %s WHERE sid = %s", SQL.identifier(TABLE), sid)

    def from_row(self, sid: str, row: Any) -> Session | None:
        """The session ``sid`` of ``row``, the answer of :meth:`row_query` (``None``: no
        row); ``None`` when there is none or it was idle too long (then it is deleted)."""
        if row is None:
            return None
        data, last_seen = row
        if last_seen is None or last_seen < self._idle_threshold():
            self.delete(sid)
            return None
        return Session(data, sid, last_seen=last_seen)

    def save(self, session: Session) -> None:
        """Store ``session`` under its sid (insert or replace) and mark it seen now."""
        now = self.now()
        with self._transaction() as conn:
            if session.previous_sid is not None:
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE sid = %s").format(self._table),
                    [session.previous_sid],
                )
            self._upsert(conn, session, now)
        self._saved(session, now)

    def touch(self, session: Session) -> bool:
        """Move ``last_seen`` of an unchanged stored session forward, at most every
        ``touch_interval`` seconds; ``True`` when written."""
        if session.is_new:
            return False
        now = self.now()
        if session.last_seen is not None and (
            (now - session.last_seen).total_seconds() < self.touch_interval
        ):
            return False
        with self._transaction() as conn:
            conn.execute(
                sql.SQL("UPDATE {} SET last_seen = %s WHERE sid = %s").format(self._table),
                [now, session.sid],
            )
        session.last_seen = now
        return True

    def rotate(self, session: Session, token_factory: Callable[[str], str] | None = None) -> None:
        """Give ``session`` a new sid and store it; the old sid stops existing at once.

        Done at login (against session fixation) and logout. ``token_factory(new_sid)``, when
        given and the session has a user, recomputes ``session_token`` (Odoo's token depends
        on the sid).
        """
        session.rotate_sid(self.generate_sid())
        if token_factory is not None and session.uid:
            session.session_token = token_factory(session.sid)
        self.save(session)

    def save_if_needed(
        self, session: Session, token_factory: Callable[[str], str] | None = None
    ) -> bool:
        """The end-of-request step: rotate, save or touch ``session`` as its flags ask.

        Returns ``True`` when the client must be sent the cookie: the session was (re)written
        or rotated, its ``last_seen`` moved, or its new sid was handed out. Nothing is written
        for ``can_save=False``, and a session that :meth:`~Session.holds_nothing` is never
        stored (an anonymous visit, even of the login page, stores nothing; a logout deletes
        the row and gives a new, unstored sid).
        """
        if not session.can_save:
            return False
        if session.should_rotate:
            if session.holds_nothing():
                session.rotate_sid(self.generate_sid())
                self.discard(session)
            else:
                self.rotate(session, token_factory)
            return True
        if session.is_dirty:
            if session.holds_nothing():
                self.discard(session)
                return session.sid_issued
            self.save(session)
            return True
        return self.touch(session) or (session.is_new and session.sid_issued)

    def discard(self, session: Session) -> None:
        """Make sure ``session`` has no row: delete the rows of its sid and of the sid it
        replaces; it is new again (stored only if it comes to hold something)."""
        sids = [
            sid for sid in (session.previous_sid, None if session.is_new else session.sid) if sid
        ]
        if sids:
            with self._transaction() as conn:
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE sid = ANY(%s)").format(self._table), [sids]
                )
        session.is_dirty = False
        session.is_new = True
        session.previous_sid = None

    def delete(self, sid: str) -> None:
        """Forget session ``sid`` (logout)."""
        if not self.is_valid_sid(sid):
            return
        with self._transaction() as conn:
            conn.execute(sql.SQL("DELETE FROM {} WHERE sid = %s").format(self._table), [sid])

    def vacuum(self) -> int:
        """Delete the sessions idle for longer than ``idle_timeout``; return how many."""
        with self._transaction() as conn:
            cur = conn.execute(
                sql.SQL("DELETE FROM {} WHERE last_seen IS NULL OR last_seen < %s").format(
                    self._table
                ),
                [self._idle_threshold()],
            )
            return cur.rowcount

    # -- helpers ------------------------------------------------------------------------------
    def _upsert(self, conn: psycopg.Connection, session: Session, now: datetime.datetime) -> None:
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (sid, data, create_date, last_seen) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (sid) DO UPDATE"
                " SET data = EXCLUDED.data, last_seen = EXCLUDED.last_seen"
            ).format(self._table),
            [session.sid, Jsonb(session.to_dict()), now, now],
        )

    @staticmethod
    def _saved(session: Session, now: datetime.datetime) -> None:
        session.is_dirty = False
        session.is_new = False
        session.previous_sid = None
        session.last_seen = now


__all__ = [
    "SESSION_LIFETIME",
    "TOUCH_INTERVAL",
    "Session",
    "SessionStore",
    "default_session_data",
]
