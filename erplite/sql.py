"""The database layer: pooled psycopg 3 connections, erplite's cursor, savepoints and hooks.

Worked example::

    from erplite.sql import connection_pool, Cursor
    from psycopg import sql

    cr = Cursor(connection_pool("dbname=demo"))
    cr.execute(sql.SQL("SELECT id FROM {} WHERE login = %s").format(sql.Identifier("res_users")),
               ["admin"])
    cr.fetchone()
    with cr.savepoint():            # ROLLBACK TO SAVEPOINT if the block raises
        ...
    cr.postcommit.add(send_mail)    # runs only once the transaction is committed
    cr.commit()
    cr.close()

Every statement is a ``psycopg.sql.Composable`` (or a constant string) plus parameters: a value
never becomes SQL text. Connections run at REPEATABLE READ, as Odoo's do. Each cursor counts the
statements it sends; :func:`count_queries` adds them up over every cursor of the thread, which is
what query-count tests assert.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import re
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any

import psycopg
from psycopg import IsolationLevel, sql

from erplite import pooler
from erplite.pool import Budget, Pool

_logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# SQL fragments
# ---------------------------------------------------------------------------------------------


class SQL:
    """A composable SQL fragment: code plus the parameters it needs.

    ``SQL("%s = %s", SQL.identifier("t", "name"), "Bob")`` renders ``"t"."name" = %s`` with the
    parameter ``"Bob"``. Each ``%s`` of ``template`` takes one argument, in order: an ``SQL``
    fragment is inlined with its parameters, a ``psycopg.sql.Composable`` (an identifier) is
    inlined, any other value becomes a query parameter. ``template`` is always a constant of
    the code, never text that came from input; a literal percent sign is written ``%%``.

    The code is kept as text (identifiers quoted as PostgreSQL quotes them), so that building
    and sending a statement costs string joins rather than a tree of ``psycopg.sql`` objects;
    ``code`` gives it as a ``psycopg.sql.SQL`` composable.
    """

    __slots__ = ("text", "params")

    def __init__(self, template: str = "", *args: Any):
        if not args:
            if "%s" in template:
                raise TypeError(
                    f"SQL template {template!r} expects {template.count('%s')} arguments"
                )
            self.text = template
            self.params: tuple[Any, ...] = ()
            return
        chunks = template.split("%s")
        if len(chunks) != len(args) + 1:
            raise TypeError(f"SQL template {template!r} expects {len(chunks) - 1} arguments")
        parts = [chunks[0]]
        params: list[Any] = []
        for arg, chunk in zip(args, chunks[1:]):
            if isinstance(arg, SQL):
                parts.append(arg.text)
                if arg.params:
                    params.extend(arg.params)
            elif isinstance(arg, sql.Composable):
                parts.append(_composable_text(arg))
            elif type(arg) is BinaryParam:
                parts.append("%b")
                params.append(arg.value)
            else:
                parts.append("%s")
                params.append(arg)
            parts.append(chunk)
        self.text = "".join(parts)
        self.params = tuple(params)

    @property
    def code(self) -> sql.Composable:
        return sql.SQL(self.text)

    @staticmethod
    def raw(text: str, params: Any = ()) -> SQL:
        """A fragment from text already rendered by this class (``%s`` placeholders matching
        ``params``), as a cached compilation gives it back; never text from input."""
        fragment = SQL.__new__(SQL)
        fragment.text = text
        fragment.params = tuple(params)
        return fragment

    @staticmethod
    def identifier(*names: str) -> SQL:
        """``"a"."b"``: a (qualified) identifier; names come from the registry, never input."""
        fragment = _identifiers.get(names)
        if fragment is None:
            fragment = SQL.__new__(SQL)
            fragment.text = ".".join([_quote_identifier(name) for name in names])
            fragment.params = ()
            if len(_identifiers) < _MAX_IDENTIFIERS:  # fragments are never changed: shared
                _identifiers[names] = fragment
        return fragment

    def join(self, fragments: Iterable[SQL]) -> SQL:
        """Join ``fragments`` with this fragment as separator, as ``str.join`` does."""
        fragments = list(fragments)
        result = SQL.__new__(SQL)
        result.text = self.text.join([f.text for f in fragments])
        if self.params and len(fragments) > 1:
            params = list(fragments[0].params)
            for fragment in fragments[1:]:
                params.extend(self.params)
                params.extend(fragment.params)
            result.params = tuple(params)
        else:
            result.params = tuple(p for f in fragments for p in f.params)
        return result

    def __bool__(self) -> bool:
        return bool(self.text)

    def __repr__(self) -> str:
        return f"SQL({self.text!r}, {self.params!r})"


_identifiers: dict[tuple[str, ...], SQL] = {}
_MAX_IDENTIFIERS = 20_000


class BinaryParam:
    """A query parameter sent in PostgreSQL's binary format (``%b``): ``SQL("%s::int4[]",
    BinaryParam(ids))``. Arrays of numbers, strings and timestamps dump several times faster
    than in text; give their type with a cast."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


