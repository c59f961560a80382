"""S7 of the shared benchmark on its own: JSON-RPC ``search_read`` over HTTP, production server.

    .venv/bin/python benchmarks/s7_http.py                  # embedded PostgreSQL, 20 s, 4 clients
    .venv/bin/python benchmarks/s7_http.py --dsn "host=127.0.0.1 port=54329 user=bench"
    .venv/bin/python benchmarks/s7_http.py --install-wrk    # apt-get install wrk first (root)
    .venv/bin/python benchmarks/s7_http.py --seconds 5 --warmup 1 --client python
    .venv/bin/python benchmarks/s7_http.py --pgbouncer     # also through PgBouncer, side by side

What it does (SPEC.md section 4, S7; ``../shared/bench/peers/common/s7.py`` is the harness's
version, which ``run.sh -p floor,tryton,erplite`` runs through ``benchmarks/peer.sh serve``):

1. a database with the ``bench`` module (``benchmarks/addons/bench``) and the S1 + S2 data
   (10,000 partners, 2,000 orders of 5 lines), then ``VACUUM ANALYZE``;
2. gunicorn, 4 sync workers, on 127.0.0.1, serving ``erplite.http:application``
   (``ERPLITE_DSN``, ``ERPLITE_ADDONS_PATH``), as ``peer.sh serve`` does;
3. ``common.login(db, "admin", "admin")`` over ``/jsonrpc``, then one S3 answer checked
   (fragment 0: row count and amount sum, as the harness checks);
4. the load: ``wrk`` (2 threads, 4 connections, the harness's ``s7.lua``) when installed, else
   a Python client (4 processes, keep-alive connections), POSTing the 200
   ``object.execute_kw(db, uid, "admin", "bench.order", "search_read", ...)`` bodies in turn:
   ``--warmup`` seconds, then ``--seconds`` measured;
5. the report: requests/s, p50 and p99 latency, bad responses, transactions per request
   (``pg_stat_database``), statements per request when ``pg_stat_statements`` is there, and the
   resident memory of the workers; beside them the peers' figures of
   ``../shared/bench/peers/RESULTS.md`` (floor, Tryton) and the issue's goals: more requests/s
   than Tryton, at least half the floor's. Figures from different runs are indicative only:
   the shared ``run.sh`` runs every peer in one run on one PostgreSQL.

With ``--pgbouncer`` the same load runs twice on the same database: gunicorn connected
directly, then through a PgBouncer in transaction mode (Debian's ``pgbouncer``, started here,
``erplite.tools.pgbouncer``) with ``ERPLITE_DB_POOLER=transaction``, and the two are reported
side by side.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = ROOT.parent / "shared" / "bench" / "peers"
sys.path.insert(0, str(HERE))

import bench_erplite  # noqa: E402  (the bench module's template and the S1/S2 loaders)
from bench_erplite import ADDONS, common_dir, data  # noqa: E402

from erplite import Registry  # noqa: E402
from erplite.sql import admin_connection, close_all_pools, dsn_with_dbname  # noqa: E402

DB = "bench_s7"
FIELDS = ["name", "partner_id", "amount_total", "state", "date"]


# ---------------------------------------------------------------------------------------------
# database
# ---------------------------------------------------------------------------------------------


def prepare_database(base_dsn: str) -> str:
    """Create ``bench_s7`` with the bench module and the S1 + S2 data; return its DSN."""
    with admin_connection(base_dsn) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        # template1: the extensions of SPEC.md 2.1 (pg_trgm, pg_stat_statements) are there
        conn.execute(f'CREATE DATABASE "{DB}"')
    started = time.perf_counter()
    bench_erplite.install_template(base_dsn, DB)
    dsn = dsn_with_dbname(base_dsn, DB)
    registry = Registry(dsn, addons_paths=(ADDONS,))
    product_ids = bench_erplite.setup_products(registry)
    partner_ids, _count = bench_erplite.s1_bulk_create(registry, data.partners())
    bench_erplite.s2_orders(registry, data.orders(), partner_ids, product_ids)
    close_all_pools()
    with admin_connection(dsn) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"database {DB} ready in {time.perf_counter() - started:.1f}s", flush=True)
    return dsn


# ---------------------------------------------------------------------------------------------
# server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    dsn: str, port: int, workers: int, log: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    env = {**os.environ, "ERPLITE_DSN": dsn, "ERPLITE_ADDONS_PATH": str(ADDONS)}
    env.update(extra_env or {})
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "erplite.http:application",
    ]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def post(url: str, body: dict) -> Any:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        reply = json.loads(response.read())
    if reply.get("error"):
        raise RuntimeError(f"JSON-RPC error: {reply['error']}")
    return reply["result"]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 120) -> int:
    login = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 0,
        "params": {"service": "common", "method": "login", "args": [DB, "admin", "admin"]},
    }
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            return post(url, login)
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server not ready at {url}")


def bodies(uid: int) -> list[dict]:
    return [
        {
            "jsonrpc": "2.0",
            "method": "call",
            "id": index,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    DB,
                    uid,
                    "admin",
                    "bench.order",
                    "search_read",
                    [
                        [
                            ["partner_id.name", "ilike", fragment],
                            ["state", "=", "draft"],
                            ["amount_total", ">", 100],
                        ]
                    ],
                    {"fields": FIELDS, "order": "amount_total desc", "limit": 80},
                ],
            },
        }
        for index, fragment in enumerate(data.fragments())
    ]


# ---------------------------------------------------------------------------------------------
# load clients
# ---------------------------------------------------------------------------------------------


def run_wrk(url: str, seconds: int, clients: int, body_file: Path) -> dict:
    script = common_dir() / "s7.lua"
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
            "--",
            str(body_file),
            "",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "requests": result["requests"],
        "seconds": result["duration_us"] / 1e6,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "bad": result["bad_responses"],
        "errors": result["socket_errors"],
    }


def _python_client(args: tuple) -> tuple[list[float], int, int]:
    """One client process: POST the bodies in turn on one keep-alive connection."""
    import http.client

    port, payloads, seconds, offset = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    bad = errors = 0
    index = offset
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        payload = payloads[index % len(payloads)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request("POST", "/jsonrpc", payload, {"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
        if response.status != 200 or b'"error"' in body:
            bad += 1
    connection.close()
    return latencies, bad, errors


def run_python(port: int, seconds: int, clients: int, payloads: list[str]) -> dict:
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        started = time.perf_counter()
        parts = pool.map(
            _python_client, [(port, payloads, seconds, i * 50) for i in range(clients)]
        )
        elapsed = time.perf_counter() - started
    latencies = sorted(latency for part in parts for latency in part[0])
    if not latencies:
        raise SystemExit("no request succeeded")
    return {
        "requests": len(latencies),
        "seconds": min(elapsed, seconds + 0.5),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "bad": sum(part[1] for part in parts),
        "errors": sum(part[2] for part in parts),
    }


# ---------------------------------------------------------------------------------------------
# server-side counters
# ---------------------------------------------------------------------------------------------


class Counters:
    """Transactions (``pg_stat_database``) and, when available, statements
    (``pg_stat_statements``) of the benchmark database."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        with admin_connection(dsn) as conn:
            self.statements = bool(
                conn.execute(
                    "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"
                ).fetchone()
            )

    def reset(self) -> None:
        with admin_connection(self.dsn) as conn:
            if self.statements:
                conn.execute("SELECT pg_stat_statements_reset()")
            self.xacts = self._xacts(conn)

    def read(self) -> tuple[int, int | None]:
        with admin_connection(self.dsn) as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            xacts = self._xacts(conn) - self.xacts
            statements = None
            if self.statements:
                statements = conn.execute(
                    "SELECT sum(calls) FROM pg_stat_statements s JOIN pg_database d"
                    " ON d.oid = s.dbid WHERE d.datname = %s"
                    " AND s.query NOT LIKE '%%pg_stat_statements%%'",
                    [DB],
                ).fetchone()[0]
        return xacts, statements

    @staticmethod
    def _xacts(conn: Any) -> int:
        time.sleep(0.6)  # the statistics collector's delay
        return conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [DB]
        ).fetchone()[0]


