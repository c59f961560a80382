"""A pool of psycopg 3 connections that fails fast while PostgreSQL is down and recovers at once.

Worked example::

    from erplite.pool import Pool

    pool = Pool("dbname=shop", max_size=16)
    conn = pool.getconn()          # an idle connection, or a new one made in this thread
    try:
        conn.execute("SELECT 1")
        conn.commit()
    finally:
        pool.putconn(conn)         # kept for the next caller unless it is broken
    with pool.connection() as conn:    # commits at the end of the block, rolls back on error
        conn.execute("SELECT 1")
    pool.close()

Why not ``psycopg_pool.ConnectionPool``: it makes new connections in a background thread that,
once PostgreSQL refuses them, tries again after 1, 2, 4, 8, 16... seconds, while every caller
waits up to 30 s in its queue. A stopped server then left each request hanging 30 s (so a few
workers stopped answering, health checks included), and the pool needed 20 s more after the
server came back. Here:

- a connection the pool lacks is made by the caller, at once, with a short ``connect_timeout``:
  while the server is down each caller gets the server's ``OperationalError`` within
  milliseconds ("connection refused"), or after ``connect_timeout`` seconds for a server that
  does not answer at all; the first caller after the server is back gets a connection;
- an idle connection that received something (PostgreSQL says goodbye to its clients when it
  shuts down, a terminated backend closes its socket) is dropped when taken, without a round
  trip: a connection that waits unused has nothing to read, so readable means dead;
- a connection given back broken (its server went away during a transaction) makes the pool
  drop every idle connection: they are connections to the same server and most likely dead
  too, and making new ones costs a few milliseconds;
- waiting happens only when ``max_size`` connections are in use, for ``timeout`` seconds at
  most (``PoolTimeout``, an ``OperationalError``);
- idle connections unused for ``max_idle`` seconds are closed when the pool is next used;
- a transaction that only read may be committed without waiting for the server's answer
  (:meth:`Pool.putconn_committing`): the ``COMMIT`` is sent as the connection is given back and
  its answer, arrived by then, read when the connection is next taken; a request that only
  read then waits for one round trip less;
- pools may share a :class:`Budget`, the most connections a process holds over all of them
  (Odoo's ``db_maxconn``): one serving many databases (tenants) then opens a connection for a
  database by closing the longest idle connection of another pool when the budget is spent,
  and waits (``timeout``) only when every connection of the budget is in use.
"""

from __future__ import annotations

import contextlib
import logging
import select
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from psycopg.pq import ConnStatus, ExecStatus, TransactionStatus

_logger = logging.getLogger(__name__)

#: Seconds libpq waits for a server that does not answer (2 is libpq's smallest useful value).
CONNECT_TIMEOUT = 2

#: Seconds a caller waits for a connection when ``max_size`` of them are in use.
POOL_TIMEOUT = 10.0

#: Seconds an idle connection is kept.
MAX_IDLE = 600.0


class PoolTimeout(psycopg.OperationalError):
    """No connection became free in time (every one of ``max_size`` is in use)."""


class PoolClosed(psycopg.OperationalError):
    """The pool was closed."""


class Budget:
    """The most connections open at once over the pools that share it (see the module
    docstring); thread-safe. ``stats()`` tells how many are open and the most ever open."""

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError("a connection budget needs at least 1 connection")
        self.limit = limit
        self._cond = threading.Condition(threading.Lock())
        self._used = 0
        self.peak = 0
        self._pools: weakref.WeakSet[Pool] = weakref.WeakSet()

    def register(self, pool: Pool) -> None:
        with self._cond:
            self._pools.add(pool)

    def acquire(self, requester: Pool, deadline: float) -> bool:
        """Count one more connection for ``requester``: at once when the budget allows,
        else after closing the longest idle connection of another pool, else when one is
        given back or closed before ``deadline`` (``time.monotonic()``); whether it was."""
        while True:
            with self._cond:
                if self._used < self.limit:
                    self._used += 1
                    self.peak = max(self.peak, self._used)
                    return True
                pools = [pool for pool in self._pools if pool is not requester]
            if self._reclaim(pools):
                continue
            with self._cond:
                if self._used < self.limit:
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                # a connection given back idle elsewhere does not notify: look again soon
                self._cond.wait(min(remaining, 0.05))

    def release(self, count: int = 1) -> None:
        """``count`` connections were closed."""
        if count:
            with self._cond:
                self._used -= count
                self._cond.notify_all()

    def _reclaim(self, pools: list[Pool]) -> bool:
        """Close the longest idle connection of ``pools``; whether there was one."""
        oldest: tuple[float, Pool] | None = None
        for pool in pools:
            since = pool._oldest_idle()
            if since is not None and (oldest is None or since < oldest[0]):
                oldest = (since, pool)
        return oldest is not None and oldest[1]._close_oldest_idle()

    def stats(self) -> dict[str, int]:
        """``{"limit", "used", "peak"}``."""
        with self._cond:
            return {"limit": self.limit, "used": self._used, "peak": self.peak}


