"""S7's request path in one process, without a server: the worker's own cost per request.

    .venv/bin/python benchmarks/profile/s7_inprocess.py --dsn "$(benchmarks/profile/pg15.sh start)"
    .venv/bin/python benchmarks/profile/s7_inprocess.py --dsn ... --reuse --cprofile
    .venv/bin/python benchmarks/profile/s7_inprocess.py --dsn ... --reuse --pyinstrument
    .venv/bin/python benchmarks/profile/s7_inprocess.py --dsn ... --reuse --steps

It prepares ``bench_s7`` as ``benchmarks/s7_http.py`` does (``--reuse`` keeps an existing one),
builds ``erplite.http.Application`` for it and calls the WSGI callable directly with the 200
JSON-RPC ``execute_kw`` bodies of S7, in turn. It prints the CPU and wall microseconds per
request and the statements per request, so a change to the request path can be judged without
the noise of a load test; ``--cprofile`` prints the top functions, ``--pyinstrument`` writes
``out/S7.txt``, ``--steps`` prints the CPU time of each step of the request (see STEPS).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import s7_http  # noqa: E402
from bench_erplite import ADDONS, common_dir  # noqa: E402

from erplite.http import Application  # noqa: E402
from erplite.sql import admin_connection, count_queries, dsn_with_dbname  # noqa: E402


def environ_for(payload: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/jsonrpc",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8069",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8069",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(payload),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(app: Application, payload: bytes) -> dict:
    status_line = []

    def start_response(status, headers, exc_info=None):
        status_line.append(status)

    body = b"".join(app(environ_for(payload), start_response))
    if not status_line[0].startswith("200"):
        raise RuntimeError(f"{status_line[0]}: {body[:500]!r}")
    reply = json.loads(body)
    if reply.get("error"):
        raise RuntimeError(reply["error"])
    return reply["result"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="a server DSN (the bench's PostgreSQL)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_s7")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the 200 bodies")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--steps", action="store_true", help="CPU time per step (STEPS)")
    parser.add_argument(
        "--floor", action="store_true", help="also time the floor's WSGI app, interleaved"
    )
    args = parser.parse_args()

    dsn = dsn_with_dbname(args.dsn, s7_http.DB)
    exists = False
    with admin_connection(args.dsn) as conn:
        exists = bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [s7_http.DB]).fetchone()
        )
    if not (args.reuse and exists):
        dsn = s7_http.prepare_database(args.dsn)

    app = Application(dsn, addons_paths=(str(ADDONS),))
    login = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 0,
        "params": {
            "service": "common",
            "method": "login",
            "args": [s7_http.DB, "admin", "admin"],
        },
    }
    uid = call(app, json.dumps(login).encode())
    payloads = [json.dumps(body).encode() for body in s7_http.bodies(uid)]
    rows = call(app, payloads[0])
    print(f"fragment 0: {len(rows)} rows, sum {sum(r['amount_total'] for r in rows):.2f}")
    for payload in payloads:  # warm every cache once
        call(app, payload)

    def run() -> None:
        for _ in range(args.rounds):
            for payload in payloads:
                call(app, payload)

    count = args.rounds * len(payloads)
    if args.steps:
        time_steps(app, payloads, args.rounds)
        return
    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumtime").print_stats(40)
        return
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        run()
        profiler.stop()
        (HERE / "out").mkdir(exist_ok=True)
        (HERE / "out" / "S7.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        print(f"written {HERE / 'out' / 'S7.txt'}")
        return
    if args.floor:
        compare_with_floor(run, count, dsn, uid)
        return
    with count_queries() as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{count} requests: {cpu / count * 1e6:.0f} us CPU, {wall / count * 1e6:.0f} us wall "
        f"per request, {len(queries) / count:.2f} statements per request"
    )


#: The steps ``--steps`` times: (label, module, owner in that module or "", function). Each
#: is timed exclusive of the steps it calls; "the rest" is the request's CPU time minus them.
STEPS = [
    ("werkzeug request + JSON-RPC body parsed", "erplite.http.jsonrpc", "", "parse_request"),
    ("connection taken (previous COMMIT's answer read)", "erplite.pool", "Pool", "_take"),
    ("signals + credentials statement (BEGIN, psycopg)", "erplite.sql", "Cursor", "begin_with"),
    ("credentials + throttle checked in Python", "erplite.http.service", "", "_user_env"),
    ("search plan: domain shape, parameters", "erplite.orm.search_plans", "PlanCache", "query"),
    ("search statement (psycopg execute + fetch)", "erplite.sql", "Cursor", "execute"),
    (
        "ORM: rows into the cache, records",
        "erplite.orm.model_search",
        "SearchMixin",
        "_search_fetch",
    ),
    ("ORM: _read_format", "erplite.orm.model_read", "ReadMixin", "_read_format"),
    ("ORM: search_read, call_kw", "erplite.orm.model_search", "SearchMixin", "search_read"),
    ("JSON response (orjson + werkzeug Response)", "erplite.http.jsonrpc", "", "result_response"),
    ("security headers", "erplite.http.dispatcher", "", "add_security_headers"),
    ("COMMIT sent, connection given back", "erplite.sql", "Cursor", "commit_and_close"),
    ("WSGI response (werkzeug __call__)", "werkzeug.wrappers", "Response", "__call__"),
]


def time_steps(app: Application, payloads: list[bytes], rounds: int) -> None:
    """Print the CPU microseconds per request of each of STEPS (``time.process_time`` around
    each: a system call, whose cost is printed too), and of the rest."""
    import collections
    import functools
    import importlib

    totals: collections.Counter[str] = collections.Counter()
    stack: list[float] = []
    clock = time.process_time

    def wrap(owner, name, label):
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            start = clock()
            stack.append(0.0)
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = clock() - start
                totals[label] += elapsed - stack.pop()
                if stack:
                    stack[-1] += elapsed

        setattr(owner, name, timed)
        return owner, name, original

    originals = []
    for label, module_name, owner_name, name in STEPS:
        owner = importlib.import_module(module_name)
        if owner_name:
            owner = getattr(owner, owner_name)
        originals.append(wrap(owner, name, label))
    try:
        for payload in payloads:  # warm the wrappers
            call(app, payload)
        totals.clear()

        def start_response(status, headers, exc_info=None):
            return None

        cpu = 0.0
        for _ in range(rounds):
            for payload in payloads:
                start = clock()
                b"".join(app(environ_for(payload), start_response))
                cpu += clock() - start
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    count = rounds * len(payloads)
    start = clock()
    for _ in range(10_000):
        clock()
    tick = (clock() - start) / 10_000 * 1e6
    print(
        f"{cpu / count * 1e6:6.0f} us CPU per request (the server's side only); one reading of "
        f"the clock costs {tick:.1f} us, about two of them are in each step's figure"
    )
    for label, *_ in STEPS:
        print(f"{totals[label] / count * 1e6:6.0f}  {label}")
    print(f"{(cpu - sum(totals.values())) / count * 1e6:6.0f}  the rest")


def compare_with_floor(run_erplite, count: int, dsn: str, uid: int) -> None:
    """Time erplite's and the floor's WSGI apps (wsgi_floor.py) on the same fragments, in
    alternating passes, and print the median CPU and wall microseconds per request of each."""
    import os
    import statistics

    os.environ["BENCH_DSN"] = dsn
    sys.path.insert(0, str(common_dir().parent / "floor"))
    import wsgi_floor  # the floor's app, called as erplite's is

    floor_payloads = [
        json.dumps({"id": n, "method": "search_read", "params": {"fragment": fragment}}).encode()
        for n, fragment in enumerate(s7_http.data.fragments())
    ]
    rounds = count // len(floor_payloads)

    def run_floor() -> None:
        for _ in range(rounds):
            for payload in floor_payloads:
                call(wsgi_floor.app, payload)

    run_floor()  # warm the floor's connection and prepared statement
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
