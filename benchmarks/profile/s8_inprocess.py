"""S8's request path in one process, without a server: the worker's cost of the list page.

    .venv/bin/python benchmarks/profile/s8_inprocess.py --dsn "$(benchmarks/profile/pg15.sh start)"
    .venv/bin/python benchmarks/profile/s8_inprocess.py --dsn ... --reuse --cprofile
    .venv/bin/python benchmarks/profile/s8_inprocess.py --dsn ... --reuse --pyinstrument
    .venv/bin/python benchmarks/profile/s8_inprocess.py --dsn ... --reuse --floor  # beside the floor

It prepares ``bench_s7`` as ``benchmarks/s7_http.py`` does (S1 + S2 data; ``--reuse`` keeps an
existing one), builds ``erplite.http.Application`` for it, logs in through the form login as
the harness does (``GET /web/login``, ``POST`` with its hidden inputs, ``admin``/``admin``), and
calls the WSGI callable directly with GETs of the page ``peer.sh s8-path`` prints: the first 80
orders by date DESC, id DESC. It prints the CPU and wall microseconds and the client statements
per request (each statement listed once with ``--statements``); ``--cprofile`` prints the top
functions, ``--pyinstrument`` writes ``out/S8.txt``.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import s7_http  # noqa: E402
from bench_erplite import ADDONS, common_dir, s8_path  # noqa: E402
from werkzeug.test import Client  # noqa: E402

from erplite.http import Application  # noqa: E402
from erplite.sql import admin_connection, count_queries, dsn_with_dbname  # noqa: E402

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(app: Application) -> str:
    """The ``session_id`` of a form login as admin (the harness's S8 login)."""
    client = Client(app)
    form = client.get("/web/login").get_data(as_text=True)
    token = _CSRF.search(form)
    if not token:
        raise RuntimeError("no csrf_token in the login form")
    response = client.post(
        "/web/login",
        data={
            "csrf_token": token.group(1),
            "login": "admin",
            "password": "admin",
            "redirect": "/web",
        },
    )
    cookie = client.get_cookie("session_id")
    if response.status_code not in (301, 302, 303) or cookie is None:
        raise RuntimeError(f"login failed: {response.status_code}")
    return cookie.value


def environ_for(path: str, session_id: str) -> dict:
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8069",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8069",
        "HTTP_COOKIE": f"session_id={session_id}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(app: Application, path: str, session_id: str) -> bytes:
    status_line = []

    def start_response(status, headers, exc_info=None):
        status_line.append(status)

    body = b"".join(app(environ_for(path, session_id), start_response))
    if not status_line[0].startswith("200"):
        raise RuntimeError(f"{status_line[0]}: {body[:500]!r}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="a server DSN (the bench's PostgreSQL)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_s7")
    parser.add_argument("--requests", type=int, default=300, help="GETs measured")
    parser.add_argument("--statements", action="store_true", help="list one request's SQL")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument(
        "--floor", action="store_true", help="also time the floor's WSGI app, interleaved"
    )
    args = parser.parse_args()

    dsn = dsn_with_dbname(args.dsn, s7_http.DB)
    with admin_connection(args.dsn) as conn:
        exists = bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [s7_http.DB]).fetchone()
        )
    if not (args.reuse and exists):
        dsn = s7_http.prepare_database(args.dsn)
    path = s8_path(args.dsn, s7_http.DB)
    app = Application(dsn, addons_paths=(str(ADDONS),))
    session_id = login(app)
    page = call(app, path, session_id)
    with admin_connection(dsn) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM bench_order ORDER BY date DESC, id DESC LIMIT 80"
            ).fetchall()
        ]
    text = page.decode()
    positions = [text.find(name) for name in names]
    ordered = all(p >= 0 for p in positions) and positions == sorted(positions)
    print(f"{path}: {len(page)} bytes, the 80 orders {'in order' if ordered else 'NOT in order'}")
    for _ in range(20):  # warm every cache
        call(app, path, session_id)

    def run() -> None:
        for _ in range(args.requests):
            call(app, path, session_id)

    if args.statements:
        with count_queries() as queries:
            call(app, path, session_id)
        for query in queries:
            print(" ", str(query)[:160])
    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for the server
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumtime").print_stats(50)
        return
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        run()
        profiler.stop()
        (HERE / "out").mkdir(exist_ok=True)
        (HERE / "out" / "S8.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        print(f"written {HERE / 'out' / 'S8.txt'}")
        return
    if args.floor:
        compare_with_floor(run, args.requests, dsn)
        return
    with count_queries() as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    count = args.requests
    print(
        f"{count} requests: {cpu / count * 1e6:.0f} us CPU, {wall / count * 1e6:.0f} us wall "
        f"per request, {len(queries) / count:.2f} statements per request"
    )


def compare_with_floor(run_erplite, count: int, dsn: str) -> None:
    """Time erplite's page and the floor's (``GET /orders`` of wsgi_floor.py) in alternating
    passes of ``count`` requests, and print the median CPU and wall microseconds per request
    of each."""
    import os
    import statistics

    os.environ["BENCH_DSN"] = dsn
    sys.path.insert(0, str(common_dir().parent / "floor"))
    import wsgi_floor  # the floor's app, called as erplite's is

    def run_floor() -> None:
        for _ in range(count):
            call(wsgi_floor.app, "/orders", "")

    run_floor()  # warm the floor's connection
    timings: dict[str, list[tuple[float, float]]] = {"erplite": [], "floor": []}
    for _ in range(5):
        for name, run in (("erplite", run_erplite), ("floor", run_floor)):
            cpu, wall = time.process_time(), time.perf_counter()
            run()
            timings[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    for name, pairs in timings.items():
        cpu = statistics.median(c for c, _ in pairs) / count * 1e6
        wall = statistics.median(w for _, w in pairs) / count * 1e6
        print(f"{name:8} {cpu:6.0f} us CPU, {wall:6.0f} us wall per request (median of 5)")


if __name__ == "__main__":
    main()
