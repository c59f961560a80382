"""The fault-and-load suite's fixtures: a PostgreSQL cluster of its own, a shop database on it,
a real gunicorn server, bounded load, and the figures each test reports.

- ``cluster``: a PostgreSQL cluster made for this suite (``pgserver``'s binaries, its own data
  directory and socket), which tests may stop and start (``cluster.stop()``,
  ``cluster.start()``) without disturbing the rest of the test session;
- ``shop``: a database on it with ``orders`` installed, a customer, two products, a Sales
  Manager and a salesperson (passwords known), the approval threshold at 5,000;
- ``server``: ``gunicorn -w 2 --threads 4`` serving ``shop`` on 127.0.0.1 with erplite's
  application (its retries logged, see ``wsgi_app.py``), a fresh server per test module;
  ``Server.rest()``, ``Server.rpc()`` (``/jsonrpc``) and ``Server.get()`` call it, each with a
  timeout, and ``Server.retries()`` counts the retries it logged;
- ``figures``: ``figures(requests=.., p50_ms=..)`` records the figures of a test as JUnit
  properties and prints them in the terminal summary ("reliability figures"), so that CI logs
  show them without ``-s``.

Every load loop is bounded by a count and a deadline; all traffic goes to 127.0.0.1 and to the
cluster's Unix socket.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from erplite.sql import close_pool, dbname_of

ROOT = Path(__file__).resolve().parents[2]

#: (test, {figure: value}) of the tests run, printed by ``pytest_terminal_summary``
FIGURES: list[tuple[str, dict[str, Any]]] = []

#: seconds any single HTTP call of the suite may take
CALL_TIMEOUT = 20.0


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, values in FIGURES:
        text = ", ".join(f"{key}={value}" for key, value in values.items())
        terminalreporter.write_line(f"{name}: {text}")


@pytest.fixture
def figures(request: Any, record_property: Any) -> Any:
    """``figures(**values)``: record this test's figures (JUnit properties and the summary)."""

    def report(**values: Any) -> None:
        for key, value in values.items():
            record_property(key, value)
        FIGURES.append((request.node.name, dict(values)))

    return report


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile of ``values`` (nearest rank), 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Tally:
    """Outcomes and latencies of the calls of a load test (thread-safe)."""

    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Any, seconds: float) -> None:
        with self.lock:
            self.statuses[outcome] += 1
            self.latencies.append(seconds)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "statuses": dict(sorted(self.statuses.items(), key=lambda item: str(item[0]))),
            "p50_ms": round(percentile(self.latencies, 0.50) * 1000, 1),
            "p95_ms": round(percentile(self.latencies, 0.95) * 1000, 1),
        }