_quoted: dict[str, str] = {}


def _quote_identifier(name: str) -> str:
    """``name`` as a PostgreSQL quoted identifier (as ``PQescapeIdentifier`` quotes it)."""
    quoted = _quoted.get(name)
    if quoted is None:
        if not isinstance(name, str) or "\x00" in name:
            raise ValueError(f"Invalid identifier {name!r}")
        quoted = _quoted[name] = '"' + name.replace('"', '""') + '"'
    return quoted


#: ``name`` as a quoted identifier, for the builders that assemble statement text themselves
quote_identifier = _quote_identifier


def _composable_text(composable: sql.Composable) -> str:
    if isinstance(composable, sql.Identifier):
        return ".".join([_quote_identifier(name) for name in composable._obj])
    if type(composable) is sql.SQL:
        return composable._obj
    return composable.as_string(None)


# ---------------------------------------------------------------------------------------------
# Pools
# ---------------------------------------------------------------------------------------------

_pools: dict[str, Pool] = {}
_pools_lock = threading.Lock()
POOL_MAX_SIZE = 16

#: The most connections a process opens over all its databases (Odoo's ``db_maxconn``), unless
#: ``ERPLITE_DB_MAXCONN`` or :func:`set_db_maxconn` says otherwise: a worker serving many
#: tenants closes the longest idle connection of another database rather than open more.
DB_MAXCONN = 64

_budget: Budget | None = None


def set_db_maxconn(limit: int) -> Budget:
    """Make the process's connection budget ``limit`` connections, for the pools made from
    now on (call it before serving; pools made earlier keep the budget they had)."""
    global _budget
    with _pools_lock:
        _budget = Budget(limit)
        return _budget


def connection_budget() -> Budget:
    """The process's connection budget shared by the pools of :func:`connection_pool`."""
    global _budget
    budget = _budget
    if budget is None:
        with _pools_lock:
            if _budget is None:
                text = os.environ.get("ERPLITE_DB_MAXCONN", "").strip()
                _budget = Budget(int(text) if text.isdigit() and int(text) > 0 else DB_MAXCONN)
            budget = _budget
    return budget


def _configure(conn: psycopg.Connection) -> None:
    conn.isolation_level = IsolationLevel.REPEATABLE_READ
    conn.autocommit = False


def connection_pool(dsn: str) -> Pool:
    """Return the process-wide pool of connections to ``dsn`` (:class:`erplite.pool.Pool`:
    connections made on demand, an error at once while the server is down; without
    server-side prepared statements behind a transaction-mode pooler, ``erplite.pooler``;
    within the process's :func:`connection_budget` with the other databases' pools)."""
    pool = _pools.get(dsn)
    if pool is None:
        budget = connection_budget()
        with _pools_lock:
            pool = _pools.get(dsn)
            if pool is None:
                pool = Pool(
                    dsn,
                    max_size=POOL_MAX_SIZE,
                    configure=_configure,
                    prepared_statements=not pooler.transaction_pooling(),
                    budget=budget,
                    name=f"erplite-{len(_pools)}",
                )
                _pools[dsn] = pool
    return pool


