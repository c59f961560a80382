"""Failed-login throttling, per login and per client address, shared through PostgreSQL.

Worked example (the login path of a worker)::

    from erplite.security.throttle import LoginThrottle, ensure_table
    from erplite.sql import Cursor

    throttle = LoginThrottle()                  # 5 free failures, then 1 s, 2 s, 4 s ... 300 s
    with Cursor(pool, dbname) as cr:
        ensure_table(cr)                        # once, when the database is initialised
    with Cursor(pool, dbname) as cr:
        throttle.check(cr, login, address)      # AccessDenied while blocked; verify nothing then
    if password_is_right:
        with Cursor(pool, dbname) as cr:
            throttle.record_success(cr, login, address)
    else:
        with Cursor(pool, dbname) as cr:       # its own transaction, committed at once:
            throttle.record_failure(cr, login, address)
        raise AccessDenied()

Each failure increments two counters in table ``auth_login_failure``: ``login:<login,
lowercased>`` and ``ip:<address>`` (an IPv6 client counts for its whole /64, which one host
usually owns entirely). Once a counter reaches ``threshold`` consecutive failures, the key is
blocked for ``min(max_delay, base_delay * 2 ** (failures - threshold))`` seconds after its last
failure, so each further failure doubles the wait. A success clears both keys, as Odoo clears
its per-address failure count. A counter whose last failure is older than ``reset_after``
seconds no longer counts and starts again from 1.

Why PostgreSQL: every worker process, on every host, sees the same counters, so an attacker
gains nothing by spreading attempts over workers. Why a separate transaction for
:meth:`LoginThrottle.record_failure`: the failed authentication raises, which rolls its own
transaction back, and the failure must survive that. When that transaction is fresh, the
recording runs at READ COMMITTED, so concurrent failures on the same key queue on the row lock
instead of failing with a serialization error (the rest of erplite runs at REPEATABLE READ).

The refusal never says whether the login exists: callers record failures for unknown logins
exactly as for wrong passwords. All SQL is composed with :mod:`psycopg.sql`, values are
parameters; times are naive UTC datetimes, and ``now`` can be injected for tests.

Every credential check goes through this throttle: ``res.users.authenticate`` (the login form,
``/web/session/authenticate``, ``common.login``/``authenticate``), the passwords and API keys
of ``object.execute_kw`` (XML-RPC and JSON-RPC) and the bearer API keys of JSON-2 and REST.
Those that remember verified credentials (``erplite.http.service``, ``erplite.http.auth``)
read the counters with their credentials (:func:`counters_query`, in the same statement) and
ask
:meth:`LoginThrottle.wait_of`, so a blocked login is refused even with a remembered password.

Time: every decision without an explicit ``now`` reads the module's :data:`clock` (naive UTC
now); a test moves that clock forward instead of sleeping through a block.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg import sql

from erplite.exceptions import AccessDenied
from erplite.sql import SQL, Cursor

__all__ = [
    "LOGIN_PREFIX",
    "MESSAGE",
    "TABLE_NAME",
    "LoginThrottle",
    "address_key",
    "blocked_error",
    "clock",
    "counters_query",
    "ensure_table",
    "login_key",
    "utcnow",
]

TABLE_NAME = "auth_login_failure"
_TABLE = sql.Identifier(TABLE_NAME)
_MAX_FAILURES = 2**31 - 2  # keeps the integer column from overflowing
_MAX_EXPONENT = 64  # 2**64 seconds is already "max_delay" for any sane setting

MESSAGE = "Too many login failures, please wait a moment."
#: the prefix of a login's counter key (``login:<login, lowercased>``)
LOGIN_PREFIX = "login:"


def utcnow() -> datetime:
    """The current time as a naive UTC datetime."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


#: the time source of every throttle decision made without an explicit ``now``
clock: Callable[[], datetime] = utcnow


def blocked_error(wait: float) -> AccessDenied:
    """The refusal of a blocked login or address: ``AccessDenied`` carrying ``retry_after``."""
    exc = AccessDenied(MESSAGE)
    exc.retry_after = wait
    return exc