# ---------------------------------------------------------------------------------------------
# The cluster
# ---------------------------------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of this suite's own, listening on a Unix socket only."""

    def __init__(self) -> None:
        import pgserver
        from pgserver._commands import pg_ctl

        self._pg_ctl = pg_ctl
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # a short path: Unix socket paths are limited to about 100 bytes
            self.pgdata = Path(tempfile.mkdtemp(prefix="erplite-rel-"))
            self._server = pgserver.get_server(self.pgdata, cleanup_mode="delete")
        self.uri = self._server.get_uri("postgres")
        self.socket_dir = parse_qs(urlsplit(self.uri).query)["host"][0]
        self.system_user = self._server.system_user  # pgserver's user when run as root

    def dsn(self, dbname: str) -> str:
        from erplite.sql import dsn_with_dbname

        return dsn_with_dbname(self.uri, dbname)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: clients are disconnected, transactions rolled back)."""
        self._pg_ctl(
            ["-w", "-m", mode, "stop"], pgdata=self.pgdata, user=self.system_user, timeout=60
        )

    def start(self) -> None:
        """Start it again on the same socket; returns once it accepts connections."""
        self._pg_ctl(
            [
                "-w",
                "-o",
                '-h ""',
                "-o",
                f"-k {self.socket_dir}",
                "-l",
                str(self.pgdata / "log"),
                "start",
            ],
            pgdata=self.pgdata,
            user=self.system_user,
            timeout=60,
        )

    def running(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.uri, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def cleanup(self) -> None:
        if not self.running():
            self.start()  # pgserver stops and deletes a cluster it finds running
        self._server.cleanup()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    own = Cluster()
    try:
        yield own
    finally:
        from erplite.sql import close_all_pools

        close_all_pools()
        own.cleanup()


@dataclass
class Shop:
    """The shop database: its DSN and the ids and passwords of its records."""

    dsn: str
    ids: dict[str, int]
    passwords: dict[str, str]
    keys: dict[str, str]

    @property
    def name(self) -> str:
        return dbname_of(self.dsn)

    def env(self) -> Any:
        """``with shop.env() as env``: a superuser environment, committed at the end."""
        from erplite import SUPERUSER_ID, Registry, api

        registry = Registry(self.dsn)

        @contextlib.contextmanager
        def block() -> Iterator[Any]:
            with registry.cursor() as cr:
                yield api.Environment(cr, SUPERUSER_ID, {})

        return block()


@pytest.fixture(scope="session")
def shop(cluster: Cluster) -> Iterator[Shop]:
    from erplite import SUPERUSER_ID, Command, Registry, api
    from erplite.testing import create_database

    dsn = create_database(cluster.uri, "shop")
    registry = Registry.new(dsn, install=("orders",))
    passwords = {"manager": "manager-pw", "salesman": "salesman-pw"}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        company.so_double_validation_amount = 5000.0
        desk = env["product.product"].create({"name": "Desk", "list_price": 100.0})
        lamp = env["product.product"].create({"name": "Lamp", "list_price": 7.25})
        customer = env["res.partner"].create({"name": "Azure Interior", "is_company": True})

        def user(login: str, group: str) -> Any:
            return env["res.users"].create(
                {
                    "name": login.title(),
                    "login": login,
                    "password": passwords[login],
                    "groups_id": [Command.set([env.ref(group).id])],
                }
            )

        ids = {
            "desk": desk.id,
            "lamp": lamp.id,
            "customer": customer.id,
            "manager": user("manager", "sales_team.group_sale_manager").id,
            "salesman": user("salesman", "sales_team.group_sale_salesman").id,
        }
        keys = {
            login: env["res.users.apikeys"].with_user(ids[login])._generate("rpc", "reliability")
            for login in passwords
        }
    close_pool(dsn)
    yield Shop(dsn, ids, passwords, keys)
    close_pool(dsn)


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn process serving the shop on 127.0.0.1, and calls to it."""

    def __init__(self, shop: Shop, workers: int = 2, threads: int = 4):
        self.shop = shop
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        env = {**os.environ, "ERPLITE_DSN": shop.dsn, "PYTHONPATH": str(ROOT)}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
            "tests.reliability.wsgi_app:application",
        ]
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.wait_ready()

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                status, _body = self.get("/web/health", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{self.output()[-20000:]}")
            time.sleep(0.1)

    def output(self, since: int = 0) -> str:
        """What the server logged (from offset ``since``, see :meth:`mark`)."""
        self.log.seek(since)
        return self.log.read().decode(errors="replace")

    def mark(self) -> int:
        """The offset of the server's log now."""
        self.log.seek(0, os.SEEK_END)
        return self.log.tell()

    def retries(self, since: int) -> dict[str, int]:
        """Tries retried after a concurrency failure, and requests that gave up, since
        ``since``."""
        text = self.output(since)
        return {
            "retried": text.count("tries left"),
            "gave_up": text.count("maximum number of tries"),
        }

    def workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = CALL_TIMEOUT,
    ) -> tuple[int, Any, dict[str, str]]:
        """``(status, body, headers)``; the body decoded when it is JSON."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body).encode()
            all_headers = {"Content-Type": "application/json"} if payload else {}
            all_headers.update(headers or {})
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            answer_headers = {key.lower(): value for key, value in response.getheaders()}
            if answer_headers.get("content-type", "").startswith("application/json"):
                return response.status, json.loads(data), answer_headers
            return response.status, data.decode(errors="replace"), answer_headers
        finally:
            conn.close()

    def rest(
        self, login: str, method: str, path: str, body: Any = None, **headers: str
    ) -> tuple[int, Any, dict[str, str]]:
        """A REST call with ``login``'s API key: ``(status, body, headers)``."""
        headers = {key.replace("_", "-"): value for key, value in headers.items()}
        headers["Authorization"] = f"bearer {self.shop.keys[login]}"
        return self.request(method, path, body, headers)

    def get(self, path: str, timeout: float = CALL_TIMEOUT) -> tuple[int, Any]:
        status, body, _headers = self.request("GET", path, timeout=timeout)
        return status, body

    def rpc(self, login: str, model: str, method: str, *args: Any, **kw: Any) -> Any:
        """``execute_kw`` as ``login`` through ``/jsonrpc``: ``(status, result or error)``."""
        uid = self.shop.ids[login]
        params = {
            "service": "object",
            "method": "execute_kw",
            "args": [
                self.shop.name,
                uid,
                self.shop.passwords[login],
                model,
                method,
                list(args),
                kw,
            ],
        }
        envelope = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        status, body, _headers = self.request("POST", "/jsonrpc", envelope)
        if status != 200 or not isinstance(body, dict):
            return status, body
        if "error" in body:
            return "error", body["error"]
        return status, body["result"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(shop: Shop) -> Iterator[Server]:
    running = Server(shop)
    try:
        yield running
    finally:
        running.stop()


def error_name(error: Any) -> str:
    """The exception's class name of a JSON-RPC error (``"StateError"``)."""
    name = (error or {}).get("data", {}).get("name", "") if isinstance(error, dict) else ""
    return name.rpartition(".")[2] or "error"