class Pool:
    """Connections to one database, at most ``max_size`` at a time (see the module docstring).

    :param conninfo: a libpq connection string or URI.
    :param max_size: the most connections open at once (in use and idle).
    :param configure: called once on each new connection (isolation level, ...); it must leave
        the connection idle.
    :param connect_timeout: libpq's ``connect_timeout`` for new connections, unless
        ``conninfo`` sets one.
    :param timeout: default seconds :meth:`getconn` waits when every connection is in use.
    :param max_idle: seconds after which an unused connection is closed.
    :param budget: a :class:`Budget` shared with other pools: the most connections of all of
        them together.
    :param prepared_statements: whether connections may keep server-side prepared statements
        (psycopg prepares a query run 5 times); ``False`` behind a transaction-mode pooler
        (``erplite.pooler``), where the next transaction may run on another server connection.
    :param name: for the logs.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        max_size: int = 16,
        configure: Callable[[psycopg.Connection], None] | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        timeout: float = POOL_TIMEOUT,
        max_idle: float = MAX_IDLE,
        prepared_statements: bool = True,
        budget: Budget | None = None,
        name: str = "",
    ):
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.conninfo = conninfo
        self.max_size = max_size
        self.timeout = timeout
        self.max_idle = max_idle
        self.name = name
        self.prepared_statements = prepared_statements
        self.budget = budget
        if budget is not None:
            budget.register(self)
        self._configure = configure
        params = psycopg.conninfo.conninfo_to_dict(conninfo)
        self._connect_kwargs: dict[str, Any] = (
            {} if params.get("connect_timeout") else {"connect_timeout": int(connect_timeout)}
        )
        if not prepared_statements:
            self._connect_kwargs["prepare_threshold"] = None
        self._cond = threading.Condition(threading.Lock())
        #: idle connections with the time they were given back, the most recent last
        self._idle: deque[tuple[psycopg.Connection, float]] = deque()
        #: idle connections whose ``COMMIT`` answer is still to be read, with what to call once
        #: it is (see :meth:`putconn_committing`)
        self._committing: weakref.WeakKeyDictionary[
            psycopg.Connection, Callable[[psycopg.Connection], None] | None
        ] = weakref.WeakKeyDictionary()
        #: connections open or being opened (in use, idle, connecting)
        self._size = 0
        self._closed = False

    # -- taking and giving back ---------------------------------------------------------------
    def getconn(self, timeout: float | None = None) -> psycopg.Connection:
        """An idle connection, else a new one (made now, in this thread).

        :raises psycopg.OperationalError: the server cannot be reached (at once when it
            refuses connections, after ``connect_timeout`` when it does not answer).
        :raises PoolTimeout: ``max_size`` connections stayed in use ``timeout`` seconds.
        :raises PoolClosed: the pool is closed.
        """
        return self._take(timeout, settle=True)[0]

    def getconn_unsettled(
        self, timeout: float | None = None
    ) -> tuple[psycopg.Connection, Callable[[psycopg.Connection], None] | None]:
        """:meth:`getconn`, but the ``on_committed`` of the :meth:`putconn_committing` that
        gave the connection back is returned instead of called: ``(conn, on_committed)``
        (``None`` when there is none). The caller calls it before it uses the connection in
        any way its author did not allow for: ``erplite.sql.Cursor`` lets a transaction begun
        by ``begin_with`` use a connection left in autocommit mode by the previous one as it
        is, where :meth:`getconn` would switch it out of autocommit and ``begin_with`` back
        in (about 10 µs each way on a request's path)."""
        return self._take(timeout, settle=False)

    def _take(
        self, timeout: float | None, settle: bool
    ) -> tuple[psycopg.Connection, Callable[[psycopg.Connection], None] | None]:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        stale: list[psycopg.Connection] = []
        conn: psycopg.Connection | None = None
        try:
            with self._cond:
                while True:
                    if self._closed:
                        raise PoolClosed(f"the pool {self.name!r} is closed")
                    self._expire_idle(stale)
                    while self._idle:
                        candidate, _returned = self._idle.pop()
                        committed, pending = self._committed(candidate, settle)
                        if committed and _usable(candidate):
                            conn = candidate
                            break
                        self._size -= 1
                        stale.append(candidate)
                    if conn is not None:
                        return conn, pending
                    if self._size < self.max_size:
                        self._size += 1  # ours: connected below, outside the lock
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise PoolTimeout(
                            f"no connection of the pool {self.name!r} became free in time "
                            f"({self.max_size} in use)"
                        )
                    self._cond.wait(remaining)
        finally:
            self._discard(stale)
        if self.budget is not None and not self.budget.acquire(self, deadline):
            with self._cond:
                self._size -= 1
                self._cond.notify()
            raise PoolTimeout(
                f"no connection of the pool {self.name!r} became free in time "
                f"({self.budget.limit} in use over the process's pools)"
            )
        try:
            return self._connect(), None
        except BaseException:
            with self._cond:
                self._size -= 1
                self._cond.notify()
            if self.budget is not None:
                self.budget.release()
            raise

    def putconn(self, conn: psycopg.Connection) -> None:
        """Give back a connection taken by :meth:`getconn`: kept idle when it is sound (its
        transaction rolled back), closed otherwise."""
        broken = not _reusable(conn)
        stale: list[psycopg.Connection] = []
        with self._cond:
            if broken or self._closed:
                self._size -= 1
                stale.append(conn)
                if broken and self._idle:
                    # the server may have restarted: the idle connections are likely dead too
                    _logger.info(
                        "pool %r: a connection broke, dropping %d idle ones",
                        self.name,
                        len(self._idle),
                    )
                    stale.extend(idle for idle, _returned in self._idle)
                    self._size -= len(self._idle)
                    self._idle.clear()
            else:
                self._idle.append((conn, time.monotonic()))
            self._cond.notify()
        self._discard(stale)

    def putconn_committing(
        self,
        conn: psycopg.Connection,
        on_committed: Callable[[psycopg.Connection], None] | None = None,
    ) -> None:
        """Give back a connection taken by :meth:`getconn`, committing its transaction
        without waiting for the server's answer: ``COMMIT`` is sent now, and its answer read
        when the connection is next taken (by then it has arrived: no wait there either),
        then ``on_committed(conn)`` is called (for settings that cannot change while a
        statement runs), or handed to the taker (:meth:`getconn_unsettled`). For a transaction that only read: its COMMIT cannot fail (if one
        did, through a function that wrote, it would be logged at ERROR and its connection
        closed, after the caller went on as if it had succeeded). A connection that is not in
        a transaction, or cannot send, is given back by :meth:`putconn` (rolled back).
        """
        pgconn = conn.pgconn
        if conn.closed or pgconn.transaction_status != TransactionStatus.INTRANS:
            self.putconn(conn)
            return
        try:
            pgconn.send_query(b"COMMIT")
            _flush(pgconn)
        except (psycopg.Error, OSError):
            _logger.debug("pool %r: COMMIT could not be sent", self.name, exc_info=True)
            conn.close()
            self.putconn(conn)
            return
        with self._cond:
            if not self._closed:
                self._committing[conn] = on_committed
                self._idle.append((conn, time.monotonic()))
                self._cond.notify()
                return
            self._size -= 1
        self._discard([conn])

    def _committed(
        self, conn: psycopg.Connection, settle: bool = True
    ) -> tuple[bool, Callable[[psycopg.Connection], None] | None]:
        """Read the answer of a ``COMMIT`` sent by :meth:`putconn_committing` (when one was
        sent); whether the connection is idle and sound after it, and its ``on_committed``
        still to be called (called here with ``settle``) (lock held)."""
        if conn not in self._committing:
            return True, None
        on_committed = self._committing.pop(conn)
        try:
            failure = _read_results(conn.pgconn)
            if failure is None and on_committed is not None and settle:
                on_committed(conn)
                on_committed = None
        except (psycopg.Error, OSError):
            _logger.info("pool %r: a connection broke while committing", self.name, exc_info=True)
            return False, None
        if failure is not None:
            _logger.error("pool %r: a COMMIT sent without waiting failed: %s", self.name, failure)
            return False, None
        return conn.pgconn.transaction_status == TransactionStatus.IDLE, on_committed

    @contextlib.contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection]:
        """A connection for the block: committed at its end, rolled back if it raises, then
        given back (psycopg_pool's ``connection()``)."""
        conn = self.getconn(timeout)
        try:
            yield conn
            if not conn.closed:
                conn.commit()
        except BaseException:
            if not conn.closed:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
            raise
        finally:
            self.putconn(conn)

    # -- life ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the idle connections now and the others when they are given back; later
        :meth:`getconn` calls raise ``PoolClosed``."""
        with self._cond:
            self._closed = True
            stale = [conn for conn, _returned in self._idle]
            self._size -= len(stale)
            self._idle.clear()
            self._cond.notify_all()
        self._discard(stale)

    @property
    def closed(self) -> bool:
        return self._closed

    def stats(self) -> dict[str, int]:
        """``{"size": open connections, "idle": of which idle}``."""
        with self._cond:
            return {"size": self._size, "idle": len(self._idle)}

    def pending_commits(self) -> int:
        """How many idle connections hold the answer of a ``COMMIT`` not read yet (see
        :meth:`putconn_committing`)."""
        with self._cond:
            idle = {id(conn) for conn, _returned in self._idle}
            return sum(1 for conn in self._committing if id(conn) in idle)

    # -- internals ----------------------------------------------------------------------------
    def _discard(self, conns: list[psycopg.Connection]) -> None:
        """Close connections the pool no longer counts, and give their share of the budget
        back."""
        _close_all(conns)
        if self.budget is not None:
            self.budget.release(len(conns))

    def _oldest_idle(self) -> float | None:
        """When the longest idle connection was given back (``None``: no idle one)."""
        with self._cond:
            return self._idle[0][1] if self._idle else None

    def _close_oldest_idle(self) -> bool:
        """Close the longest idle connection (for the budget); whether there was one."""
        with self._cond:
            if not self._idle:
                return False
            conn = self._idle.popleft()[0]
            self._size -= 1
            self._cond.notify()
        self._discard([conn])
        return True

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.conninfo, **self._connect_kwargs)
        try:
            if self._configure is not None:
                self._configure(conn)
            if conn.pgconn.transaction_status != TransactionStatus.IDLE:
                raise psycopg.ProgrammingError("the configure function left a transaction open")
        except BaseException:
            conn.close()
            raise
        return conn

    def _expire_idle(self, stale: list[psycopg.Connection]) -> None:
        """Move the connections idle for more than ``max_idle`` to ``stale`` (lock held)."""
        limit = time.monotonic() - self.max_idle
        idle = self._idle
        while idle and idle[0][1] < limit:
            stale.append(idle.popleft()[0])
            self._size -= 1

    def __repr__(self) -> str:
        return f"<Pool {self.name!r} size={self._size} idle={len(self._idle)}>"


def _usable(conn: psycopg.Connection) -> bool:
    """Whether an idle connection looks alive, without a round trip: open, and nothing to read
    on its socket (an idle connection is sent something only when its server leaves it)."""
    if conn.closed or conn.pgconn.status != ConnStatus.OK:
        return False
    try:
        return not _readable(conn.pgconn.socket)
    except (OSError, ValueError, psycopg.OperationalError):
        return False


def _flush(pgconn: psycopg.pq.abc.PGconn) -> None:
    """Send what libpq holds for ``pgconn`` (a non-blocking connection may keep part of a
    message until its socket is writable)."""
    while pgconn.flush():
        if not _wait(pgconn.socket, writable=True, timeout=POOL_TIMEOUT):
            raise psycopg.OperationalError("COMMIT could not be sent in time")


def _read_results(pgconn: psycopg.pq.abc.PGconn) -> str | None:
    """Read every result of the command ``pgconn`` was sent (waiting for them if they have
    not arrived); the error message of a failed one, ``None`` when all succeeded."""
    failure = None
    while True:
        pgconn.consume_input()
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                return failure
            if result.status not in (ExecStatus.COMMAND_OK, ExecStatus.TUPLES_OK):
                message = result.error_message
                failure = message.decode(errors="replace") if message else str(result.status)
        if not _wait(pgconn.socket, writable=False, timeout=POOL_TIMEOUT):
            raise psycopg.OperationalError("no answer to COMMIT in time")


def _readable(fd: int) -> bool:
    return _wait(fd, writable=False, timeout=0)


def _wait(fd: int, *, writable: bool, timeout: float) -> bool:
    """Whether ``fd`` became readable (writable) within ``timeout`` seconds."""
    if hasattr(select, "poll"):  # no limit on the descriptor's number, unlike select()
        poller = select.poll()
        poller.register(fd, select.POLLOUT if writable else select.POLLIN)
        return bool(poller.poll(timeout * 1000))
    readable, ready, _x = select.select(
        [] if writable else [fd], [fd] if writable else [], [], timeout
    )
    return bool(ready if writable else readable)


def _reusable(conn: psycopg.Connection) -> bool:
    """Whether a connection given back can serve again: open and idle (a transaction left
    open is rolled back; a connection that cannot be is not reusable)."""
    if conn.closed or conn.pgconn.status != ConnStatus.OK:
        return False
    status = conn.pgconn.transaction_status
    if status == TransactionStatus.IDLE:
        return True
    if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        try:
            conn.rollback()
        except psycopg.Error:
            return False
        return conn.pgconn.transaction_status == TransactionStatus.IDLE
    return False  # ACTIVE (given back mid-statement) or UNKNOWN (connection lost)


def _close_all(conns: list[psycopg.Connection]) -> None:
    for conn in conns:
        with contextlib.suppress(psycopg.Error, OSError):
            conn.close()


__all__ = [
    "CONNECT_TIMEOUT",
    "MAX_IDLE",
    "POOL_TIMEOUT",
    "Budget",
    "Pool",
    "PoolClosed",
    "PoolTimeout",
]
