"""Waiting for ``NOTIFY erplite_cron`` on several databases at once, or for a deadline.

Worked example::

    wakeup = Wakeup()
    wakeup.listen({"shop": "dbname=shop"})     # one autocommit connection per database
    woken = wakeup.wait(30.0)                  # {"shop"} on a NOTIFY, set() after 30 s
    wakeup.interrupt()                         # from another thread: wait() returns now
    wakeup.close()

A NOTIFY is sent by ``ir.cron`` when a transaction that triggered or changed a job commits
(:data:`~erplite.addons.base.models.ir_cron.CRON_CHANNEL`). A connection that breaks (the
server restarted) is dropped and made again at the next :meth:`Wakeup.listen`; until then the
runner relies on its deadline.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading

import psycopg
from psycopg import sql

_logger = logging.getLogger(__name__)

#: The channel ``ir.cron`` notifies (kept equal to ``ir_cron.CRON_CHANNEL``).
CHANNEL = "erplite_cron"

#: Seconds to wait for PostgreSQL when opening a listening connection.
CONNECT_TIMEOUT = 5


class Wakeup:
    """LISTEN connections to databases plus a self-pipe; :meth:`wait` sleeps on all of them."""

    def __init__(self) -> None:
        self._connections: dict[str, psycopg.Connection] = {}
        self._lock = threading.Lock()
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def listen(self, dsns: dict[str, str]) -> None:
        """Listen on each database of ``dsns`` (name -> DSN) not listened to yet; stop
        listening on the others."""
        with self._lock:
            for name in list(self._connections):
                if name not in dsns:
                    self._close(name)
            for name, dsn in dsns.items():
                if name in self._connections:
                    continue
                try:
                    conn = psycopg.connect(dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                except psycopg.Error as exc:
                    _logger.warning("cannot listen for jobs of %r: %s", name, exc)
                    continue
                self._connections[name] = conn

    def listening(self) -> list[str]:
        """The databases listened to."""
        with self._lock:
            return sorted(self._connections)

    def interrupt(self) -> None:
        """Make the current or next :meth:`wait` return at once (thread-safe)."""
        with contextlib.suppress(BlockingIOError, OSError):
            self._writer.send(b"x")

    def wait(self, timeout: float | None) -> set[str]:
        """Sleep until a NOTIFY arrives, :meth:`interrupt` is called or ``timeout`` seconds
        pass; return the names of the databases notified (empty on timeout or interrupt)."""
        selector = selectors.DefaultSelector()
        try:
            selector.register(self._reader, selectors.EVENT_READ, None)
            with self._lock:
                for name, conn in list(self._connections.items()):
                    try:
                        selector.register(conn.fileno(), selectors.EVENT_READ, name)
                    except (psycopg.Error, OSError, ValueError):
                        self._close(name)  # broken: made again by the next listen()
            ready = selector.select(timeout if timeout is None else max(0.0, timeout))
        finally:
            selector.close()
        woken: set[str] = set()
        for key, _events in ready:
            if key.data is None:
                with contextlib.suppress(BlockingIOError, OSError):
                    while self._reader.recv(4096):
                        pass
                continue
            if self._drain(key.data):
                woken.add(key.data)
        return woken

    def _drain(self, name: str) -> bool:
        """Consume the notifications waiting on ``name``'s connection; whether there was one."""
        with self._lock:
            conn = self._connections.get(name)
            if conn is None:
                return False
            try:
                received = list(conn.notifies(timeout=0))
            except psycopg.Error as exc:
                _logger.warning("lost the listening connection of %r: %s", name, exc)
                self._close(name)
                return True  # look at the database now, rather than miss a wake-up
        return bool(received)

    def _close(self, name: str) -> None:
        conn = self._connections.pop(name, None)
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def close(self) -> None:
        """Close every connection and the self-pipe."""
        with self._lock:
            for name in list(self._connections):
                self._close(name)
        self._reader.close()
        self._writer.close()
