"""The private PostgreSQL that ``erplite serve`` runs when no database is configured.

Worked example::

    from pathlib import Path
    from erplite.cli.embedded import EmbeddedPostgres, ensure_database

    with EmbeddedPostgres(Path("~/.local/share/erplite").expanduser()) as pg:
        base_dsn = pg.start()                      # the ``postgres`` maintenance database
        created = ensure_database(base_dsn, "erplite")
        dsn = pg.dsn_for("erplite")                # hand this to erplite.Registry
    # the server is stopped here (and, failing that, when the process exits)

The cluster lives in ``data_dir / "pgdata"``; ``pgserver`` runs it from its own PostgreSQL
build, listening on a unix socket only, so it never takes a TCP port. A restart on the same data
directory finds the data as it was left.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from psycopg import sql

from erplite.sql import admin_connection, dsn_with_dbname

__all__ = [
    "EmbeddedPostgres",
    "EmbeddedPostgresError",
    "ensure_database",
    "database_exists",
    "pgserver_bin_dir",
]

_logger = logging.getLogger(__name__)
MAINTENANCE_DB = "postgres"
# pgserver keeps one handle per data directory and process: count our users of each, so that
# stopping one EmbeddedPostgres does not stop the server under another one of this process.
_users: dict[Path, int] = {}
_users_lock = threading.Lock()


class EmbeddedPostgresError(Exception):
    """The embedded server could not be started."""


def _import_pgserver() -> Any:
    # pgserver computes a runtime directory when imported and warns (RuntimeDirWarning) when
    # XDG_RUNTIME_DIR is unset; the fallback it picks is fine for us, so the warning is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError as exc:  # pragma: no cover - pgserver is a dependency
            raise EmbeddedPostgresError(
                f"the embedded PostgreSQL needs the 'pgserver' package ({exc})"
            ) from None
    return pgserver


def pgserver_bin_dir() -> Path | None:
    """The folder of the PostgreSQL programs shipped by pgserver (pg_dump, pg_restore, ...)."""
    try:
        pgserver = _import_pgserver()
    except EmbeddedPostgresError:
        return None
    path = Path(pgserver.__file__).parent / "pginstall" / "bin"
    return path if path.is_dir() else None


def _forget_dead_handles(pgserver: Any, pgdata: Path) -> None:
    """Drop the processes that no longer exist from pgserver's list of the server's users.

    pgserver stops the server when its last user exits, and counts users in a file of process
    ids. A process killed outright (SIGKILL, a crash) stays listed, and the server would then
    never be stopped again: forget such processes before joining.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    lock = getattr(getattr(pgserver, "postgres_server", None), "PostgresServer", None)
    lock = getattr(lock, "_lock", None) or contextlib.nullcontext()
    with lock:
        try:
            pids = json.loads(handles.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and _process_exists(pid)]
        if alive != pids:
            _logger.debug("forgetting dead users of the embedded PostgreSQL: %s", pids)
            handles.write_text(json.dumps(alive))