# ---------------------------------------------------------------------------------------------
# the peers' figures
# ---------------------------------------------------------------------------------------------


def peer_figures() -> dict[str, dict[str, float]]:
    """The S7 table of ``../shared/bench/peers/RESULTS.md``: peer -> req/s, p50, p99."""
    path = PEERS / "RESULTS.md"
    figures: dict[str, dict[str, float]] = {}
    if not path.is_file():
        return figures
    text = path.read_text()
    section = text.split("## S7", 1)[-1]
    for line in section.splitlines():
        match = re.match(
            r"\|\s*(floor|tryton|tryton-O)\s*\|\s*([\d,.]+)\s*\|\s*([\d.]+)\s*\|"
            r"\s*([\d.]+)\s*\|",
            line,
        )
        if match:
            peer, rps, p50, p99 = match.groups()
            figures[peer] = {
                "rps": float(rps.replace(",", "")),
                "p50_ms": float(p50),
                "p99_ms": float(p99),
            }
    return figures


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def install_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("installing wrk with apt-get", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def measure(
    dsn: str,
    args: argparse.Namespace,
    serve_dsn: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """The load against gunicorn serving ``serve_dsn`` (default ``dsn``, the prepared
    database reached directly, where the counters are read)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/jsonrpc"
    log = Path(tempfile.mkdtemp(prefix="erplite-s7-")) / "gunicorn.log"
    server = start_gunicorn(serve_dsn or dsn, port, args.workers, log, extra_env)
    try:
        uid = wait_ready(url, server)
        payloads = bodies(uid)
        rows = post(url, payloads[0])
        sys.path.insert(0, str(common_dir()))
        from harness import s3_check

        check = s3_check([[row["amount_total"] for row in rows]])
        body_file = log.parent / "bodies.jsonl"
        body_file.write_text("".join(json.dumps(body) + "\n" for body in payloads))
        texts = [json.dumps(body) for body in payloads]
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
        client = "wrk" if use_wrk else "python"

        def load(seconds: int) -> dict:
            if use_wrk:
                return run_wrk(url, seconds, args.clients, body_file)
            return run_python(port, seconds, args.clients, texts)

        load(args.warmup)  # every worker loads its registry and warms its caches
        counters = Counters(dsn)
        counters.reset()
        result = load(args.seconds)
        xacts, statements = counters.read()
        rss = [rss_mib(pid) for pid in worker_pids(server.pid)]
        requests = result["requests"]
        return {
            "client": client,
            "clients": args.clients,
            "workers": args.workers,
            "seconds": args.seconds,
            "requests": requests,
            "rps": round(requests / result["seconds"], 1),
            "p50_ms": round(result["p50_ms"], 2),
            "p99_ms": round(result["p99_ms"], 2),
            "bad_responses": result["bad"],
            "socket_errors": result["errors"],
            "transactions_per_request": round(xacts / max(requests, 1), 2),
            "statements_per_request": (
                round(statements / max(requests, 1), 2) if statements is not None else None
            ),
            "worker_rss_mib": round(max(rss), 1) if rss else None,
            "worker_rss_mib_mean": round(sum(rss) / len(rss), 1) if rss else None,
            "check": check,
            "sample": rows[0] if rows else None,
        }
    finally:
        stop(server)
        close_all_pools()


def measure_through_pgbouncer(base_dsn: str, dsn: str, args: argparse.Namespace) -> dict:
    """:func:`measure` with gunicorn behind a PgBouncer in transaction mode."""
    from erplite.tools.pgbouncer import PgBouncer

    with PgBouncer(base_dsn) as bouncer:
        extra_env = {"ERPLITE_DB_POOLER": "transaction", "ERPLITE_DB_DIRECT_DSN": base_dsn}
        return measure(dsn, args, serve_dsn=bouncer.dsn_for(DB), extra_env=extra_env)


def report_pgbouncer(direct: dict, pooled: dict) -> str:
    lines = [
        "S7 directly and through PgBouncer 1.18 (transaction mode), same database and load",
        "",
        "| connection | req/s | p50 ms | p99 ms | bad responses | transactions/request"
        " | statements/request | worker RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, result in (("direct", direct), ("PgBouncer", pooled)):
        lines.append(
            f"| {label} | {result['rps']:,.0f} | {result['p50_ms']} | {result['p99_ms']} |"
            f" {result['bad_responses'] + result['socket_errors']} |"
            f" {result['transactions_per_request']} |"
            f" {result['statements_per_request']} | {result['worker_rss_mib']} |"
        )
    lines.append(f"\nthrough PgBouncer: {pooled['rps'] / direct['rps']:.2f} of direct req/s")
    return "\n".join(lines)


def report(result: dict) -> str:
    peers = peer_figures()
    lines = [
        f"S7 http_rpc: gunicorn {result['workers']} sync workers, {result['clients']} clients "
        f"({result['client']}), {result['seconds']} s",
        "",
        "| peer | req/s | p50 ms | p99 ms | worker RSS MiB | erplite / peer req/s |",
        "|---|---|---|---|---|---|",
        f"| erplite (this run) | {result['rps']:,.0f} | {result['p50_ms']} | {result['p99_ms']} |"
        f" {result['worker_rss_mib']} | 1.00 |",
    ]
    for peer, figure in peers.items():
        ratio = result["rps"] / figure["rps"] if figure["rps"] else 0
        lines.append(
            f"| {peer} (RESULTS.md) | {figure['rps']:,.0f} | {figure['p50_ms']} |"
            f" {figure['p99_ms']} | | {ratio:.2f} |"
        )
    lines += [
        "",
        f"bad responses {result['bad_responses']}, socket errors {result['socket_errors']}, "
        f"transactions/request {result['transactions_per_request']}, "
        f"statements/request {result['statements_per_request']}, check {result['check']}",
    ]
    if "tryton" in peers and "floor" in peers:
        beat_tryton = result["rps"] > peers["tryton"]["rps"]
        half_floor = result["rps"] >= 0.5 * peers["floor"]["rps"]
        lines.append(
            f"goals (against RESULTS.md, another run): more than Tryton "
            f"{'met' if beat_tryton else 'NOT met'}; at least 50 % of the floor "
            f"{'met' if half_floor else 'NOT met'} "
            f"({result['rps'] / peers['floor']['rps']:.0%})"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn",
        help="libpq DSN of a PostgreSQL server (no dbname); "
        "default: an embedded server in a temporary folder",
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--install-wrk",
        action="store_true",
        help="apt-get install wrk when missing (needs root; not for CI)",
    )
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="run the load a second time through a PgBouncer in transaction mode",
    )
    parser.add_argument("--out", help="write the result as JSON")
    args = parser.parse_args()
    if args.install_wrk:
        install_wrk()
    if args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (use --install-wrk or --client python)")
    server = None
    if args.dsn:
        base = dsn_with_dbname(args.dsn, "postgres")
    else:
        import pgserver

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(
                Path(tempfile.mkdtemp(prefix="erplite-s7-pg-")), cleanup_mode="delete"
            )
        base = server.get_uri("postgres")
    pooled = None
    try:
        dsn = prepare_database(base)
        result = measure(dsn, args)
        if args.pgbouncer:
            pooled = measure_through_pgbouncer(base, dsn, args)
    finally:
        if server is not None:
            server.cleanup()
    print()
    print(report(result))
    if pooled is not None:
        print()
        print(report_pgbouncer(result, pooled))
        result = {**result, "pgbouncer": pooled}
    if args.out:
        Path(args.out).write_text(
            json.dumps({"peer": "erplite", "scenarios": {"S7": result}}, indent=1, default=str)
        )


if __name__ == "__main__":
    main()
