"""What the commands share: the database server they talk to, and the registry calls.

Worked example::

    with database_server(config) as server:     # embedded PostgreSQL when none is configured
        dsn = server.dsn_for(server.default_dbname)
        check_connection(dsn)                    # CliError naming the database if unreachable
        registry = open_registry(dsn, config)

The ORM (``erplite.Registry``, ``erplite.api``) and the module loader are imported inside the
functions that use them, so that the command's parser, its configuration and ``--help`` work
without them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg.conninfo

from erplite.cli.config import Config, redact_dsn
from erplite.cli.embedded import MAINTENANCE_DB, EmbeddedPostgres, EmbeddedPostgresError
from erplite.sql import dsn_with_dbname

__all__ = [
    "CliError",
    "DatabaseServer",
    "database_server",
    "check_connection",
    "is_initialised",
    "bundled_modules",
    "open_registry",
    "new_registry",
    "set_admin_password",
    "environment",
    "print_admin_credentials",
    "drop_database",
    "split_modules",
    "one_line",
    "EMBEDDED_DBNAME",
    "ADMIN_LOGIN",
]

_logger = logging.getLogger("erplite.cli")

EMBEDDED_DBNAME = "erplite"
ADMIN_LOGIN = "admin"


class CliError(Exception):
    """An error the command reports as one line, ``erplite: <message>``, with exit code 1."""


def one_line(text: str) -> str:
    """Collapse a (possibly multi-line) message into one line."""
    return re.sub(r"\s+", " ", str(text)).strip()


def split_modules(values: Sequence[str] | str | None) -> tuple[str, ...]:
    """``["a,b", "c"]`` or ``"a,b"`` -> ``("a", "b", "c")``, duplicates dropped, order kept."""
    if not values:
        return ()
    if isinstance(values, str):
        values = [values]
    names: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    return tuple(names)


# ---------------------------------------------------------------------------------------------
# The server: configured, or embedded
# ---------------------------------------------------------------------------------------------


@dataclass
class DatabaseServer:
    """The PostgreSQL server a command talks to.

    ``base_dsn`` reaches its maintenance database (``postgres``); ``default_dbname`` is the
    database the configuration names (``erplite`` on the embedded server); ``embedded`` is the
    running :class:`EmbeddedPostgres`, or None for a configured server.
    """

    base_dsn: str
    default_dbname: str | None
    embedded: EmbeddedPostgres | None = None

    @property
    def label(self) -> str:
        """The server in words, for messages: which embedded cluster, or which DSN."""
        if self.embedded is not None:
            return f"the embedded PostgreSQL in {self.embedded.pgdata}"
        return f"the server {redact_dsn(self.base_dsn)}"

    def dsn_for(self, dbname: str) -> str:
        return dsn_with_dbname(self.base_dsn, dbname)

    def require_dbname(self, dbname: str | None = None) -> str:
        name = dbname or self.default_dbname
        if not name:
            raise CliError("no database given: use -d NAME (or a --dsn with dbname=...)")
        return name


@contextlib.contextmanager
def database_server(config: Config, *, create_cluster: bool = False) -> Iterator[DatabaseServer]:
    """The configured server, or the embedded one (started now, stopped when the block ends).

    The embedded server is the one in ``config.data_dir`` (``--data-dir``,
    ``ERPLITE_DATA_DIR``), as ``erplite serve`` uses it. Only a command that creates databases
    (``create_cluster``) initialises a new cluster there; any other raises a CliError naming
    the folder it looked in, rather than silently starting an empty second cluster.
    """
    dsn = config.resolved_dsn()
    if dsn is not None:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
        dbname = params.get("dbname") or None
        try:
            yield DatabaseServer(
                base_dsn=dsn_with_dbname(dsn, MAINTENANCE_DB),
                default_dbname=str(dbname) if dbname else None,
            )
        finally:
            _close_pools()
        return
    embedded = EmbeddedPostgres(config.data_dir)
    if not create_cluster and not embedded.initialised:
        raise CliError(
            f"there is no embedded PostgreSQL in {embedded.pgdata}: create one with "
            "'erplite serve', name the data directory of yours with --data-dir DIR (or "
            "ERPLITE_DATA_DIR), or give another server with --dsn or --db-host"
        )
    try:
        try:
            base_dsn = embedded.start()
        except EmbeddedPostgresError as exc:
            raise CliError(one_line(str(exc))) from exc
        yield DatabaseServer(
            base_dsn=base_dsn,
            default_dbname=config.database_name or EMBEDDED_DBNAME,
            embedded=embedded,
        )
    finally:
        _close_pools()
        embedded.stop()


def _close_pools() -> None:
    from erplite.sql import close_all_pools

    close_all_pools()


def check_connection(dsn: str, server: DatabaseServer | None = None) -> None:
    """Connect once to ``dsn``; raise CliError (without the password) if that fails.

    On the embedded ``server``, the message names the database and the cluster's folder
    rather than the connection string (a socket in a temporary folder).
    """
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=_connect_timeout(dsn)):
            pass
    except psycopg.OperationalError as exc:
        if server is not None and server.embedded is not None:
            dbname = psycopg.conninfo.conninfo_to_dict(dsn).get("dbname")
            where = f"{dbname!r} on {server.label}"
        else:
            where = redact_dsn(dsn)
        raise CliError(f"cannot connect to the database {where}: {one_line(str(exc))}") from exc


def _connect_timeout(dsn: str) -> int:
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    return int(params.get("connect_timeout") or 10)


def is_initialised(dsn: str) -> bool:
    """Whether the database holds erplite's tables (``ir_module_module``)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('ir_module_module') IS NOT NULL").fetchone()
    return bool(row and row[0])


