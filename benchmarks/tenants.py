"""Many tenants: 100 databases served by one ``gunicorn -w 4`` with a dbfilter (issue 17).

    .venv/bin/python benchmarks/tenants.py                       # embedded PostgreSQL, 100 tenants
    .venv/bin/python benchmarks/tenants.py --tenants 20 --dsn "host=127.0.0.1 user=bench"

What it does:

1. a template database with the ``bench`` module (admin's password ``admin``), the 10,000
   partners and the first 200 orders of the shared data,
   copied into ``--tenants`` databases ``tenant000``, ``tenant001``, ... (``CREATE DATABASE
   ... TEMPLATE``); gunicorn serves them as ``erplite.http:application`` with
   ``ERPLITE_DBFILTER='^%d$'`` (``tenant042.example.com`` is database ``tenant042``), the
   sessions in the server's ``postgres`` database;
2. **warm tenants**: one worker (``-w 1``) keeping every registry (``ERPLITE_MAX_REGISTRIES``
   = the number of tenants): its resident memory after its first tenant, then after each
   tenth, and the cost of one more warm tenant (the slope, MiB per tenant);
3. **four workers with the default cap** (``ERPLITE_MAX_REGISTRIES``, 8 unless
   ``--max-registries``; ``ERPLITE_DB_MAXCONN``, 64 unless ``--db-maxconn``): every tenant
   touched once, in order (login page, form login, the S8 list page of orders), then a second
   round; reported: each tenant's first page (the login page, answered by a worker that has
   never loaded the tenant's registry: the cold latency), its list page, the workers'
   resident memory after all tenants, and the most connections to the tenants' databases
   PostgreSQL had at once (``pg_stat_activity``, sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_erplite  # noqa: E402
from bench_erplite import ADDONS  # noqa: E402
from s7_http import free_port, rss_mib, start_gunicorn, stop, worker_pids  # noqa: E402

from erplite import Registry  # noqa: E402
from erplite.sql import admin_connection, close_all_pools, dsn_with_dbname  # noqa: E402

TEMPLATE = "tenant_template"
ORDERS = 200


def tenant_names(count: int) -> list[str]:
    return [f"tenant{index:03d}" for index in range(count)]


# ---------------------------------------------------------------------------------------------
# databases
# ---------------------------------------------------------------------------------------------


def prepare(base_dsn: str, count: int) -> tuple[list[str], str]:
    """The template and its ``count`` copies; return their names and the S8 list path."""
    started = time.perf_counter()
    names = tenant_names(count)
    with admin_connection(base_dsn) as conn:
        for name in [TEMPLATE, *names]:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    bench_erplite.install_template(base_dsn, TEMPLATE)
    registry = Registry(dsn_with_dbname(base_dsn, TEMPLATE), addons_paths=(ADDONS,))
    product_ids = bench_erplite.setup_products(registry)
    partner_ids, _count = bench_erplite.s1_bulk_create(registry, bench_erplite.data.partners())
    orders = bench_erplite.data.orders()[:ORDERS]
    bench_erplite.s2_orders(registry, orders, partner_ids, product_ids)
    path = bench_erplite.s8_path(base_dsn, TEMPLATE)
    close_all_pools()
    with admin_connection(base_dsn) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    print(f"template and {count} tenants ready in {time.perf_counter() - started:.1f}s", flush=True)
    return names, path


def drop(base_dsn: str, names: list[str]) -> None:
    close_all_pools()
    with admin_connection(base_dsn) as conn:
        for name in [*names, TEMPLATE]:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------
# a browser of one tenant
# ---------------------------------------------------------------------------------------------


class _Hidden(html.parser.HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""


class TenantBrowser:
    """Requests to one tenant (its host name), with a cookie jar; each request on a new
    connection, as gunicorn's sync workers close them."""

    def __init__(self, port: int, name: str):
        self.port = port
        self.host = f"{name}.example.com"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for raw in response.headers.get_all("Set-Cookie") or []:
            key, _sep, rest = raw.partition("=")
            self.cookies[key.strip()] = rest.partition(";")[0]
        return response.status, text, elapsed

    def login_page(self) -> tuple[float, dict[str, str]]:
        status, page, elapsed = self.request("GET", "/web/login")
        if status != 200:
            raise SystemExit(f"{self.host}: /web/login answered {status}")
        return elapsed, _Hidden(page).fields

    def login(self, hidden: dict[str, str]) -> float:
        form = {**hidden, "login": "admin", "password": "admin", "redirect": "/web"}
        status, _page, elapsed = self.request("POST", "/web/login", urlencode(form))
        if status not in (302, 303):
            raise SystemExit(f"{self.host}: the login answered {status}")
        return elapsed

    def page(self, path: str) -> float:
        status, page, elapsed = self.request("GET", path)
        if status != 200 or "<table" not in page:
            raise SystemExit(f"{self.host}: {path} answered {status}")
        return elapsed


# ---------------------------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------------------------