def ensure_table(cr: Cursor) -> None:
    """Create the table of failure counters unless it exists (idempotent)."""
    cr.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " key varchar PRIMARY KEY,"
            " failures integer NOT NULL,"
            " last_failure timestamp NOT NULL)"
        ).format(_TABLE)
    )


def counters_query(login: SQL, address: str | None) -> SQL:
    """A query of one row ``(failures, last_failures)``: the arrays of the counters of the
    login given by the SQL expression ``login`` (e.g. a column, lowercased by PostgreSQL as
    :func:`login_key` lowercases in Python; compare ``LOGIN_PREFIX + lower(login)`` with
    :func:`login_key` before trusting it) and of ``address``; NULLs when none. To be joined
    ``LATERAL`` to the query that reads the credentials, so that checking the throttle costs
    no round trip."""
    return SQL(
        "SELECT array_agg(f.failures) AS failures, array_agg(f.last_failure) AS last_failures"
        " FROM %s f WHERE f.key IN (%s::text || lower(%s), %s::text)",
        SQL.identifier(TABLE_NAME),
        LOGIN_PREFIX,
        login,
        address_key(address),
    )


def login_key(login: str | None) -> str | None:
    """The counter key of ``login`` (None when there is no login)."""
    if not login:
        return None
    return LOGIN_PREFIX + login.lower()


def address_key(address: str | None) -> str | None:
    """The counter key of a client address (None when unknown).

    IPv4 addresses count one by one; an IPv6 address counts for its /64 network; an
    IPv4-mapped IPv6 address counts as the IPv4 address. Anything unparsable is kept as given.
    """
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "ip:" + address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "ip:" + str(ip.ipv4_mapped)
        return "ip:" + str(ipaddress.IPv6Network((ip, 64), strict=False))
    return "ip:" + str(ip)