def close_pool(dsn: str) -> None:
    """Close the pool of ``dsn`` (before dropping its database, for instance)."""
    with _pools_lock:
        pool = _pools.pop(dsn, None)
    if pool is not None:
        pool.close()


def close_all_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


@contextlib.contextmanager
def admin_connection(dsn: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection outside any pool, for CREATE/DROP DATABASE and the like
    (to the server directly when a transaction-mode pooler has a direct DSN:
    ``erplite.pooler.admin_dsn``)."""
    conn = psycopg.connect(pooler.admin_dsn(dsn), autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def dsn_with_dbname(dsn: str, dbname: str) -> str:
    """Return ``dsn`` pointing at database ``dbname`` (libpq strings and URIs alike)."""
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    params["dbname"] = dbname
    return psycopg.conninfo.make_conninfo("", **{k: v for k, v in params.items() if v is not None})


def dbname_of(dsn: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    return str(params.get("dbname") or params.get("user") or "")


# ---------------------------------------------------------------------------------------------
# Statement counting
# ---------------------------------------------------------------------------------------------

_counter = threading.local()


def _count_statement(query: Any) -> None:
    stacks = getattr(_counter, "stacks", None)
    if stacks:
        for bucket in stacks:
            bucket.append(query)


@contextlib.contextmanager
def count_queries() -> Iterator[list[Any]]:
    """Collect the statements every cursor of this thread sends inside the block.

    The yielded list receives each statement (its ``Composable``); ``len()`` is the count.
    """
    if not hasattr(_counter, "stacks"):
        _counter.stacks = []
    bucket: list[Any] = []
    _counter.stacks.append(bucket)
    try:
        yield bucket
    finally:
        _counter.stacks.remove(bucket)


# ---------------------------------------------------------------------------------------------
# Hooks
# ---------------------------------------------------------------------------------------------


class Callbacks:
    """An ordered queue of callables run once, at a moment of the transaction's life."""

    def __init__(self) -> None:
        self._funcs: deque[Callable[[], Any]] = deque()
        self.data: dict[str, Any] = {}

    def add(self, func: Callable[[], Any]) -> None:
        self._funcs.append(func)

    def run(self) -> None:
        while self._funcs:
            func = self._funcs.popleft()
            func()
        self.data.clear()

    def clear(self) -> None:
        self._funcs.clear()
        self.data.clear()

    def __len__(self) -> int:
        return len(self._funcs)


# ---------------------------------------------------------------------------------------------
# Cursor
# ---------------------------------------------------------------------------------------------

_savepoint_seq = itertools.count()

_IDLE = psycopg.pq.TransactionStatus.IDLE

#: Statements ``Cursor.begin_with`` prepares on one connection, at most.
BEGIN_STATEMENTS_MAX = 32

#: Names of the statements each connection prepared for ``Cursor.begin_with``.
_begin_prepared: weakref.WeakKeyDictionary[psycopg.Connection, set[str]] = (
    weakref.WeakKeyDictionary()
)
#: Names met "stale" (their result type changed): dropped before being prepared again.
_begin_stale: set[str] = set()
_begin_texts: dict[str, tuple[str, str, int] | None] = {}
#: a text not compiled yet (``None`` in ``_begin_texts`` means: cannot be)
_UNCOMPILED: tuple[str, str, int] = ("", "", -1)
_PLACEHOLDER = re.compile(r"%[%sb]")


def _begin_statement(
    conn: psycopg.Connection, query: SQL, prepared: set[str] | frozenset[str]
) -> tuple[str, str, int] | None:
    """``(simple-protocol text, statement name, number of results)`` of
    ``Cursor.begin_with(query)`` on ``conn``, or ``None`` when it cannot be (binary
    parameters, too many statements)."""
    compiled = _begin_texts.get(query.text, _UNCOMPILED)
    if compiled is _UNCOMPILED:
        compiled = _compile_begin(query.text)
        if len(_begin_texts) < 4 * BEGIN_STATEMENTS_MAX:
            _begin_texts[query.text] = compiled
    if compiled is None:
        return None
    name, pg_text, count = compiled
    if count != len(query.params):
        raise TypeError(f"the query expects {count} parameters, not {len(query.params)}")
    begin = _begin_command(conn)
    literals = _literals(conn, query.params)
    if isinstance(prepared, frozenset):  # behind a transaction-mode pooler: the query's text
        values = iter(literals)
        text = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else next(values), query.text)
        return f"{begin}; {text}", name, 2
    args = ", ".join(literals)
    execute = f"EXECUTE {name}({args})" if count else f"EXECUTE {name}"
    if name in prepared:
        return f"{begin}; {execute}", name, 2
    if len(prepared) >= BEGIN_STATEMENTS_MAX:
        return None
    prepared.add(name)
    if name in _begin_stale:
        _begin_stale.discard(name)
        return f"{begin}; DEALLOCATE {name}; PREPARE {name} AS {pg_text}; {execute}", name, 4
    return f"{begin}; PREPARE {name} AS {pg_text}; {execute}", name, 3


