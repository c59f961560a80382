"""``erplite -d DB -i mod1,mod2 -u mod --stop-after-init``: install and upgrade, then stop.

Worked example::

    erplite -d shop -i base,orders --stop-after-init     # create "shop" if need be, install
    erplite -d shop -u orders --stop-after-init          # upgrade "orders", run its migrations

:func:`prepare_database` is the step every command that opens a database shares: create it if
missing (when allowed), initialise it with erplite's tables and modules when it has none, apply
``-i``/``-u``, and generate the admin password of a database it initialised. A database this
step created is dropped again if the installation fails, so a failed first start leaves nothing
behind; a failed install or upgrade on an existing database is rolled back by the registry.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from erplite.cli.commands.common import (
    CliError,
    DatabaseServer,
    bundled_modules,
    check_connection,
    database_server,
    drop_database,
    is_initialised,
    new_registry,
    open_registry,
    print_admin_credentials,
    set_admin_password,
    split_modules,
)
from erplite.cli.config import Config
from erplite.cli.embedded import database_exists, ensure_database

__all__ = ["Prepared", "prepare_database", "run"]

_logger = logging.getLogger("erplite.cli")


@dataclass
class Prepared:
    """The database a command works on, once :func:`prepare_database` is done with it."""

    dbname: str
    dsn: str
    registry: Any = None  # the open registry, when one was opened
    created: bool = False  # the database was created by this command
    initialised: bool = False  # erplite's tables were installed by this command
    admin_password: str | None = None  # set when ``initialised``: print it once


def prepare_database(
    server: DatabaseServer,
    config: Config,
    *,
    dbname: str | None = None,
    create: bool = True,
    initialise: bool = True,
    install: Sequence[str] = (),
    update: Sequence[str] = (),
    first_install: Sequence[str] = (),
    demo: bool | None = None,
    load_registry: bool = True,
) -> Prepared:
    """Make database ``dbname`` ready, as far as the flags allow; see the module docstring.

    ``first_install`` are the modules installed (besides ``install``) into a database that has
    no erplite tables yet; ``demo`` defaults to ``not config.without_demo``.
    """
    name = server.require_dbname(dbname)
    dsn = server.dsn_for(name)
    if demo is None:
        demo = not config.without_demo

    created = False
    try:
        check_connection(dsn, server)
    except CliError:
        if not _is_missing(server, name):
            raise
        if not create:
            raise CliError(f"database {name!r} does not exist on {server.label}") from None
        created = ensure_database(server.base_dsn, name)
        check_connection(dsn, server)

    prepared = Prepared(dbname=name, dsn=dsn, created=created)
    try:
        if created or not is_initialised(dsn):
            if not initialise:
                raise CliError(
                    f"database {name!r} has no erplite tables: initialise it with "
                    f"'erplite -d {name} -i base --stop-after-init'"
                )
            modules = split_modules([*install, *first_install])
            prepared.registry = new_registry(dsn, config, install=modules, update=(), demo=demo)
            prepared.initialised = True
            prepared.admin_password = set_admin_password(prepared.registry)
            # ``update`` has nothing to do on a database installed just now.
        elif install or update:
            prepared.registry = new_registry(dsn, config, install=install, update=update, demo=demo)
        elif load_registry:
            prepared.registry = open_registry(dsn, config)
    except BaseException:
        if created:
            _logger.info("dropping database %s, created by this failed command", name)
            try:
                drop_database(server.base_dsn, name)
            except Exception:
                _logger.warning("could not drop database %s", name, exc_info=True)
        raise
    return prepared


def _is_missing(server: DatabaseServer, dbname: str) -> bool:
    """True if the server answers and has no database ``dbname``; False if unsure."""
    try:
        return not database_exists(server.base_dsn, dbname)
    except psycopg.Error:
        return False


def modules_to_install_first(server: DatabaseServer) -> tuple[str, ...]:
    """What a new database gets: every bundled module on the embedded server, else only base."""
    return bundled_modules() if server.embedded is not None else ()


def run(config: Config, args: argparse.Namespace) -> int:
    """The bare form with ``--stop-after-init``: install/upgrade, print, stop."""
    install = split_modules(getattr(args, "install", None))
    update = split_modules(getattr(args, "update", None))
    with database_server(config, create_cluster=True) as server:
        prepared = prepare_database(
            server,
            config,
            install=install,
            update=update,
            first_install=modules_to_install_first(server),
            load_registry=False,
        )
        if prepared.initialised:
            print(f"erplite: database {prepared.dbname!r} initialised", flush=True)
        if prepared.admin_password:
            print_admin_credentials(None, prepared.admin_password)
        done = []
        if install:
            done.append("installed " + ", ".join(install))
        if update:
            done.append("upgraded " + ", ".join(update))
        if done:
            print(f"erplite: {'; '.join(done)} in database {prepared.dbname!r}", flush=True)
    return 0