# ---------------------------------------------------------------------------------------------
# Modules and registry (imported lazily)
# ---------------------------------------------------------------------------------------------


def bundled_modules() -> tuple[str, ...]:
    """The names of erplite's own modules that are installable, sorted."""
    from erplite.loading.manifest import discover_modules, read_manifest

    names = []
    for name, folder in discover_modules((), include_entry_points=False).items():
        if read_manifest(folder).installable:
            names.append(name)
    return tuple(sorted(names))


def _registry_class() -> Any:
    from erplite.loading.loader import Registry

    return Registry


def open_registry(dsn: str, config: Config) -> Any:
    """``erplite.Registry(dsn, addons_paths)``: an initialised database, as it is."""
    return _registry_class()(dsn, addons_paths=tuple(config.addons_path))


def new_registry(
    dsn: str,
    config: Config,
    *,
    install: Sequence[str] = (),
    update: Sequence[str] = (),
    demo: bool,
) -> Any:
    """``erplite.Registry.new``: initialise, install and upgrade, in one transaction."""
    if install:
        _logger.info("installing %s", ", ".join(install))
    if update:
        _logger.info("upgrading %s", ", ".join(update))
    return _registry_class().new(
        dsn,
        install=tuple(install),
        update=tuple(update),
        addons_paths=tuple(config.addons_path),
        demo=demo,
    )


@contextlib.contextmanager
def environment(registry: Any, *, commit: bool = True) -> Iterator[Any]:
    """A superuser ``env`` on a new cursor; committed at the end unless ``commit`` is False."""
    from erplite import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            yield env
        finally:
            if not commit:
                cr.rollback()


def set_admin_password(registry: Any) -> str:
    """Give ``base.user_admin`` a new random password, commit, and return it."""
    password = secrets.token_urlsafe(12)
    with environment(registry) as env:
        env.ref("base.user_admin").password = password
    return password


def print_admin_credentials(url: str | None, password: str) -> None:
    """The once-only notice of a new database's admin password (stdout)."""
    lines = []
    if url:
        lines.append(f"  URL:      {url}")
    lines.append(f"  Login:    {ADMIN_LOGIN}")
    lines.append(f"  Password: {password}")
    lines.append("  (The password is shown once: store it. It is not printed again.)")
    print("\n".join(lines), flush=True)


def drop_database(base_dsn: str, dbname: str) -> None:
    """DROP DATABASE, closing erplite's pooled connections to it first."""
    from psycopg import sql

    from erplite.sql import admin_connection, close_pool

    with contextlib.suppress(Exception):
        close_pool(dsn_with_dbname(base_dsn, dbname))
    with admin_connection(base_dsn) as conn:
        force = conn.info.server_version >= 130000
        query = sql.SQL("DROP DATABASE {}" + (" WITH (FORCE)" if force else "")).format(
            sql.Identifier(dbname)
        )
        conn.execute(query)