class LoginThrottle:
    """Exponential backoff after ``threshold`` consecutive failed logins.

    :param threshold: failures allowed before a key is blocked (at least 1).
    :param base_delay: seconds blocked after the ``threshold``-th failure; doubled per failure.
    :param max_delay: the longest block, in seconds.
    :param reset_after: seconds after which a key's last failure is forgotten.
    """

    def __init__(
        self,
        threshold: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        reset_after: float = 3600.0,
    ):
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        if base_delay < 0 or max_delay < 0 or reset_after <= 0:
            raise ValueError("delays must be positive")
        self.threshold = threshold
        self.base_delay = float(base_delay)
        self.max_delay = float(max_delay)
        self.reset_after = float(reset_after)

    def __repr__(self) -> str:
        return (
            f"LoginThrottle(threshold={self.threshold}, base_delay={self.base_delay}, "
            f"max_delay={self.max_delay}, reset_after={self.reset_after})"
        )

    # -- pure policy ---------------------------------------------------------------------------
    def delay_for(self, failures: int) -> float:
        """Seconds a key with ``failures`` consecutive failures stays blocked (0 if free)."""
        if failures < self.threshold:
            return 0.0
        exponent = min(failures - self.threshold, _MAX_EXPONENT)
        return min(self.max_delay, self.base_delay * 2.0**exponent)

    def remaining(self, failures: int, last_failure: datetime, now: datetime) -> float:
        """Seconds a key is still blocked at ``now``, given its counter (0 if free)."""
        elapsed = max(0.0, (now - last_failure).total_seconds())
        if elapsed >= self.reset_after:
            return 0.0
        block = min(self.delay_for(failures), self.reset_after)
        return max(0.0, block - elapsed)

    # -- database ------------------------------------------------------------------------------
    def retry_after(
        self, cr: Cursor, login: str | None, address: str | None, now: datetime | None = None
    ) -> float:
        """Seconds before ``login`` may try again from ``address`` (0.0 when it may now)."""
        return self._status(cr, login, address, now)[0]

    def _status(
        self, cr: Cursor, login: str | None, address: str | None, now: datetime | None
    ) -> tuple[float, int]:
        """``(retry_after, number of counters recorded)`` for the login and the address."""
        keys = _keys(login, address)
        if not keys:
            return 0.0, 0
        cr.execute(
            sql.SQL("SELECT failures, last_failure FROM {} WHERE key = ANY(%s)").format(_TABLE),
            [keys],
        )
        rows = cr.fetchall()
        return self.wait_of(rows, now), len(rows)

    def wait_of(
        self, counters: Iterable[tuple[int, datetime]], now: datetime | None = None
    ) -> float:
        """Seconds a login or address with these ``(failures, last_failure)`` counters stays
        blocked (0.0 when free): what :meth:`check` decides, for counters read elsewhere."""
        now = _now(now)
        return max(
            (self.remaining(failures, last, now) for failures, last in counters), default=0.0
        )

    def check(
        self, cr: Cursor, login: str | None, address: str | None, now: datetime | None = None
    ) -> int:
        """Raise :class:`AccessDenied` if the login or the address is blocked.

        The exception carries ``retry_after`` (seconds), e.g. for an HTTP ``Retry-After``.
        Otherwise return how many counters the login and the address have (0 when neither
        has a recorded failure: a successful login then has nothing to clear).
        """
        wait, counters = self._status(cr, login, address, now)
        if wait > 0:
            raise blocked_error(wait)
        return counters

    def record_failure(
        self, cr: Cursor, login: str | None, address: str | None, now: datetime | None = None
    ) -> None:
        """Count one more failure for the login and the address (use a transaction of its own).

        A counter whose last failure is older than ``reset_after`` starts again from 1.
        """
        keys = _keys(login, address)
        if not keys:
            return
        now = _now(now)
        _read_committed_if_fresh(cr)
        values = sql.SQL(", ").join([sql.SQL("(%s, 1, %s)")] * len(keys))
        params: list[str | datetime | int] = []
        for key in keys:
            params += [key, now]
        params += [now - timedelta(seconds=self.reset_after), _MAX_FAILURES]
        cr.execute(
            sql.SQL(
                "INSERT INTO {table} AS f (key, failures, last_failure) VALUES {values}"
                " ON CONFLICT (key) DO UPDATE SET"
                " failures = CASE WHEN f.last_failure < %s THEN 1"
                " ELSE LEAST(f.failures, %s) + 1 END,"
                " last_failure = EXCLUDED.last_failure"
            ).format(table=_TABLE, values=values),
            params,
        )

    def record_success(self, cr: Cursor, login: str | None, address: str | None) -> None:
        """Clear the counters of the login and of the address after a successful login."""
        keys = _keys(login, address)
        if not keys:
            return
        _read_committed_if_fresh(cr)
        cr.execute(sql.SQL("DELETE FROM {} WHERE key = ANY(%s)").format(_TABLE), [keys])

    def purge(self, cr: Cursor, now: datetime | None = None) -> int:
        """Delete the counters whose last failure is forgotten already; return how many."""
        cutoff = _now(now) - timedelta(seconds=self.reset_after)
        cr.execute(sql.SQL("DELETE FROM {} WHERE last_failure < %s").format(_TABLE), [cutoff])
        return cr.rowcount


def _keys(login: str | None, address: str | None) -> list[str]:
    # sorted: concurrent upserts then lock rows in one global order and cannot deadlock
    return sorted(key for key in (login_key(login), address_key(address)) if key)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return clock()
    if now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)
    return now


def _read_committed_if_fresh(cr: Cursor) -> None:
    """Run a transaction that has not started yet at READ COMMITTED.

    At REPEATABLE READ, updating a counter that another worker updated since our snapshot
    fails with a serialization error; at READ COMMITTED it waits for the row lock instead.
    A transaction already under way keeps its level (its caller retries as for any conflict).
    """
    conn = getattr(cr, "connection", None)
    if conn is None:
        return
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        cr.execute(sql.SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