def _literal(conn: psycopg.Connection, value: Any) -> str:
    return str(value) if type(value) is int else sql.Literal(value).as_string(conn)


#: Most parameter lists whose literals ``_literals`` keeps.
BEGIN_LITERALS_MAX = 1024
_begin_literals: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _literals(conn: psycopg.Connection, params: Sequence[Any]) -> tuple[str, ...]:
    """``_literal`` of each of ``params``, composed once per list of values: a request's first
    statement has the same ones request after request (its user, login, address), and quoting
    a string through psycopg costs more than the rest of ``_begin_statement``. Kept per type
    and value (``1``, ``True`` and ``1.0`` are equal keys, not equal literals) and per the
    connection's quoting settings; an unhashable value (a list) is quoted each time."""
    pgconn = conn.pgconn
    try:
        key = (
            pgconn.parameter_status(b"client_encoding"),
            pgconn.parameter_status(b"standard_conforming_strings"),
            *[(type(value), value) for value in params],
        )
        literals = _begin_literals.get(key)
    except TypeError:
        return tuple(_literal(conn, value) for value in params)
    if literals is None:
        literals = tuple(_literal(conn, value) for value in params)
        if len(_begin_literals) >= BEGIN_LITERALS_MAX:
            _begin_literals.clear()
        _begin_literals[key] = literals
    return literals


#: ``prepared`` of ``_begin_statement`` for a connection that keeps no prepared statement
_NOT_PREPARED: frozenset[str] = frozenset()


