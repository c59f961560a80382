"""``erplite serve``: prepare the database, then serve HTTP until Ctrl-C or SIGTERM.

Worked example::

    erplite serve                                  # embedded PostgreSQL in the data directory
    erplite serve -d shop --bind 0.0.0.0:8069 --workers 4 --proxy-mode

The steps, in order:

1. Check that the port is free, before anything else, so that a busy port fails fast and a first
   start does not print an admin password for a server that never ran.
2. Open the database server (the configured one, or the embedded one) and prepare the database
   (:func:`erplite.cli.commands.init.prepare_database`): a first start creates it, installs the
   bundled modules with demo data and generates the admin password.
3. Print the URL (and, on a first start, the admin login and password, once).
4. Start the scheduler (unless ``--no-cron`` or ``--max-cron-threads 0``): an
   :class:`erplite.scheduler.CronRunner` in this process beside werkzeug, or an ``erplite
   cron`` child process beside gunicorn (its master forks workers: no threads there).
5. Serve ``erplite.http.Application``: werkzeug's threaded server with ``--workers 0`` (the
   default; ``--dev`` adds its reloader), gunicorn with ``--workers N``.
6. On Ctrl-C or SIGTERM, stop the HTTP server and the scheduler, close the connections and
   stop the embedded PostgreSQL; the exit code is 0.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from erplite.cli.commands.common import (
    CliError,
    database_server,
    print_admin_credentials,
    split_modules,
)
from erplite.cli.commands.init import modules_to_install_first, prepare_database
from erplite.cli.config import Config

__all__ = ["run", "check_port_free", "make_wsgi_app", "fallback_app", "stop_on_sigterm"]

_logger = logging.getLogger("erplite.cli")

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def run(config: Config, args: argparse.Namespace) -> int:
    pid = os.getpid()  # gunicorn's workers are forks: they unwind this stack when they exit
    host, port = config.host, config.port
    if config.workers > 0:
        _gunicorn_base()  # fail now, not after the database is prepared
    if not _running_from_reloader():  # the reloader's parent holds the socket already
        check_port_free(host, port)
    install = split_modules(getattr(args, "install", None))
    update = split_modules(getattr(args, "update", None))
    with stop_on_sigterm(), database_server(config, create_cluster=True) as server:
        prepared = prepare_database(
            server,
            config,
            install=install,
            update=update,
            first_install=modules_to_install_first(server),
        )
        if prepared.initialised:
            what = "the bundled modules" if server.embedded is not None else "base"
            demo = "" if config.without_demo else " and demo data"
            print(f"erplite: created database {prepared.dbname!r} with {what}{demo}", flush=True)
        print(
            f"erplite: serving database {prepared.dbname!r} at {config.url} (press Ctrl-C to stop)",
            flush=True,
        )
        if prepared.admin_password:
            print_admin_credentials(None, prepared.admin_password)
        dsn = prepared.dsn
        if config.workers > 0:
            from erplite.sql import close_all_pools

            close_all_pools()  # never share pooled connections with forked workers
            with _cron_process(dsn, prepared.dbname, config):
                _serve_gunicorn(lambda: make_wsgi_app(dsn, config), config)
        else:
            with _cron_threads(dsn, config):
                _serve_werkzeug(make_wsgi_app(dsn, config), host, port, config)
    if os.getpid() == pid:
        _logger.info("erplite stopped")
    return 0


# ---------------------------------------------------------------------------------------------
# Port and signals
# ---------------------------------------------------------------------------------------------


def check_port_free(host: str, port: int) -> None:
    """Raise CliError if ``host:port`` cannot be bound (in use, or not a local address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CliError(f"cannot bind to {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        # As the HTTP servers do: a port left in TIME_WAIT by a previous run is reusable.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(f"port {port} on {host} is already in use") from None
            raise CliError(f"cannot bind to {host}:{port}: {exc.strerror}") from None


def _running_from_reloader() -> bool:
    return os.environ.get("WERKZEUG_RUN_MAIN") == "true"


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM as Ctrl-C, so that the same clean stop runs."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------------------------
# The scheduler beside the HTTP server
# ---------------------------------------------------------------------------------------------


def _cron_wanted(config: Config) -> bool:
    # with --dev, the reloader's parent only watches files: the child runs the jobs
    return (
        not config.no_cron
        and config.max_cron_threads > 0
        and (not config.dev or _running_from_reloader())
    )


@contextlib.contextmanager
def _cron_threads(dsn: str, config: Config) -> Iterator[None]:
    """A cron runner in this process while the block runs (werkzeug's server)."""
    if not _cron_wanted(config):
        yield
        return
    from erplite.http.databases import Databases
    from erplite.scheduler import CronRunner

    runner = CronRunner(Databases(dsn, tuple(config.addons_path)), threads=config.max_cron_threads)
    runner.start()
    try:
        yield
    finally:
        runner.stop()


@contextlib.contextmanager
def _cron_process(dsn: str, dbname: str, config: Config) -> Iterator[None]:
    """An ``erplite cron`` child process while the block runs (beside gunicorn, whose master
    must not hold threads or connections when it forks workers). The DSN goes through the
    environment, never the command line (``ps`` shows arguments)."""
    if not _cron_wanted(config):
        yield
        return
    environ = {
        **os.environ,
        "ERPLITE_DSN": dsn,
        "ERPLITE_DB_NAME": dbname,
        "ERPLITE_ADDONS_PATH": ",".join(config.addons_path),
        "ERPLITE_LOG_LEVEL": config.log_level,
        "ERPLITE_MAX_CRON_THREADS": str(config.max_cron_threads),
    }
    child = subprocess.Popen([sys.executable, "-m", "erplite.cli.main", "cron"], env=environ)
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# ---------------------------------------------------------------------------------------------
# The WSGI application
# ---------------------------------------------------------------------------------------------


def make_wsgi_app(dsn: str, config: Config) -> WSGIApp:
    """``erplite.http.Application`` for ``dsn``; behind ProxyFix with ``--proxy-mode``."""
    try:
        from erplite.http import Application
    except ImportError as exc:
        _logger.warning("the HTTP layer is not available (%s): serving a minimal page", exc)
        app: WSGIApp = fallback_app
    else:
        app = Application(
            dsn,
            addons_paths=tuple(config.addons_path),
            max_content_length=config.max_content_length,
            max_json_depth=config.max_json_depth,
            dev=config.dev,
        )
    if config.proxy_mode:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    return app


def fallback_app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """The minimal application served while ``erplite.http`` is unavailable.

    Temporary: it only answers ``/`` ("erplite is running") and ``/web/health``, so that the
    command can be run and tested before the HTTP layer exists. It goes once that layer lands.
    """
    path = environ.get("PATH_INFO") or "/"
    if path == "/web/health":
        status, ctype, body = "200 OK", "application/json", json.dumps({"status": "pass"})
    elif path == "/":
        status, ctype, body = "200 OK", "text/plain; charset=utf-8", "erplite is running\n"
    else:
        status, ctype, body = "404 NOT FOUND", "text/plain; charset=utf-8", "Not Found\n"
    data = body.encode()
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
    return [data]


# ---------------------------------------------------------------------------------------------
# The HTTP servers
# ---------------------------------------------------------------------------------------------


def _serve_werkzeug(app: WSGIApp, host: str, port: int, config: Config) -> None:
    from werkzeug.serving import run_simple

    try:
        # run_simple returns on KeyboardInterrupt (Ctrl-C, or SIGTERM through the handler).
        run_simple(host, port, app, use_reloader=config.dev, threaded=True)
    except KeyboardInterrupt:
        pass


def _gunicorn_base() -> type:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise CliError("gunicorn is required for --workers: pip install gunicorn") from None
    return BaseApplication


def _serve_gunicorn(app_factory: Callable[[], WSGIApp], config: Config) -> None:
    base = _gunicorn_base()

    class GunicornServer(base):  # type: ignore[misc, valid-type]
        """gunicorn's master and ``config.workers`` workers, each building its own app."""

        def load_config(self) -> None:
            settings = {
                "bind": [config.bind],
                "workers": config.workers,
                "loglevel": config.log_level,
                "accesslog": "-",
                "proc_name": "erplite",
                "timeout": 120,
                "graceful_timeout": 30,
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24
                settings["control_socket_disable"] = True
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return app_factory()

    try:
        GunicornServer().run()
    except SystemExit as exc:  # gunicorn's arbiter exits with sys.exit()
        if exc.code not in (0, None):
            raise CliError(f"gunicorn stopped with exit code {exc.code}") from None
