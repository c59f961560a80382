"""How erplite reaches PostgreSQL: directly, or through a pooler in transaction mode (PgBouncer).

Worked example::

    from erplite import pooler

    pooler.configure("transaction", direct_dsn="host=db.internal port=5432 user=erp")
    pooler.transaction_pooling()                      # True
    pooler.session_dsn("host=pgbouncer port=6432 dbname=shop")
    # 'host=db.internal port=5432 user=erp dbname=shop': the same database, reached directly

A pooler in transaction mode (PgBouncer's ``pool_mode = transaction``, the way most production
PostgreSQL is reached) hands each *transaction* a server connection of its own choosing: what a
session keeps from one transaction to the next is lost or, worse, seen by another client. So
with ``db_pooler = transaction``:

- the connections of erplite's pools keep no server-side prepared statements (psycopg's
  ``prepare_threshold=None``: PgBouncer 1.18 does not track them) and ``Cursor.begin_with``
  sends its query after a plain ``BEGIN`` rather than through SQL ``PREPARE``;
- what needs a session goes over the *direct* DSN (``db_direct_dsn``: the same server without
  the pooler; its ``dbname`` is replaced by the database's): ``LISTEN`` of the scheduler, the
  advisory lock serialising module loading, and database administration (create, drop,
  duplicate: a pooler keeps server connections to the template database open);
- without a direct DSN, the scheduler polls instead of listening, administration goes through
  the pooler (autocommit statements work there), and module loading refuses to run, since two
  loaders could no longer exclude each other.

The setting is process-wide: :func:`configure` (the CLI, the test plugin, a host program), else
the ``ERPLITE_DB_POOLER`` and ``ERPLITE_DB_DIRECT_DSN`` variables read on first use (gunicorn's
``erplite.http:application``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg

#: ``db_pooler`` values: none (PostgreSQL reached directly), or a transaction-mode pooler.
MODES = ("", "none", "transaction")


@dataclass(frozen=True)
class PoolerSettings:
    """``mode``: ``""`` (direct) or ``"transaction"``; ``direct_dsn``: where session-level
    work goes in transaction mode (``None``: nowhere)."""

    mode: str = ""
    direct_dsn: str | None = None

    @property
    def transaction_pooling(self) -> bool:
        return self.mode == "transaction"


_settings: PoolerSettings | None = None
_lock = threading.Lock()


def configure(mode: str | None, direct_dsn: str | None = None) -> PoolerSettings:
    """Set the process's pooler setting (before the first connection is made: pools made
    earlier keep theirs). ``mode`` is ``None``/``""``/``"none"`` or ``"transaction"``.

    :raises ValueError: an unknown mode, or a direct DSN that is not a connection string.
    """
    global _settings
    mode = (mode or "").strip().lower()
    if mode not in MODES:
        raise ValueError(f"db_pooler must be 'none' or 'transaction', not {mode!r}")
    if mode == "none":
        mode = ""
    direct_dsn = (direct_dsn or "").strip() or None
    if direct_dsn is not None:
        try:
            psycopg.conninfo.conninfo_to_dict(direct_dsn)
        except psycopg.ProgrammingError as exc:
            raise ValueError(f"db_direct_dsn is not a connection string: {exc}") from None
    with _lock:
        _settings = PoolerSettings(mode, direct_dsn if mode else None)
        return _settings


def configure_from_environ(environ: Mapping[str, str] | None = None) -> PoolerSettings:
    """:func:`configure` from ``ERPLITE_DB_POOLER`` and ``ERPLITE_DB_DIRECT_DSN``."""
    environ = os.environ if environ is None else environ
    return configure(environ.get("ERPLITE_DB_POOLER"), environ.get("ERPLITE_DB_DIRECT_DSN"))


def settings() -> PoolerSettings:
    """The process's setting (from the environment the first time, unless configured)."""
    current = _settings
    if current is None:
        current = configure_from_environ()
    return current


def transaction_pooling() -> bool:
    """Whether PostgreSQL is reached through a transaction-mode pooler."""
    return settings().transaction_pooling


def session_dsn(dsn: str) -> str | None:
    """A DSN of ``dsn``'s database on which a session lasts (``LISTEN``, session advisory
    locks): ``dsn`` itself without a pooler, the direct DSN pointed at that database in
    transaction mode, ``None`` when there is no direct DSN."""
    current = settings()
    if not current.transaction_pooling:
        return dsn
    if current.direct_dsn is None:
        return None
    params = psycopg.conninfo.conninfo_to_dict(current.direct_dsn)
    dbname = psycopg.conninfo.conninfo_to_dict(dsn).get("dbname")
    if dbname:
        params["dbname"] = dbname
    return psycopg.conninfo.make_conninfo("", **{k: v for k, v in params.items() if v is not None})


def admin_dsn(dsn: str) -> str:
    """Where database administration on ``dsn``'s server goes: the direct DSN when there is
    one, else ``dsn``."""
    return session_dsn(dsn) or dsn


__all__ = [
    "MODES",
    "PoolerSettings",
    "admin_dsn",
    "configure",
    "configure_from_environ",
    "session_dsn",
    "settings",
    "transaction_pooling",
]
