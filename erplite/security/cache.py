"""Where the security answers are cached, and how a change reaches every process.

Answers are cached in ``registry.access_cache``, shared by every transaction of the process.
A transaction that changes groups, rights, rules or the users' groups and companies calls
:func:`invalidate_access_cache`: the shared cache is emptied, and from then on that
transaction caches in a dictionary of its own (what it computes may be rolled back, so it
must not leak to others). Once it commits, the shared cache is emptied again and the change is
signalled to the other processes through the sequence ``erplite_access_signal``; a process
calls :func:`check_access_signal` at the start of a request to drop what it cached before.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import psycopg

from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.environment import Environment
    from erplite.orm.registry import Registry
    from erplite.sql import Cursor

_logger = logging.getLogger("erplite.security")

SIGNAL_SEQUENCE = "erplite_access_signal"


def access_cache(env: Environment) -> dict[Any, Any]:
    """The cache to use: the registry's, or the transaction's own once it changed security
    data (what it computes then may be rolled back)."""
    transaction = env.transaction
    cache: dict[Any, Any] = (
        transaction.access_cache if transaction.access_dirty else env.registry.access_cache
    )
    return cache


def shared_cache(env: Environment) -> dict[Any, Any]:
    """The cache of answers derived from security data (groups, rights, rules) and from the
    other data invalidated with it (views, menus, actions: see ``ir.ui.view``): the registry's,
    or the transaction's own once it changed such data. A module caches there what must be
    dropped when :func:`invalidate_access_cache` runs, in this process and in the others."""
    return access_cache(env)


def invalidate_access_cache(env: Environment) -> None:
    """Forget cached groups, rights, rules and field accesses: the security data changed in
    ``env``'s transaction. Other transactions and processes stop using the old answers once
    it commits."""
    registry = env.registry
    registry.clear_access_cache()
    transaction = env.transaction
    transaction.clear_access_cache()
    if transaction.access_dirty:
        return
    transaction.access_dirty = True
    cr = env.cr

    def committed() -> None:
        transaction.access_dirty = False
        transaction.clear_access_cache()
        registry.clear_access_cache()
        _signal_change(registry)

    def rolled_back() -> None:
        transaction.access_dirty = False
        transaction.clear_access_cache()

    cr.postcommit.add(committed)
    cr.postrollback.add(rolled_back)


def ensure_signal_sequence(cr: Cursor) -> None:
    """Create the sequence signalling security changes between processes (idempotent)."""
    cr.execute(
        SQL("CREATE SEQUENCE IF NOT EXISTS %s", SQL.identifier(SIGNAL_SEQUENCE)), flush=False
    )


def _signal_change(registry: Registry) -> None:
    """Tell the other processes that the security data changed (after a commit)."""
    try:
        with registry.cursor() as cr:
            cr.execute(SQL("SELECT nextval(%s)", SIGNAL_SEQUENCE), flush=False)
            registry.access_signal = cr.fetchall()[0][0]
    except psycopg.Error:  # a database without the sequence (not upgraded yet): nothing to tell
        _logger.warning("cannot signal a security change to other processes", exc_info=True)


def check_access_signal(registry: Registry, cr: Cursor) -> bool:
    """Drop the process's cached security answers if another process changed security data
    since they were cached (one query). Returns whether the cache was dropped."""
    cr.execute(
        SQL("SELECT last_value, is_called FROM %s", SQL.identifier(SIGNAL_SEQUENCE)), flush=False
    )
    last_value, is_called = cr.fetchall()[0]
    value = last_value if is_called else 0
    known = registry.access_signal
    registry.access_signal = value
    if known != value:
        registry.clear_access_cache()
        return known is not None
    return False
