"""Which databases an application serves, and the registry of each, loaded lazily.

Worked example::

    databases = Databases("dbname=postgres", addons_paths=(), dbfilter="^%d$")
    databases.for_host(["acme", "globex"], "acme.example.com")   # ['acme']
    state = databases.get("acme")            # loads the registry once, then reuses it
    state.registry, state.routing_map        # the models and the URL map of that database
    with state.registry.cursor() as cr:
        databases.check_signal(state, cr)    # RegistryChanged if another process upgraded

Two forms, as Odoo has them:

- **one database** (``Databases(dsn)``): the database of ``dsn`` is the only one served;
- **several databases** on one PostgreSQL server (``multi=True``, implied by ``dbfilter`` or
  ``db_names``): ``dsn`` names the server (its own database holds nothing of erplite's unless
  it is also the sessions database), the served databases are the server's databases kept by
  ``db_names`` (when given) and by ``dbfilter`` (when given). ``dbfilter`` is Odoo's: a
  regular expression matched at the start of the name, where ``%h`` stands for the request's
  host name and ``%d`` for its first label (``www.`` dropped), so ``^%d$`` serves
  ``acme.example.com`` from database ``acme``. A database the filter excludes is never served.

Registries are built on first use and kept in a least-recently-used cache of
``max_registries`` entries; the one evicted has its connection pool closed. Each database has
a **registry signal**, a sequence in table ``erplite_registry_signal`` that the module loader
bumps whenever it installs, upgrades or removes modules. Every transaction of a request reads
it first (:meth:`Databases.check_signal`, one short statement, sent with the transaction's
``BEGIN`` in one round trip by ``Cursor.begin_with``): when it moved, the registry is rebuilt,
so a module installed by another worker process, or another host, is served at once.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg
import werkzeug.exceptions
import werkzeug.routing

from erplite.http.routing import build_routing_map
from erplite.pool import CONNECT_TIMEOUT as POOL_CONNECT_TIMEOUT
from erplite.security import SIGNAL_SEQUENCE
from erplite.sql import SQL, close_pool, dbname_of, dsn_with_dbname

_logger = logging.getLogger(__name__)

#: Modules whose routes are served even when no database is selected (Odoo's
#: ``server_wide_modules``): only their ``auth='none'`` routes are.
SERVER_WIDE_MODULES = ("base", "web")

#: Registries kept in memory by default (``max_registries``, ``ERPLITE_MAX_REGISTRIES``).
DEFAULT_MAX_REGISTRIES = 8

#: Seconds the list of the server's databases is reused before being read again.
DB_LIST_TTL = 5.0

_SIGNAL_TABLE = "erplite_registry_signal"

#: Statements of ``Databases.check_signal`` kept composed, per registry.
SIGNAL_QUERIES_SIZE = 1024

#: The sequence of ``erplite.security`` signalling changes of groups, rights and rules.
ACCESS_SIGNAL_SEQUENCE = SIGNAL_SEQUENCE


_SIGNALS_QUERY = SQL(
    "SELECT s.sequence, CASE WHEN a.is_called THEN a.last_value ELSE 0 END"
    " FROM erplite_registry_signal s, %s a WHERE s.id = 1",
    SQL.identifier(ACCESS_SIGNAL_SEQUENCE),
)
_REGISTRY_SIGNAL_QUERY = SQL("SELECT sequence, NULL FROM erplite_registry_signal WHERE id = 1")


class DatabaseNotFound(werkzeug.exceptions.NotFound):
    """The database does not exist, is not an erplite database, or is not served here."""

    def __init__(self, dbname: str | None):
        super().__init__(f"Database {dbname!r} not found." if dbname else "No database selected.")
        self.dbname = dbname


class RegistryChanged(Exception):
    """The registry signal moved since the registry was loaded: reload it and start again."""

    def __init__(self, dbname: str, sequence: int):
        super().__init__(f"registry of {dbname!r} changed (signal {sequence})")
        self.dbname = dbname
        self.sequence = sequence


def db_filter(dbs: Iterable[str], host: str, dbfilter: str | None) -> list[str]:
    """The names of ``dbs`` that ``dbfilter`` keeps for ``host`` (Odoo's ``db_filter``).

    >>> db_filter(["acme", "globex"], "www.acme.example.com:8069", "^%d$")
    ['acme']
    >>> db_filter(["a_b", "b"], "a_b.test", "%h$")
    []
    """
    if not dbfilter:
        return list(dbs)
    host = host.partition(":")[0].lower()
    if host.startswith("www."):
        host = host[4:]
    domain = host.partition(".")[0]
    pattern = re.compile(dbfilter.replace("%h", re.escape(host)).replace("%d", re.escape(domain)))
    return [db for db in dbs if pattern.match(db)]


class DatabaseState:
    """A loaded database: its registry and what the HTTP layer derives from it.

    ``sequence`` is the registry signal read before the registry was built; ``routing_map``
    holds the routes of the installed modules only; ``cache`` is a place for per-registry
    values (the public user's id, verified RPC credentials, the template environment), dropped
    with the registry when it is rebuilt.
    """

    def __init__(self, dbname: str, dsn: str, registry: Any, sequence: int):
        self.dbname = dbname
        self.dsn = dsn
        self.registry = registry
        self.sequence = sequence
        self.installed_modules: tuple[str, ...] = tuple(registry.installed_modules)
        self.module_paths: dict[str, Path] = dict(registry.module_paths)
        self.routing_map: werkzeug.routing.Map = build_routing_map(self.installed_modules)
        self.cache: dict[str, Any] = {}
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<DatabaseState {self.dbname} signal={self.sequence}>"


class Databases:
    """The databases an application serves and their registries (see the module docstring).

    :param dsn: the database (one-database form) or the server's maintenance database.
    :param addons_paths: extra module folders, for every registry.
    :param multi: serve several databases; implied by ``dbfilter`` or ``db_names``.
    :param dbfilter: Odoo's ``dbfilter`` expression (``%h``, ``%d``).
    :param db_names: the databases that may be served (Odoo's ``db_name`` list).
    :param max_registries: how many registries are kept in memory.
    :param list_ttl: seconds the server's database list is cached.
    """

    def __init__(
        self,
        dsn: str,
        addons_paths: Iterable[str | Path] = (),
        *,
        multi: bool | None = None,
        dbfilter: str | None = None,
        db_names: Iterable[str] | None = None,
        max_registries: int = DEFAULT_MAX_REGISTRIES,
        list_ttl: float = DB_LIST_TTL,
    ):
        if max_registries < 1:
            raise ValueError("max_registries must be at least 1")
        self.dsn = dsn
        self.addons_paths = tuple(str(path) for path in addons_paths)
        self.dbfilter = dbfilter or None
        self.db_names = tuple(db_names) if db_names is not None else None
        self.multi = bool(dbfilter or db_names) if multi is None else multi
        self.max_registries = max_registries
        self.list_ttl = list_ttl
        self._states: collections.OrderedDict[str, DatabaseState] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._load_locks: dict[str, threading.Lock] = collections.defaultdict(threading.Lock)
        self._list_cache: tuple[float, list[str]] | None = None
        self._dsn_dbname = dbname_of(dsn)

    # -- which databases ----------------------------------------------------------------------
    @property
    def single_name(self) -> str | None:
        """The database of the one-database form (``None`` in the multi-database form)."""
        return None if self.multi else self._dsn_dbname

    def all_names(self, *, force: bool = False) -> list[str]:
        """Every database this application may serve, whatever the host (sorted)."""
        if not self.multi:
            return [self._dsn_dbname]
        if self.db_names is not None and self.dbfilter is None:
            return sorted(self.db_names)
        now = time.monotonic()
        cached = self._list_cache
        if cached is not None and not force and now - cached[0] < self.list_ttl:
            names = cached[1]
        else:
            names = self._list_server_databases()
            self._list_cache = (now, names)
        if self.db_names is not None:
            names = [name for name in names if name in self.db_names]
        return names

    def _list_server_databases(self) -> list[str]:
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database"
                " WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres'"
                " ORDER BY datname"
            ).fetchall()
        return [name for (name,) in rows]

    def for_host(self, dbs: Iterable[str], host: str) -> list[str]:
        """The names of ``dbs`` served to ``host``: the filter applied (multi-database form),
        or the one database."""
        if not self.multi:
            return [db for db in dbs if db == self._dsn_dbname]
        allowed = self.db_names
        dbs = [db for db in dbs if allowed is None or db in allowed]
        return db_filter(dbs, host, self.dbfilter)

    def allowed(self, dbname: str | None, host: str) -> bool:
        """Whether ``dbname`` may be served to ``host`` (it need not exist)."""
        return bool(dbname) and bool(self.for_host([dbname], host))  # type: ignore[list-item]

    def host_databases(self, host: str, *, force: bool = False) -> list[str]:
        """The databases served to ``host`` (the login page offers them)."""
        return self.for_host(self.all_names(force=force), host)

    # -- registries ---------------------------------------------------------------------------
    def dsn_of(self, dbname: str) -> str:
        return self.dsn if dbname == self._dsn_dbname else dsn_with_dbname(self.dsn, dbname)

    def get(self, dbname: str) -> DatabaseState:
        """The loaded state of ``dbname``, loading its registry on first use.

        :raises DatabaseNotFound: the database does not exist or is not initialised.
        :raises psycopg.OperationalError: the server cannot be reached.
        """
        with self._lock:
            state = self._states.get(dbname)
            if state is not None:
                self._states.move_to_end(dbname)
                return state
        return self._load(dbname)

    def reload(self, dbname: str, sequence: int | None = None) -> DatabaseState:
        """Rebuild the registry of ``dbname`` unless it was rebuilt for ``sequence`` already."""
        with self._load_locks[dbname]:
            with self._lock:
                state = self._states.get(dbname)
            if state is not None and sequence is not None and state.sequence >= sequence:
                return state
            _logger.info("reloading the registry of %r (registry signal changed)", dbname)
            return self._build(dbname)

    def _load(self, dbname: str) -> DatabaseState:
        with self._load_locks[dbname]:
            with self._lock:  # loaded by another thread while we waited
                state = self._states.get(dbname)
                if state is not None:
                    return state
            return self._build(dbname)

    def _build(self, dbname: str) -> DatabaseState:
        from erplite.loading.loader import Registry

        dsn = self.dsn_of(dbname)
        try:
            _probe(dsn)  # fails fast with the server's own words, where a pool would wait
            sequence = self.read_signal(dsn)
            registry = Registry(dsn, self.addons_paths)
        except psycopg.OperationalError as exc:
            if _database_missing(exc):
                raise DatabaseNotFound(dbname) from None
            raise
        except RuntimeError as exc:  # not initialised (no modules installed)
            _logger.warning("database %r is not served: %s", dbname, exc)
            raise DatabaseNotFound(dbname) from None
        state = DatabaseState(dbname, dsn, registry, sequence)
        state.cache["access_signal"] = _relation_exists(dsn, ACCESS_SIGNAL_SEQUENCE)
        evicted: list[DatabaseState] = []
        with self._lock:
            self._states[dbname] = state
            self._states.move_to_end(dbname)
            while len(self._states) > self.max_registries:
                _name, old = self._states.popitem(last=False)
                evicted.append(old)
        for old in evicted:
            _logger.info("registry of %r evicted from the cache", old.dbname)
            if old.dsn != self.dsn:
                close_pool(old.dsn)
        return state

    def forget(self, dbname: str) -> None:
        """Drop the registry of ``dbname`` (before dropping the database, in tests)."""
        with self._lock:
            self._states.pop(dbname, None)

    def loaded(self) -> list[str]:
        """The databases whose registry is in memory, least recently used first."""
        with self._lock:
            return list(self._states)

    # -- the registry signal -----------------------------------------------------------------
    @staticmethod
    def read_signal(dsn: str) -> int:
        """The registry signal of the database of ``dsn``, creating its table if missing."""
        from erplite.sql import connection_pool

        with connection_pool(dsn).connection() as conn:
            row = conn.execute(
                "SELECT sequence FROM erplite_registry_signal WHERE id = 1"
                if _signal_table_exists(conn)
                else "SELECT NULL"
            ).fetchone()
            if row is None or row[0] is None:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS erplite_registry_signal"
                    " (id int PRIMARY KEY, sequence bigint NOT NULL)"
                )
                conn.execute(
                    "INSERT INTO erplite_registry_signal (id, sequence) VALUES (1, 1)"
                    " ON CONFLICT (id) DO NOTHING"
                )
                row = conn.execute(
                    "SELECT sequence FROM erplite_registry_signal WHERE id = 1"
                ).fetchone()
                if row is None:  # inserted just before, in the same transaction
                    raise RuntimeError("no row in erplite_registry_signal")
        return int(row[0])

    def check_signal(self, state: DatabaseState, cr: Any, extra: SQL | None = None) -> Any:
        """Read the signals in ``cr`` (the first statement of a request's transaction).

        The registry signal first: a registry loaded before its value moved is stale. Then, in
        the same statement, the sequence by which ``erplite.security`` tells other processes
        that groups, access rights or rules changed: the registry's cached security answers
        are dropped when it moved (what ``security.check_access_signal`` does).

        ``extra``, a query of at most one row, is run in the same statement (a round trip
        saved on the request's first real query): its row is returned as a tuple, ``None``
        when it has no row.

        :raises RegistryChanged: another process changed the modules since ``state`` was
            loaded; the caller closes ``cr``, calls :meth:`reload` and starts the request again.
        """
        access = state.cache.get("access_signal", True)
        # the transaction's BEGIN goes in the same round trip (Cursor.begin_with)
        if extra is not None:
            cr.begin_with(self._signal_query(state, extra, access), flush=False)
            row = cr.fetchone()
            self._check_signal_row(state, row[:2] if row[0] is not None else None)
            return tuple(row[3:]) if row[2] else None
        cr.begin_with(_SIGNALS_QUERY if access else _REGISTRY_SIGNAL_QUERY, flush=False)
        self._check_signal_row(state, cr.fetchone())
        return None

    @staticmethod
    def _signal_query(state: DatabaseState, extra: SQL, access: bool) -> SQL:
        """The statement of :meth:`check_signal` with ``extra``, composed once per registry
        and ``extra`` (a few hundred queries at most: one per RPC user)."""
        queries = state.cache.get("signal_queries")
        if queries is None:
            queries = state.cache.setdefault("signal_queries", {})
        key: tuple[str, tuple[Any, ...], bool] | None = (extra.text, extra.params, access)
        try:
            query = queries.get(key)
        except TypeError:  # parameters that cannot be a key (lists): composed every time
            key, query = None, None
        if query is None:
            access_column = (
                SQL(
                    "(SELECT CASE WHEN a.is_called THEN a.last_value ELSE 0 END FROM %s a)",
                    SQL.identifier(ACCESS_SIGNAL_SEQUENCE),
                )
                if access
                else SQL("NULL")
            )
            query = SQL(
                "SELECT (SELECT sequence FROM erplite_registry_signal WHERE id = 1), %s, x.*"
                " FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT true, e.* FROM (%s) e)"
                " AS x ON true",
                access_column,
                extra,
            )
            if key is not None:
                if len(queries) >= SIGNAL_QUERIES_SIZE:
                    queries.clear()
                queries[key] = query
        return query

    @staticmethod
    def _check_signal_row(state: DatabaseState, row: Any) -> None:
        sequence = int(row[0]) if row else 0
        if sequence != state.sequence:
            raise RegistryChanged(state.dbname, sequence)
        if row is not None and row[1] is not None:
            registry = state.registry
            known = getattr(registry, "access_signal", None)
            registry.access_signal = row[1]
            if known != row[1]:
                registry.clear_access_cache()


#: Seconds to wait for PostgreSQL when loading a registry (the pool's: fail fast).
CONNECT_TIMEOUT = POOL_CONNECT_TIMEOUT


def _probe(dsn: str) -> None:
    """Connect once without the pool: ``OperationalError`` at once if the database is missing
    or the server down (a pool would retry in the background and time out much later)."""
    with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT):
        pass


def _relation_exists(dsn: str, name: str) -> bool:
    from erplite.sql import connection_pool

    with connection_pool(dsn).connection() as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()
    return bool(row and row[0])


def _signal_table_exists(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [_SIGNAL_TABLE]).fetchone()
    return bool(row and row[0])


def _database_missing(exc: psycopg.OperationalError) -> bool:
    # SQLSTATE 3D000 (invalid_catalog_name) is not always available from a failed connection
    return getattr(exc, "sqlstate", None) == "3D000" or "does not exist" in str(exc)


__all__ = [
    "DB_LIST_TTL",
    "DEFAULT_MAX_REGISTRIES",
    "SERVER_WIDE_MODULES",
    "DatabaseNotFound",
    "DatabaseState",
    "Databases",
    "RegistryChanged",
    "db_filter",
]