class ConnectionWatcher:
    """Samples the connections to some databases every 50 ms (``pg_stat_activity``)."""

    def __init__(self, base_dsn: str, names: list[str]):
        self.base_dsn = base_dsn
        self.names = names
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with admin_connection(self.base_dsn) as conn:
            while not self._stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s)",
                    [self.names],
                ).fetchone()
                self.most = max(self.most, row[0] if row else 0)
                self._stop.wait(0.05)

    def __enter__(self) -> ConnectionWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)


def serve(base_dsn: str, workers: int, env: dict[str, str]) -> tuple[Any, int]:
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="erplite-tenants-")) / "gunicorn.log"
    server = start_gunicorn(base_dsn, port, workers, log, {"ERPLITE_DBFILTER": "^%d$", **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/web/health")
            connection.getresponse().read()
            connection.close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        stop(server)
        raise SystemExit(f"gunicorn did not start (see {log})")
    return server, port


def warm_tenants(base_dsn: str, names: list[str], path: str) -> dict[str, Any]:
    """One worker keeping every registry: its memory against the number of warm tenants."""
    server, port = serve(base_dsn, 1, {"ERPLITE_MAX_REGISTRIES": str(len(names))})
    try:
        [pid] = worker_pids(server.pid)
        base = rss_mib(pid)
        points: list[tuple[int, float]] = []
        for index, name in enumerate(names, start=1):
            browser = TenantBrowser(port, name)
            _elapsed, hidden = browser.login_page()
            browser.login(hidden)
            browser.page(path)
            if index == 1 or index % 10 == 0 or index == len(names):
                points.append((index, rss_mib(pid)))
        first_n, first_rss = points[0]
        last_n, last_rss = points[-1]
        slope = (last_rss - first_rss) / max(last_n - first_n, 1)
        return {"base_mib": round(base, 1), "points": points, "mib_per_tenant": round(slope, 2)}
    finally:
        stop(server)


def four_workers(
    base_dsn: str, names: list[str], path: str, max_registries: int, db_maxconn: int
) -> dict[str, Any]:
    env = {"ERPLITE_MAX_REGISTRIES": str(max_registries), "ERPLITE_DB_MAXCONN": str(db_maxconn)}
    server, port = serve(base_dsn, 4, env)
    try:
        pids = worker_pids(server.pid)
        base = {pid: rss_mib(pid) for pid in pids}
        first_pages: list[float] = []
        logins: list[float] = []
        lists: list[float] = []
        second_round: list[float] = []
        with ConnectionWatcher(base_dsn, names) as watcher:
            browsers = [TenantBrowser(port, name) for name in names]
            for browser in browsers:
                elapsed, hidden = browser.login_page()
                first_pages.append(elapsed)
                logins.append(browser.login(hidden))
                lists.append(browser.page(path))
            for browser in browsers:
                second_round.append(browser.page(path))
        after = {pid: rss_mib(pid) for pid in pids}
        return {
            "workers": len(pids),
            "max_registries": max_registries,
            "db_maxconn": db_maxconn,
            "rss_before_mib": sorted(round(value, 1) for value in base.values()),
            "rss_after_mib": sorted(round(value, 1) for value in after.values()),
            "first_page_s": _summary(first_pages),
            "login_s": _summary(logins),
            "first_list_s": _summary(lists),
            "second_round_list_s": _summary(second_round),
            "most_connections": watcher.most,
        }
    finally:
        stop(server)


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
        "max": round(ordered[-1], 3),
    }


def report(count: int, warm: dict[str, Any], four: dict[str, Any]) -> str:
    points = ", ".join(f"{n}: {rss:.1f}" for n, rss in warm["points"])
    return "\n".join(
        [
            f"Many tenants: {count} databases, gunicorn, dbfilter '^%d$'",
            "",
            f"one worker keeping every registry: RSS {warm['base_mib']} MiB before any tenant;"
            f" after N warm tenants (N: MiB) {points}",
            f"  -> {warm['mib_per_tenant']} MiB per additional warm tenant",
            "",
            f"{four['workers']} workers, max_registries {four['max_registries']}, db_maxconn "
            f"{four['db_maxconn']}, every tenant touched (login page, login, list page), twice:",
            f"  worker RSS before {four['rss_before_mib']} MiB, after {four['rss_after_mib']} MiB",
            f"  cold tenant's first page (login page) s: {four['first_page_s']}",
            f"  form login s: {four['login_s']}",
            f"  first list page s: {four['first_list_s']}",
            f"  list page, second round s: {four['second_round_list_s']}",
            f"  most connections to the tenants' databases at once: {four['most_connections']}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", help="libpq DSN of a PostgreSQL server (default: embedded)")
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--max-registries", type=int, default=8)
    parser.add_argument("--db-maxconn", type=int, default=64)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    server = None
    if args.dsn:
        base = dsn_with_dbname(args.dsn, "postgres")
    else:
        import pgserver

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(
                Path(tempfile.mkdtemp(prefix="erplite-tenants-pg-")), cleanup_mode="delete"
            )
        base = server.get_uri("postgres")
    names: list[str] = []
    try:
        names, path = prepare(base, args.tenants)
        warm = warm_tenants(base, names, path)
        four = four_workers(base, names, path, args.max_registries, args.db_maxconn)
        print()
        print(report(args.tenants, warm, four))
    finally:
        if names and not args.keep:
            drop(base, names)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