def _compile_begin(text: str) -> tuple[str, str, int] | None:
    """``(name, text with $n placeholders, count)`` for ``PREPARE``; ``None`` with binary
    parameters (``%b``)."""
    count = 0

    def placeholder(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    if "%b" in text.replace("%%", ""):
        return None
    pg_text = _PLACEHOLDER.sub(placeholder, text)
    name = "erplite_" + hashlib.sha1(pg_text.encode()).hexdigest()[:20]
    return name, pg_text, count


def _begin_command(conn: psycopg.Connection) -> str:
    """The ``BEGIN`` psycopg would send on ``conn`` (its isolation level, read-only and
    deferrable settings)."""
    key = (conn.isolation_level, conn.read_only, conn.deferrable)
    command = _begin_commands.get(key)
    if command is None:
        command = _begin_commands[key] = _make_begin_command(conn)
    return command


_begin_commands: dict[tuple[Any, ...], str] = {}


def _make_begin_command(conn: psycopg.Connection) -> str:
    parts = ["BEGIN"]
    if conn.isolation_level is not None:
        level = IsolationLevel(conn.isolation_level).name.replace("_", " ")
        parts.append(f"ISOLATION LEVEL {level}")
    if conn.read_only is not None:
        parts.append("READ ONLY" if conn.read_only else "READ WRITE")
    if conn.deferrable is not None:
        parts.append("DEFERRABLE" if conn.deferrable else "NOT DEFERRABLE")
    return " ".join(parts)


def _end_begun_by_hand_after_commit(conn: psycopg.Connection) -> None:
    """A ``begin_with`` transaction committed by ``Cursor.commit_and_close``: the connection
    begins its transactions itself again (``Cursor._end_begun_by_hand``)."""
    conn.autocommit = False


class Cursor:
    """One transaction on one pooled connection.

    Used as a context manager, the cursor commits when the block ends and rolls back if it
    raises, then returns its connection to the pool.
    ``transaction`` is set by the ORM: the cursor asks it to flush pending writes before a
    commit or a raw ``execute`` (so raw SQL sees what the ORM wrote), and to drop its cache on
    rollback.
    """

    #: the registry whose ``cursor()`` opened it (set by the ORM; ``erplite.orm.registry``)
    registry: Any

    def __init__(self, pool: Pool, dbname: str = ""):
        self._pool = pool
        conn, unsettled = pool.getconn_unsettled()
        self._conn: psycopg.Connection | None = conn
        #: what the pool left to do before the connection is used otherwise than by
        #: ``begin_with`` (``_end_begun_by_hand_after_commit``: the previous transaction was
        #: begun by ``begin_with``, the connection is still in autocommit mode); see _settle
        self._unsettled = unsettled
        self._cur = conn.cursor()
        self.dbname = dbname
        self.sql_count = 0
        self.transaction: Any = None
        self.precommit = Callbacks()
        self.postcommit = Callbacks()
        self.prerollback = Callbacks()
        self.postrollback = Callbacks()
        # the connection is in autocommit mode for a transaction begun by begin_with()
        self._begun_by_hand = False
        # every statement of the transaction so far answered SELECT (see commit_and_close)
        self._only_read = True

    # -- statements ---------------------------------------------------------------------------
    def execute(
        self,
        query: SQL | sql.Composable | str,
        params: Any = None,
        *,
        flush: bool = True,
        binary: bool = False,
    ) -> psycopg.Cursor[tuple[Any, ...]]:
        """Send one statement. ``query`` is a ``psycopg.sql`` object or a constant string.

        Pending ORM writes are flushed first (unless the ORM itself calls with ``flush=False``
        after flushing precisely what the statement reads). ``binary``: the rows come in
        PostgreSQL's binary format, the same Python values for the column types of the ORM's
        fields (psycopg has a binary loader for each) at less cost for both sides than text
        (floats and timestamps are neither printed by the server nor parsed here).
        """
        if self._conn is None:
            raise psycopg.InterfaceError("Cursor is closed")
        if self._unsettled is not None:
            self._settle()
        if isinstance(query, SQL):
            if params is not None:
                raise TypeError("an SQL fragment carries its own parameters")
            params = query.params
            query = query.text
        if flush and self.transaction is not None:
            self.transaction.flush()
        self.sql_count += 1
        _count_statement(query)
        # psycopg renders any Composable (as_string); its annotation names SQL and Composed only
        cur = self._cur.execute(query, params, binary=binary or None)  # type: ignore[arg-type]
        if self._only_read:
            self._note_command()
        return cur

    def _note_command(self) -> None:
        """Remember that the transaction did more than read when the statement just run
        did not answer ``SELECT n`` (its command tag: INSERT, UPDATE, SAVEPOINT...)."""
        result = self._cur.pgresult
        tag = result.command_status if result is not None else None
        if not tag or not tag.startswith(b"SELECT"):
            self._only_read = False

    def begin_with(self, query: SQL, *, flush: bool = True, _heal: bool = True) -> None:
        """Send ``query`` as the first statement of the transaction, and the transaction's
        ``BEGIN`` in the same round trip; read its rows with ``fetchone()``/``fetchall()``.

        ``execute`` would send psycopg's ``BEGIN`` and wait for it before sending the query.
        Here one simple-protocol message carries ``BEGIN ISOLATION LEVEL ...; EXECUTE
        name(params)``, where ``name`` is a statement the connection prepared with SQL
        ``PREPARE`` (in that same message the first time), so the server keeps its plan as
        for any prepared statement. Parameters are bound as literals (for small values: ids,
        names). The transaction is the one ``execute`` would have begun; the connection is in
        autocommit mode while it lasts (so that psycopg sends no ``BEGIN`` of its own) and
        back to normal after the commit or rollback, or when the cursor is closed.

        Behind a transaction-mode pooler (``erplite.pooler``), where no prepared statement
        outlives its transaction, the message carries ``BEGIN ...; <the query with its
        literals>`` instead: still one round trip, planned each time.
        When a transaction is open already, in autocommit mode, for binary parameters, or
        beyond ``BEGIN_STATEMENTS_MAX`` such statements on a connection, this is ``execute``.
        A connection whose prepared statements were dropped (``DEALLOCATE ALL``) or went stale
        heals itself (one more round trip).
        """
        conn = self._conn
        if conn is None:
            raise psycopg.InterfaceError("Cursor is closed")
        if flush and self.transaction is not None:
            self.transaction.flush()
        # a connection the previous begin_with transaction left in autocommit mode is used as
        # it is (Pool.getconn_unsettled): one switch out of autocommit and back in saved
        reused = self._unsettled is _end_begun_by_hand_after_commit and conn.autocommit
        if not reused and self._unsettled is not None:
            self._settle()
        if conn.pgconn.transaction_status != _IDLE or (conn.autocommit and not reused):
            self.execute(query, flush=False)
            return
        prepared: set[str] | frozenset[str] = _NOT_PREPARED
        if self._pool.prepared_statements:
            known = _begin_prepared.get(conn)
            if known is None:
                known = _begin_prepared[conn] = set()
            prepared = known
        statement = _begin_statement(conn, query, prepared)
        if statement is None:
            self.execute(query, flush=False)
            return
        text, name, results = statement
        if _heal:
            self.sql_count += 1
            _count_statement(query.text)
        if reused:
            self._unsettled = None
        else:
            conn.autocommit = True
        self._begun_by_hand = True
        try:
            self._cur.execute(text, prepare=False)
        except psycopg.Error as exc:
            state = exc.sqlstate
            if not _heal or state not in ("26000", "42P05", "0A000"):
                raise
            if isinstance(prepared, frozenset):  # nothing prepared: nothing to heal
                raise
            # our bookkeeping of the connection's statements was wrong: make it right, again
            if state == "26000":  # invalid_sql_statement_name: dropped (DEALLOCATE ALL)
                prepared.discard(name)
            elif state == "42P05":  # duplicate_prepared_statement
                prepared.add(name)
            else:  # feature_not_supported: "cached plan must not change result type"
                prepared.discard(name)
                _begin_stale.add(name)
            conn.rollback()
            self._end_begun_by_hand()
            self.begin_with(query, flush=False, _heal=False)
            return
        cur = self._cur
        for _ in range(results - 1):  # to the result of EXECUTE, the last one
            cur.nextset()
        if self._only_read:
            self._note_command()

    def _settle(self) -> None:
        """Do what the pool left to do on the connection (``Pool.getconn_unsettled``) before
        it is used otherwise than by ``begin_with``."""
        settle, self._unsettled = self._unsettled, None
        if settle is not None and self._conn is not None:
            settle(self._conn)

    def _end_begun_by_hand(self) -> None:
        """After the commit or rollback of a ``begin_with`` transaction: the connection
        begins its transactions itself again (closed if that cannot be, never pooled as is)."""
        conn = self._conn
        self._begun_by_hand = False
        if conn is None:
            return
        try:
            if conn.pgconn.transaction_status != _IDLE:
                conn.rollback()
            conn.autocommit = False
        except psycopg.Error:
            _logger.debug("connection broken after a begin_with transaction", exc_info=True)
            conn.close()

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cur.fetchall()

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return self._cur.fetchmany(size)

    def dictfetchone(self) -> dict[str, Any] | None:
        row = self._cur.fetchone()
        if row is None:
            return None
        return dict(zip(self._column_names(), row))

    def dictfetchall(self) -> list[dict[str, Any]]:
        names = self._column_names()
        return [dict(zip(names, row)) for row in self._cur.fetchall()]

    def _column_names(self) -> list[str]:
        # a fetch succeeded: the statement returned rows, so it has a description
        return [column.name for column in self._cur.description or ()]

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self) -> list[psycopg.Column] | None:
        return self._cur.description

    @property
    def closed(self) -> bool:
        return self._conn is None

    @property
    def connection(self) -> psycopg.Connection:
        assert self._conn is not None
        if self._unsettled is not None:
            self._settle()
        return self._conn

    # -- transaction --------------------------------------------------------------------------
    def flush(self) -> None:
        """Send the ORM's pending writes and recomputations."""
        if self.transaction is not None:
            self.transaction.flush()

    def clear(self) -> None:
        """Forget the ORM's cache and pending work (after a rollback)."""
        if self.transaction is not None:
            self.transaction.clear()

    def commit(self) -> None:
        """Flush, run the precommit hooks, commit, then run the postcommit hooks."""
        self.flush()
        self.precommit.run()
        self.flush()
        assert self._conn is not None
        self._conn.commit()
        if self._begun_by_hand:
            self._end_begun_by_hand()
        self._only_read = True
        self.prerollback.clear()
        self.postrollback.clear()
        self.postcommit.run()

    def commit_and_close(self) -> None:
        """:meth:`commit`, then :meth:`close`; a transaction that only read (each statement
        answered ``SELECT``) with no post-commit hook is committed without waiting for the
        server's answer (``Pool.putconn_committing``: read when the connection is next
        taken), one round trip less.

        The ``COMMIT`` of such a transaction is sent at once, as :meth:`commit` would: its
        locks go at the same moment. It cannot fail, except through a function that wrote
        under a ``SELECT``, with a deferred constraint it broke: that failure is logged at
        ERROR instead of raised here.
        """
        conn = self._conn
        if conn is None:
            raise psycopg.InterfaceError("Cursor is closed")
        try:
            if self._unsettled is not None:  # no statement ran: given back as it was taken
                self._settle()
            self.flush()
            self.precommit.run()
            self.flush()
            pipelined = self._only_read and not self.postcommit
            if not pipelined:
                self.commit()
        except BaseException:
            self.close()
            raise
        if not pipelined:
            self.close()
            return
        self.prerollback.clear()
        self.postrollback.clear()
        self._conn = None
        self._cur.close()
        self._pool.putconn_committing(
            conn, _end_begun_by_hand_after_commit if self._begun_by_hand else None
        )
        self._begun_by_hand = False
        self._release_transaction()

    def rollback(self) -> None:
        self.clear()
        self.precommit.clear()
        self.postcommit.clear()
        self.prerollback.run()
        assert self._conn is not None
        self._conn.rollback()
        if self._begun_by_hand:
            self._end_begun_by_hand()
        self._only_read = True
        self.postrollback.run()

    @contextlib.contextmanager
    def savepoint(self, flush: bool = True) -> Iterator[None]:
        """A nestable savepoint: the block's changes are undone if it raises."""
        name = sql.Identifier(f"sp_{next(_savepoint_seq)}")
        if flush:
            self.flush()
        self.execute(sql.SQL("SAVEPOINT {}").format(name), flush=False)
        try:
            yield
            if flush:
                self.flush()
        except BaseException:
            if self._conn is not None and not self._conn.closed:
                self.clear()
                self.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(name), flush=False)
            raise
        else:
            self.execute(sql.SQL("RELEASE SAVEPOINT {}").format(name), flush=False)

    def close(self) -> None:
        if self._conn is None:
            return
        if self._begun_by_hand:
            self._end_begun_by_hand()  # a connection it had to close: the pool replaces it
        try:
            if self._unsettled is not None:  # no statement ran: given back as it was taken
                self._settle()
        except psycopg.Error:
            _logger.debug("connection broken while closing a cursor", exc_info=True)
            self._conn.close()
        conn, self._conn = self._conn, None
        try:
            self._cur.close()
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
        except psycopg.Error:
            _logger.debug("connection broken while closing a cursor", exc_info=True)
        self._pool.putconn(conn)
        self._release_transaction()

    def _release_transaction(self) -> None:
        release = getattr(self.transaction, "release", None)
        if release is not None:
            release()  # the ORM's environments of this transaction are done with

    def __enter__(self) -> Cursor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"<Cursor {self.dbname} {state}>"
