"""The ``erplite`` command: parse the arguments, load the configuration, run one command.

Worked example::

    erplite serve                                   # embedded PostgreSQL, first start installs
    erplite -d shop -i base,orders --stop-after-init
    erplite -c erplite.conf serve --workers 4
    erplite db list
    erplite shell -d shop
    erplite module list -d shop
    erplite apikey create --login admin --name ci -d shop
    erplite user password --login admin -d shop
    erplite cron -d shop --max-cron-threads 2
    erplite governance backfill -d shop --dry-run

The call graph of one run:

1. :func:`build_parser` parses ``argv``. Every option that feeds the configuration defaults to
   ``argparse.SUPPRESS``, so the namespace holds only the flags the user gave, and the global
   and database options are accepted before or after the subcommand.
2. :func:`erplite.cli.config.load_config` merges the INI file (``-c``), the ``ERPLITE_*``
   variables and those flags into a :class:`~erplite.cli.config.Config`.
3. :func:`setup_logging` sends the log to stderr at ``--log-level``.
4. The subcommand's ``run`` function (in ``erplite.cli.commands``, imported only when chosen)
   does the work and returns the exit code. The bare form (no subcommand) is ``serve``, or the
   install/upgrade of ``erplite.cli.commands.init`` with ``--stop-after-init``, as in Odoo.
5. Any error becomes one line on stderr, ``erplite: <message>``, and exit code 1; ``--dev``
   lets the exception (and its traceback) through instead. Usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

import psycopg

from erplite import pooler
from erplite.cli.commands.common import CliError, one_line
from erplite.cli.config import LOG_LEVELS, Config, ConfigError, load_config

__all__ = ["main", "build_parser", "setup_logging", "format_error", "CliError", "ConfigError"]

S = argparse.SUPPRESS
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("general options")
    group.add_argument(
        "-c", "--config", metavar="FILE", default=S, help="read options from this INI file"
    )
    group.add_argument(
        "--log-level",
        "--log_level",
        dest="log_level",
        metavar="LEVEL",
        default=S,
        help=f"one of {', '.join(LOG_LEVELS)} (default: info)",
    )
    group.add_argument(
        "--dev",
        action="store_true",
        default=S,
        help="development mode: reload on code changes, show tracebacks",
    )


def _add_database_options(parser: argparse.ArgumentParser, *, with_name: bool = True) -> None:
    group = parser.add_argument_group("database options")
    group.add_argument(
        "--dsn", metavar="DSN", default=S, help="libpq connection string or postgresql:// URI"
    )
    if with_name:
        group.add_argument(
            "-d", "--database", "--db-name", dest="db_name", metavar="DB", default=S,
            help="database name",
        )  # fmt: skip
    for flag, meta, text in (
        ("host", "HOST", "database server host"),
        ("port", "PORT", "database server port"),
        ("user", "USER", "database user"),
        ("password", "PASSWORD", "database password (prefer PGPASSWORD or the config file)"),
    ):
        group.add_argument(
            f"--db-{flag}", f"--db_{flag}", dest=f"db_{flag}", metavar=meta, default=S, help=text
        )
    group.add_argument(
        "--db-pooler",
        "--db_pooler",
        dest="db_pooler",
        metavar="MODE",
        default=S,
        help="'transaction': PostgreSQL is reached through PgBouncer in transaction mode "
        "(no server-side prepared statements; sessions over --db-direct-dsn)",
    )
    group.add_argument(
        "--db-direct-dsn",
        "--db_direct_dsn",
        dest="db_direct_dsn",
        metavar="DSN",
        default=S,
        help="with --db-pooler: the server reached directly, for LISTEN, the module loading "
        "lock and creating/dropping databases",
    )
    group.add_argument(
        "--data-dir",
        "--data_dir",
        dest="data_dir",
        metavar="DIR",
        default=S,
        help="where the embedded PostgreSQL keeps its data "
        "(default: $XDG_DATA_HOME/erplite or ~/.local/share/erplite)",
    )
    group.add_argument(
        "--addons-path",
        "--addons_path",
        dest="addons_path",
        metavar="PATHS",
        default=S,
        help="comma-separated folders holding more modules",
    )


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server options")
    group.add_argument(
        "--bind", metavar="HOST:PORT", default=S, help="address to listen on (127.0.0.1:8069)"
    )
    group.add_argument(
        "--workers",
        metavar="N",
        default=S,
        help="0 (default): one threaded process; N>0: N gunicorn worker processes",
    )
    group.add_argument(
        "--proxy-mode",
        "--proxy_mode",
        dest="proxy_mode",
        action="store_true",
        default=S,
        help="trust the X-Forwarded-* headers of a reverse proxy",
    )
    group.add_argument(
        "--max-content-length",
        "--max_content_length",
        dest="max_content_length",
        metavar="BYTES",
        default=S,
        help="largest request body accepted (default 4194304); larger ones get a 413",
    )
    group.add_argument(
        "--max-json-depth",
        "--max_json_depth",
        dest="max_json_depth",
        metavar="N",
        default=S,
        help="deepest nesting of lists/objects accepted in a JSON or XML-RPC request (64)",
    )
    group.add_argument(
        "--db-filter", "--dbfilter", dest="dbfilter", metavar="REGEXP", default=S,
        help=argparse.SUPPRESS,
    )  # fmt: skip


def _add_cron_options(parser: argparse.ArgumentParser, *, serve: bool) -> None:
    group = parser.add_argument_group("scheduler")
    group.add_argument(
        "--max-cron-threads",
        "--max_cron_threads",
        dest="max_cron_threads",
        metavar="N",
        default=S,
        help="threads running scheduled jobs (default 2)" + (", 0: none" if serve else ""),
    )
    if serve:
        group.add_argument(
            "--no-cron",
            "--no_cron",
            dest="no_cron",
            action="store_true",
            default=S,
            help="do not run scheduled jobs in this process (run 'erplite cron' beside it)",
        )


def _add_init_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("install and upgrade")
    group.add_argument(
        "-i", "--init", dest="install", action="append", metavar="MODULES", default=S,
        help="install these modules (comma-separated)",
    )  # fmt: skip
    group.add_argument(
        "-u", "--update", dest="update", action="append", metavar="MODULES", default=S,
        help="upgrade these modules (comma-separated)",
    )  # fmt: skip
    group.add_argument(
        "--stop-after-init",
        "--stop_after_init",
        dest="stop_after_init",
        action="store_true",
        default=S,
        help="exit once installed/upgraded instead of serving",
    )
    group.add_argument(
        "--without-demo",
        "--without_demo",
        dest="without_demo",
        action="store_true",
        default=S,
        help="do not load demo data",
    )


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------


def _leaf(
    subparsers: argparse._SubParsersAction,
    name: str,
    handler: str,
    help_text: str,
    *,
    database: bool = True,
    with_name: bool = True,
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    _add_global_options(parser)
    if database:
        _add_database_options(parser, with_name=with_name)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The parser of every form of the command; each leaf sets ``handler`` ("module:function")."""
    from erplite import __version__

    parser = Parser(
        prog="erplite",
        description="erplite: an Odoo-style business application framework.",
        epilog="Without a subcommand: install/upgrade (-i/-u), then serve unless "
        "--stop-after-init, as Odoo does.",
    )
    parser.add_argument("--version", action="version", version=f"erplite {__version__}")
    _add_global_options(parser)
    _add_database_options(parser)
    _add_server_options(parser)
    _add_init_options(parser)
    _add_cron_options(parser, serve=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = _leaf(commands, "serve", SERVE, "run the HTTP server")
    _add_server_options(serve)
    _add_init_options(serve)
    _add_cron_options(serve, serve=True)

    cron = _leaf(
        commands,
        "cron",
        "erplite.cli.commands.cron:run",
        "run the scheduled jobs of the database (-d NAME[,NAME...], else every database the "
        "dbfilter allows) until Ctrl-C",
    )
    _add_cron_options(cron, serve=False)
    cron.add_argument(
        "--db-filter", "--dbfilter", dest="dbfilter", metavar="REGEXP", default=S,
        help="without -d: the databases whose jobs to run (a regular expression)",
    )  # fmt: skip

    _add_db_commands(commands)
    _leaf(
        commands,
        "shell",
        "erplite.cli.commands.shell:run",
        "a Python prompt with env and registry set (nothing committed unless you do)",
    )

    _add_module_commands(commands)
    _add_apikey_commands(commands)
    _add_governance_commands(commands)
    _add_user_commands(commands)
    return parser


def _add_db_commands(commands: argparse._SubParsersAction) -> None:
    """``erplite db create|drop|list|dump|restore``."""
    db = commands.add_parser("db", help="create, drop, list, dump and restore databases")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    create = _leaf(
        db_commands,
        "create",
        "erplite.cli.commands.db:run_create",
        "create a database and install base (and --install modules)",
        with_name=False,
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--install", action="append", metavar="MODULES", help="modules to install (comma-separated)"
    )
    create.add_argument("--demo", action="store_true", help="load demo data")
    drop = _leaf(
        db_commands, "drop", "erplite.cli.commands.db:run_drop", "drop a database", with_name=False
    )
    drop.add_argument("name", metavar="NAME")
    _leaf(
        db_commands, "list", "erplite.cli.commands.db:run_list", "list databases", with_name=False
    )
    dump = _leaf(
        db_commands,
        "dump",
        "erplite.cli.commands.db:run_dump",
        "dump a database with pg_dump (custom format)",
        with_name=False,
    )
    dump.add_argument("name", metavar="NAME")
    dump.add_argument("file", metavar="FILE")
    restore = _leaf(
        db_commands,
        "restore",
        "erplite.cli.commands.db:run_restore",
        "restore a dump into a new database with pg_restore",
        with_name=False,
    )
    restore.add_argument("name", metavar="NAME")
    restore.add_argument("file", metavar="FILE")


def _add_module_commands(commands: argparse._SubParsersAction) -> None:
    """``erplite module list``."""
    module = commands.add_parser("module", help="inspect modules")
    module_commands = module.add_subparsers(dest="module_command", metavar="ACTION", required=True)
    _leaf(
        module_commands,
        "list",
        "erplite.cli.commands.module:run_list",
        "list modules with their state and installed version",
    )


def _add_apikey_commands(commands: argparse._SubParsersAction) -> None:
    """``erplite apikey create|list|revoke``."""
    apikey = commands.add_parser("apikey", help="create, list and revoke users' API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)
    create_key = _leaf(
        apikey_commands,
        "create",
        "erplite.cli.commands.apikey:run_create",
        "create an API key for a user and print it (shown this once)",
    )
    create_key.add_argument("--login", required=True, help="the user the key belongs to")
    create_key.add_argument("--name", required=True, help="what the key is for (to revoke it)")
    create_key.add_argument(
        "--scope", default=None, help="what the key may be used for (default: rpc)"
    )
    create_key.add_argument(
        "--expires", metavar="DATE", default=None, help="YYYY-MM-DD[ HH:MM] (UTC); default never"
    )
    list_keys = _leaf(
        apikey_commands,
        "list",
        "erplite.cli.commands.apikey:run_list",
        "list API keys (ids, names, scopes, dates; never the keys)",
    )
    list_keys.add_argument("--login", default=None, help="only this user's keys")
    revoke_key = _leaf(
        apikey_commands,
        "revoke",
        "erplite.cli.commands.apikey:run_revoke",
        "revoke a user's API key, named by its id or its name",
    )
    revoke_key.add_argument("--login", required=True, help="the user the key belongs to")
    revoke_key.add_argument("key", metavar="ID_OR_NAME")


def _add_governance_commands(commands: argparse._SubParsersAction) -> None:
    """``erplite governance backfill``."""
    governance = commands.add_parser("governance", help="customer governance maintenance")
    governance_commands = governance.add_subparsers(
        dest="governance_command", metavar="ACTION", required=True
    )
    backfill = _leaf(
        governance_commands,
        "backfill",
        "erplite.cli.commands.governance:run_backfill",
        "build the customers' assignments from their stamps (x_sa_id, x_actor_id)",
    )
    backfill.add_argument(
        "--dry-run", action="store_true", help="print what would be done, write nothing"
    )


def _add_user_commands(commands: argparse._SubParsersAction) -> None:
    """``erplite user password``."""
    user = commands.add_parser("user", help="manage users (a lost password)")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    password = _leaf(
        user_commands,
        "password",
        "erplite.cli.commands.user:run_password",
        "set a user's password (asked twice on a terminal, else read from stdin)",
    )
    password.add_argument("--login", required=True, help="the user whose password to set")
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (never give it as an argument)",
    )


SERVE = "erplite.cli.commands.server:run"
INIT = "erplite.cli.commands.init:run"


def _handler(args: argparse.Namespace) -> Callable[[Config, argparse.Namespace], int]:
    # No subcommand is serve; serve with --stop-after-init is install/upgrade and stop.
    target = getattr(args, "handler", None) or SERVE
    if target == SERVE and getattr(args, "stop_after_init", False):
        target = INIT
    module_name, _, function = target.partition(":")
    return getattr(importlib.import_module(module_name), function)


# ---------------------------------------------------------------------------------------------
# Logging and errors
# ---------------------------------------------------------------------------------------------


class _StderrHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr``, erasing a progress bar drawn there first."""

    erplite = True

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        # pytest's capture, for one, replaces sys.stderr (and closes the old one): follow it,
        # without setStream(), which would flush the closed stream.
        self.stream = sys.stderr
        from erplite.tools.progress import clear_active_bar

        clear_active_bar()
        super().emit(record)


def setup_logging(level: str = "info") -> None:
    """Log to stderr at ``level`` with time, level and logger name (replacing our own handler)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "erplite", False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    numeric = getattr(logging, level.upper(), logging.INFO)
    root.setLevel(numeric)
    # Chatty libraries stay at WARNING unless debugging.
    for name in ("pgserver", "psycopg", "psycopg.pool", "filelock", "fasteners"):
        logging.getLogger(name).setLevel(logging.DEBUG if numeric <= logging.DEBUG else "WARNING")


def format_error(exc: BaseException) -> str:
    """The one-line message of ``exc``, without ``erplite:``."""
    message = one_line(str(exc))
    if isinstance(exc, (CliError, ConfigError)):
        return message or type(exc).__name__
    if isinstance(exc, psycopg.OperationalError):
        return f"database error: {message}"
    module = type(exc).__module__ or ""
    if module.startswith("erplite"):
        return message or type(exc).__name__
    name = type(exc).__name__
    text = f"{name}: {message}" if message else name
    return f"{text} (run with --dev for the traceback)"


def _early_dev(args: argparse.Namespace | None) -> bool:
    if args is not None and getattr(args, "dev", False):
        return True
    return os.environ.get("ERPLITE_DEV", "").strip().lower() in ("1", "true", "yes", "on")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command for ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    args: argparse.Namespace | None = None
    dev = False
    try:
        try:
            args = build_parser().parse_args(list(argv) if argv is not None else None)
        except SystemExit as exc:  # --help, --version, usage errors
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        dev = _early_dev(args)
        config = load_config(args)
        dev = config.dev
        os.environ.update(config.mail_environ())  # the mail module's SMTP fallback
        os.environ.update(config.pooler_environ())  # for gunicorn workers and cron children
        pooler.configure(config.db_pooler, config.db_direct_dsn)
        setup_logging(config.log_level)
        return _handler(args)(config, args)
    except KeyboardInterrupt:
        print("erplite: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(f"erplite: {exc.code}", file=sys.stderr)
        return 1
    except Exception as exc:
        if dev:
            raise
        print(f"erplite: {format_error(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
