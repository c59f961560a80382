"""Run the benchmark's scenarios (S1–S7) on erplite alone, with nothing to set up.

    .venv/bin/python benchmarks/run.py                    # all of S1–S7
    .venv/bin/python benchmarks/run.py -s S3,S6           # S1 and S2 always run (they load data)
    .venv/bin/python benchmarks/run.py -s S7 --s7-seconds 10
    .venv/bin/python benchmarks/run.py --profile S4       # pyinstrument report of S4 (pip install
                                                          # pyinstrument in the venv first)
    .venv/bin/python benchmarks/run.py -s S4 --tracking   # bench.order tracks amount_total

It starts its own PostgreSQL (``pgserver``, in a temporary folder, removed afterwards), installs
the ``bench`` module into a template database, copies it, and runs the scenarios of
``bench_erplite.py`` the way the shared harness does (before each one: ``VACUUM ANALYZE``,
``CHECKPOINT``, ``gc.collect()``), then prints seconds and statements per scenario. S7 (JSON-RPC
over HTTP, gunicorn with 4 workers) runs last on the same server, as ``s7_http.py`` runs it: its
own database with the S1 + S2 data, ``wrk`` when installed (else a Python client), and the
requests/s, latencies, statements per request and worker memory printed after the table. The
"peak RSS" of a scenario is the process's highest resident set size while it ran (``VmHWM``,
reset before each scenario): the interpreter, the registry and the data it holds included.

Differences from the shared harness (``../shared/bench/peers/run.sh -p floor,erplite``), whose
numbers are the reference: the embedded server has neither ``pg_stat_statements`` nor
``pg_trgm``, so statements are counted on the client (every statement erplite's cursors send,
without the ``BEGIN``/``COMMIT`` psycopg adds: the harness's counts are 2 higher per scenario)
and partner names have no trigram index (S3 scans); its settings are pgserver's, not SPEC.md
5.1's. There is no floor to compare with.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_erplite  # noqa: E402
from bench_erplite import ADDONS, data  # noqa: E402

from erplite import Registry  # noqa: E402
from erplite.sql import admin_connection, close_all_pools, count_queries, dsn_with_dbname  # noqa: E402

ALL = ("S1", "S2", "S3", "S4", "S5", "S6", "S7")
TITLES = {
    "S1": "bulk_create",
    "S2": "orders",
    "S3": "search_read",
    "S4": "recompute",
    "S5": "read_group",
    "S6": "browse_read",
}


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_scenario_peak() -> None:
    """Make the process's peak RSS (``VmHWM``) its current RSS (Linux 4.0+), so that the
    peak read after a scenario is that scenario's."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def scenario_peak_mb() -> float:
    """The process's peak RSS since :func:`reset_scenario_peak`, in MiB (``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mb()


class StandaloneRunner:
    """The shared harness's ``run(name, fn, *args)`` protocol, counting on the client."""

    peer = "erplite"

    def __init__(self, dsn: str, selected: set[str], profile: str | None = None):
        self.dsn = dsn
        self.selected = selected
        self.profile = profile
        self.results: dict[str, dict] = {}

    def wanted(self, name: str) -> bool:
        return name in self.selected or name in ("S1", "S2")

    def run(self, name: str, fn: Any, *args: Any) -> Any:
        if not self.wanted(name):
            return None
        with admin_connection(self.dsn) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        gc.collect()
        reset_scenario_peak()
        profiler = None
        if self.profile == name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        with count_queries() as statements:
            start = time.perf_counter()
            value, check = fn(*args)
            seconds = time.perf_counter() - start
        if profiler is not None:
            profiler.stop()
            report = HERE / f"profile-{name}.txt"
            report.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
            print(f"profile of {name} written to {report}", flush=True)
        if name in ("S2", "S4"):
            check = self.verify(name)
        self.results[name] = {
            "seconds": round(seconds, 4),
            "statements": len(statements),
            "check": check,
            "peak_rss_mb": round(scenario_peak_mb(), 1),
            "reported": name in self.selected,
        }
        print(
            f"erplite {name}: {seconds:8.3f}s {len(statements):7d} stmts  check={check}", flush=True
        )
        return value

    def verify(self, name: str) -> list:
        """The harness's check, straight from the database, after S2 and S4."""
        with admin_connection(self.dsn) as conn:
            row = conn.execute("""
                SELECT (SELECT count(*) FROM bench_order),
                       (SELECT count(*) FROM bench_order_line),
                       (SELECT round(sum(amount_total)::numeric, 2) FROM bench_order),
                       (SELECT max(abs(subtotal - quantity * price_unit)) FROM bench_order_line),
                       (SELECT max(abs(o.amount_total - s.total)) FROM bench_order o
                          JOIN (SELECT order_id, sum(subtotal) AS total FROM bench_order_line
                                GROUP BY 1) s ON s.order_id = o.id)
            """).fetchone()
        orders, lines, total, line_error, order_error = row
        ok = (
            orders == data.N_ORDERS
            and lines == data.N_ORDERS * data.LINES_PER_ORDER
            and abs(float(total) - data.expected()[name]) < 0.05
            and line_error < 1e-6
            and order_error < 1e-6
        )
        return ["ok" if ok else "FAILED", orders, lines, float(total)]

    def table(self) -> str:
        lines = [
            "| scenario | seconds | statements (client) | peak RSS MiB | check |",
            "|---|---|---|---|---|",
        ]
        for name in ALL:
            result = self.results.get(name)
            if result and result["reported"]:
                lines.append(
                    f"| {name} {TITLES[name]} | {result['seconds']:.3f} | "
                    f"{result['statements']:,} | {result['peak_rss_mb']:.0f} | "
                    f"{result['check']} |"
                )
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-s", "--scenarios", default=",".join(ALL))
    parser.add_argument("--profile", metavar="SCENARIO", help="write a pyinstrument report")
    parser.add_argument("--out", help="write the results as JSON too")
    parser.add_argument("--s7-seconds", type=int, default=20, help="S7's measured duration")
    parser.add_argument(
        "--tracking",
        action="store_true",
        help="install bench_tracking too: bench.order is a mail.thread tracking amount_total",
    )
    args = parser.parse_args()
    modules = ("bench", "bench_tracking") if args.tracking else ("bench",)
    selected = set(args.scenarios.split(","))

    import pgserver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(
            Path(tempfile.mkdtemp(prefix="erplite-bench-")), cleanup_mode="delete"
        )
    try:
        base = server.get_uri("postgres")
        with admin_connection(base) as conn:
            conn.execute("CREATE DATABASE bench_tpl TEMPLATE template0 ENCODING 'UTF8'")
        start = time.perf_counter()
        Registry.new(dsn_with_dbname(base, "bench_tpl"), install=modules, addons_paths=(ADDONS,))
        close_all_pools()
        print(f"template installed in {time.perf_counter() - start:.1f}s", flush=True)
        with admin_connection(base) as conn:
            conn.execute("CREATE DATABASE bench_run TEMPLATE bench_tpl")
        dsn = dsn_with_dbname(base, "bench_run")
        registry = Registry(dsn, addons_paths=(ADDONS,))
        runner = StandaloneRunner(dsn, selected, args.profile)
        bench_erplite.run_scenarios(runner, registry)
        close_all_pools()
        results = dict(runner.results)
        s7 = None
        if "S7" in selected:
            import s7_http

            s7_args = argparse.Namespace(
                seconds=args.s7_seconds, warmup=5, clients=4, workers=4, client="auto"
            )
            s7 = results["S7"] = s7_http.measure(base, s7_args)
        print()
        print(runner.table())
        if s7 is not None:
            print()
            print(s7_http.report(s7))
        if args.out:
            Path(args.out).write_text(
                json.dumps({"peer": "erplite", "scenarios": results}, indent=1, default=str)
            )
    finally:
        close_all_pools()
        server.cleanup()


if __name__ == "__main__":
    main()