def _other_users(pgdata: Path) -> list[int]:
    """The live processes, other than this one, that pgserver counts as users of the server."""
    try:
        pids = json.loads((pgdata / ".handle_pids.json").read_text())
    except (OSError, ValueError):
        return []
    me = os.getpid()
    return [pid for pid in pids if isinstance(pid, int) and pid != me and _process_exists(pid)]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class EmbeddedPostgres:
    """A PostgreSQL cluster in ``data_dir / "pgdata"``, started on demand, stopped on exit."""

    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir).expanduser()
        self.pgdata = self.data_dir / "pgdata"
        self._server: Any = None
        self._base_dsn: str | None = None
        self._owner_pid = 0

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def initialised(self) -> bool:
        """Whether the data directory holds a cluster already (the first start makes one)."""
        return (self.pgdata / "PG_VERSION").exists()

    def start(self) -> str:
        """Start (or join) the server, initialising the cluster if the data directory has
        none; return the DSN of its ``postgres`` database."""
        if self._server is not None:
            assert self._base_dsn is not None
            return self._base_dsn
        pgserver = _import_pgserver()
        # pgserver logs every command it runs at INFO; keep that for --log-level debug.
        pg_logger = logging.getLogger("pgserver")
        if pg_logger.level == logging.NOTSET and not _logger.isEnabledFor(logging.DEBUG):
            pg_logger.setLevel(logging.WARNING)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmbeddedPostgresError(
                f"cannot create the data directory {self.data_dir}: {exc.strerror}"
            ) from None
        try:
            with warnings.catch_warnings(), _users_lock:
                warnings.simplefilter("ignore")
                _forget_dead_handles(pgserver, self.pgdata)
                others = _other_users(self.pgdata)
                if others:
                    _logger.debug(
                        "joining the embedded PostgreSQL in %s (used by process %s)",
                        self.pgdata,
                        ", ".join(map(str, others)),
                    )
                elif not self.initialised:
                    _logger.info("initialising the embedded PostgreSQL in %s", self.pgdata)
                elif self.pgdata.resolve() not in _users:  # not a nested handle of ours
                    _logger.info("starting the embedded PostgreSQL in %s", self.pgdata)
                server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
                key = Path(server.pgdata)
                _users[key] = _users.get(key, 0) + 1
        except Exception as exc:
            log = self.pgdata / "log"
            hint = f" (see {log})" if log.exists() else ""
            raise EmbeddedPostgresError(
                f"cannot start the embedded PostgreSQL in {self.pgdata}: {exc}{hint}"
            ) from exc
        self._server = server
        self._owner_pid = os.getpid()
        self._base_dsn = server.get_uri(MAINTENANCE_DB)
        return self._base_dsn

    def dsn_for(self, dbname: str) -> str:
        """The DSN of database ``dbname`` on this server (started if need be)."""
        return dsn_with_dbname(self.start(), dbname)

    def stop(self) -> None:
        """Stop the server (if this process is its last user). Safe to call twice."""
        server, self._server = self._server, None
        self._base_dsn = None
        if server is None:
            return
        if os.getpid() != self._owner_pid:
            # A forked child (a gunicorn worker) unwinding its parent's stack: the server is
            # the parent's to stop.
            return
        key = Path(server.pgdata)
        with _users_lock:
            _users[key] = _users.get(key, 1) - 1
            last = _users[key] <= 0
            if last:
                del _users[key]
        if not last:
            return
        others = _other_users(key)
        if others:
            # pgserver leaves the server to the processes still using it: nothing stops here
            _logger.debug(
                "leaving the embedded PostgreSQL in %s to process %s",
                key,
                ", ".join(map(str, others)),
            )
        else:
            _logger.info("stopping the embedded PostgreSQL in %s", key)
        with contextlib.suppress(Exception):
            from erplite.sql import close_all_pools

            close_all_pools()
        try:
            server.cleanup()
        except Exception:  # the server may already be gone (killed, or stopped by a signal)
            _logger.debug("error while stopping the embedded PostgreSQL", exc_info=True)

    def __enter__(self) -> EmbeddedPostgres:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<EmbeddedPostgres {self.pgdata} {state}>"


def database_exists(base_dsn: str, dbname: str) -> bool:
    """Whether ``dbname`` exists on the server of ``base_dsn``."""
    with admin_connection(base_dsn) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
    return row is not None


def ensure_database(base_dsn: str, dbname: str) -> bool:
    """Create ``dbname`` on the server of ``base_dsn`` unless it exists; True if created."""
    with admin_connection(base_dsn) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if row is not None:
            return False
        conn.execute(
            # As Odoo does: UTF-8, C collation (same order everywhere), an empty template.
            sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C' TEMPLATE template0").format(
                sql.Identifier(dbname)
            )
        )
    _logger.info("created database %s", dbname)
    return True
