"""``erplite db create|drop|list|dump|restore``: databases on the configured (or embedded) server.

Worked example::

    erplite db create shop --install orders --demo    # prints the new admin password once
    erplite db list
    erplite db dump shop shop.dump                    # pg_dump --format=custom
    erplite db restore shop-copy shop.dump            # into a new database, via pg_restore
    erplite db drop shop-copy

``dump`` and ``restore`` run PostgreSQL's own programs with argument lists (never a shell).
The connection goes to them as a ``--dbname`` conninfo without the password, which travels in
``PGPASSWORD`` so that it never shows in the process list. On the embedded server the programs
shipped with it (``pgserver/pginstall/bin``) are used, since they match its version; otherwise
those on ``PATH`` come first.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
from pathlib import Path

import psycopg.conninfo

from erplite.cli.commands.common import (
    CliError,
    DatabaseServer,
    check_connection,
    database_server,
    drop_database,
    one_line,
    print_admin_credentials,
    split_modules,
)
from erplite.cli.commands.init import prepare_database
from erplite.cli.config import Config
from erplite.cli.embedded import database_exists, ensure_database, pgserver_bin_dir

__all__ = ["run_create", "run_drop", "run_list", "run_dump", "run_restore", "find_pg_tool"]

_logger = logging.getLogger("erplite.cli")


def run_create(config: Config, args: argparse.Namespace) -> int:
    name = args.name
    install = split_modules(getattr(args, "install", None))
    with database_server(config, create_cluster=True) as server:
        check_connection(server.base_dsn, server)
        if not ensure_database(server.base_dsn, name):
            raise CliError(f"database {name!r} already exists on {server.label}")
        try:
            prepared = prepare_database(
                server,
                config,
                dbname=name,
                create=False,
                install=install,
                demo=bool(args.demo),
                load_registry=False,
            )
        except BaseException:
            _drop_quietly(server, name)
            raise
        print(f"erplite: created database {name!r}", flush=True)
        if prepared.admin_password:
            print_admin_credentials(None, prepared.admin_password)
    return 0


def run_drop(config: Config, args: argparse.Namespace) -> int:
    name = args.name
    with database_server(config) as server:
        check_connection(server.base_dsn, server)
        if not database_exists(server.base_dsn, name):
            raise CliError(f"database {name!r} does not exist on {server.label}")
        drop_database(server.base_dsn, name)
        print(f"erplite: dropped database {name!r}", flush=True)
    return 0


def run_list(config: Config, args: argparse.Namespace) -> int:
    with database_server(config) as server:
        check_connection(server.base_dsn, server)
        from erplite.sql import admin_connection

        with admin_connection(server.base_dsn) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database"
                " WHERE NOT datistemplate AND datallowconn AND datname <> 'postgres'"
                " ORDER BY datname"
            ).fetchall()
    for (name,) in rows:
        print(name)
    return 0


def run_dump(config: Config, args: argparse.Namespace) -> int:
    name, target = args.name, Path(args.file).expanduser()
    with database_server(config) as server:
        dsn = server.dsn_for(name)
        check_connection(dsn, server)
        pg_dump = find_pg_tool("pg_dump", server)
        command = [
            pg_dump,
            "--format=custom",
            "--no-owner",
            f"--file={target}",
            *_connection_args(dsn),
        ]
        _run_tool(command, dsn, "pg_dump")
        print(f"erplite: dumped database {name!r} to {target}", flush=True)
    return 0


def run_restore(config: Config, args: argparse.Namespace) -> int:
    name, source = args.name, Path(args.file).expanduser()
    if not source.is_file():
        raise CliError(f"dump file {source} does not exist")
    with database_server(config, create_cluster=True) as server:
        check_connection(server.base_dsn, server)
        pg_restore = find_pg_tool("pg_restore", server)
        if not ensure_database(server.base_dsn, name):
            raise CliError(
                f"database {name!r} already exists on {server.label}: "
                "drop it first or pick another name"
            )
        dsn = server.dsn_for(name)
        command = [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *_connection_args(dsn),
            str(source),
        ]
        try:
            _run_tool(command, dsn, "pg_restore")
        except BaseException:
            _drop_quietly(server, name)
            raise
        print(f"erplite: restored {source} into database {name!r}", flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# PostgreSQL's programs
# ---------------------------------------------------------------------------------------------


def find_pg_tool(program: str, server: DatabaseServer | None = None) -> str:
    """The path of ``pg_dump``/``pg_restore``: pgserver's for the embedded server, else PATH's."""
    shipped = pgserver_bin_dir()
    candidates: list[str | None] = []
    shipped_path = str(shipped / program) if shipped else None
    if server is not None and server.embedded is not None:
        candidates.append(shipped_path)
    candidates.append(shutil.which(program))
    candidates.append(shipped_path)
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise CliError(
        f"{program} not found: install the PostgreSQL client programs "
        "(for instance the postgresql-client package) or put them on PATH"
    )


def _connection_args(dsn: str) -> list[str]:
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    params.pop("password", None)
    conninfo = psycopg.conninfo.make_conninfo(
        "", **{k: v for k, v in params.items() if v is not None}
    )
    return [f"--dbname={conninfo}"]


def _run_tool(command: list[str], dsn: str, program: str) -> None:
    env = dict(os.environ)
    password = psycopg.conninfo.conninfo_to_dict(dsn).get("password")
    if password:
        env["PGPASSWORD"] = str(password)
    _logger.debug("running %s", command[0])
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise CliError(f"cannot run {program}: {exc.strerror}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines
        reason = one_line(errors[0]) if errors else f"exit code {result.returncode}"
        raise CliError(f"{program} failed: {reason}")


def _drop_quietly(server: DatabaseServer, name: str) -> None:
    try:
        drop_database(server.base_dsn, name)
    except Exception:
        _logger.warning("could not drop database %s after the failure", name, exc_info=True)
