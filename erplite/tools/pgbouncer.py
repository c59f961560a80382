"""A private PgBouncer in transaction mode in front of a PostgreSQL server, for tests and
benchmarks (Debian's ``pgbouncer`` package: ``apt-get install pgbouncer``).

Worked example::

    from erplite.tools.pgbouncer import PgBouncer

    with PgBouncer("postgresql://postgres:@/postgres?host=/tmp/pg") as bouncer:
        bouncer.dsn          # 'host=/tmp/erplite-pgb-... port=6432 user=postgres dbname=postgres'
        bouncer.dsn_for("shop")

Every database of the server is reachable through it (a ``*`` entry), as the server's user of
the given DSN; clients are not authenticated (``auth_type = any``) and it listens on a Unix
socket in a private temporary folder only. Run as root, it drops to the user owning the
server's socket folder (PgBouncer refuses to run as root), as ``pgserver`` does for
PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg

#: Where Debian installs the program (``/usr/sbin`` is not on every user's PATH).
CANDIDATES = ("pgbouncer", "/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer")

#: The port in the name of its socket (``.s.PGSQL.6432``), in its own folder.
PORT = 6432

#: Seconds to wait for it to accept connections.
START_TIMEOUT = 10.0


class PgBouncerError(RuntimeError):
    """PgBouncer is not installed or did not start (the message says which, with its log)."""


def find_pgbouncer() -> str | None:
    """The path of the ``pgbouncer`` program, or ``None``."""
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


class PgBouncer:
    """PgBouncer (``pool_mode = transaction``) in front of the server of ``server_dsn``.

    :param server_dsn: a DSN of the server (its ``host``, ``port``, ``user``, ``password``
        are used; its database is not).
    :param pool_size: server connections per database (``default_pool_size``).
    :param max_client_conn: client connections accepted at once.
    """

    def __init__(self, server_dsn: str, *, pool_size: int = 20, max_client_conn: int = 2000):
        self.server_dsn = server_dsn
        self.pool_size = pool_size
        self.max_client_conn = max_client_conn
        self.directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def dsn(self) -> str:
        """The DSN of the server's ``postgres`` database through PgBouncer."""
        return self.dsn_for("postgres")

    def dsn_for(self, dbname: str) -> str:
        """The DSN of database ``dbname`` through PgBouncer."""
        if self.directory is None:
            raise PgBouncerError("PgBouncer is not running")
        user = psycopg.conninfo.conninfo_to_dict(self.server_dsn).get("user") or "postgres"
        return psycopg.conninfo.make_conninfo(
            "", host=str(self.directory), port=str(PORT), user=str(user), dbname=dbname
        )

    def start(self) -> PgBouncer:
        """Write its configuration, start it and wait until it accepts connections."""
        program = find_pgbouncer()
        if program is None:
            raise PgBouncerError(
                "pgbouncer is not installed (Debian: apt-get install pgbouncer); "
                f"looked for {', '.join(CANDIDATES)}"
            )
        params = psycopg.conninfo.conninfo_to_dict(self.server_dsn)
        self.directory = Path(tempfile.mkdtemp(prefix="erplite-pgb-"))
        backend = {
            key: str(params[key])
            for key in ("host", "port", "user", "password")
            if params.get(key) not in (None, "")
        }
        backend.setdefault("user", "postgres")
        config = self.directory / "pgbouncer.ini"
        config.write_text(self._config_text(backend), encoding="utf-8")
        command = [program, "-q", str(config)]
        if os.geteuid() == 0:
            user = _socket_owner(backend.get("host")) or "nobody"
            os.chown(self.directory, pwd.getpwnam(user).pw_uid, -1)
            command[1:1] = ["-u", user]
        log = self.directory / "pgbouncer.log"
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with psycopg.connect(self.dsn, autocommit=True, connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return self
            except psycopg.OperationalError as exc:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                    self.stop()
                    raise PgBouncerError(f"PgBouncer did not start: {exc}\n{text}") from None
                time.sleep(0.05)

    def _config_text(self, backend: dict[str, str]) -> str:
        target = " ".join(f"{key}={_quote(value)}" for key, value in backend.items())
        assert self.directory is not None
        return "\n".join(
            [
                "[databases]",
                f"* = {target}",
                "[pgbouncer]",
                "listen_addr =",
                f"listen_port = {PORT}",
                f"unix_socket_dir = {self.directory}",
                "auth_type = any",
                "pool_mode = transaction",
                f"max_client_conn = {self.max_client_conn}",
                f"default_pool_size = {self.pool_size}",
                "server_idle_timeout = 10",
                "ignore_startup_parameters = extra_float_digits,options",
                f"logfile = {self.directory / 'pgbouncer.log'}",
                f"pidfile = {self.directory / 'pgbouncer.pid'}",
                "",
            ]
        )

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 5 s) and remove its folder."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PgBouncer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _quote(value: str) -> str:
    """A libpq value for PgBouncer's connection string (quoted when it holds spaces)."""
    if value and not any(char in value for char in " '\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _socket_owner(host: str | None) -> str | None:
    """The user owning the server's Unix socket folder (``host`` starting with ``/``)."""
    if not host or not host.startswith("/"):
        return None
    with contextlib.suppress(OSError, KeyError):
        return pwd.getpwuid(os.stat(host).st_uid).pw_name
    return None


__all__ = ["PORT", "PgBouncer", "PgBouncerError", "find_pgbouncer"]
