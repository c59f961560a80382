"""Interleaved A/B of the write scenarios (S1, S2) between two erplite trees, on one server.

    git worktree add --detach /tmp/erplite-before <commit>
    .venv/bin/python benchmarks/profile/ab_write.py --dsn "$(benchmarks/profile/pg15.sh start)" \\
        --tree before=/tmp/erplite-before --tree after=. -s S2,S1 -n 12 [--create] [--cprofile]

The write-side twin of ``ab_read.py``: a warm worker process per tree (``PYTHONPATH`` picks
the tree, the same venv runs both), asked in turn, A then B, then B then A, for one scenario
at a time, so that both meet the same load of a shared machine. Each tree has its own
database (``abw_<label>``: the products and the 10,000 partners of the shared data, built by
that tree with ``--create``). S1 creates the 10,000 partners again, S2 the 2,000 orders with
their 5 lines each, through the public API as ``bench_erplite.py`` does; the transaction is
rolled back after each run, so that every run starts from the same data. Per run a worker
reports its wall and process CPU seconds (the ORM's own cost: the rollback is not timed) and
its client statements; the summary gives medians and minima per scenario and tree, and every
run's CPU. ``--cprofile`` prints each run's top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: the shared harness's ``common/`` (data.py), as ``run_scenarios.py`` finds it
COMMON = Path(os.environ.get("BENCH_COMMON", "/work/shared/bench/peers/common"))


# ---------------------------------------------------------------------------------------------
# the worker (one per tree): python ab_write.py worker DSN DB ADDONS CREATE
# ---------------------------------------------------------------------------------------------


def worker(dsn: str, db: str, addons: str, create: bool) -> None:
    sys.path.insert(0, str(COMMON))
    import data
    import psycopg
    from psycopg import sql

    import erplite
    from erplite import SUPERUSER_ID, Command, Registry, api
    from erplite.sql import count_queries, dsn_with_dbname

    target = dsn_with_dbname(dsn, db)
    if create:
        with psycopg.connect(dsn_with_dbname(dsn, "postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template1").format(sql.Identifier(db))
            )
        registry = Registry.new(target, install=("bench",), addons_paths=[addons])
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["bench.product"].create(data.products())
            env["bench.partner"].create(data.partners())
    else:
        registry = Registry(target, addons_paths=[addons])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # every product, archived ones too (the data's line refers to them by position)
        products = env["bench.product"].with_context(active_test=False)
        product_ids = products.search([], order="id").ids
        partner_ids = env["bench.partner"].search([], order="id").ids
    partners = data.partners()
    orders = data.orders()

    def s1(env: Any) -> Any:
        return len(env["bench.partner"].create(partners))

    def s2(env: Any) -> Any:
        Order = env["bench.order"]
        for order in orders:
            Order.create(
                {
                    "name": order["name"],
                    "partner_id": partner_ids[order["partner"]],
                    "date": order["date"],
                    "state": order["state"],
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": product_ids[line["product"]],
                                "quantity": line["quantity"],
                                "price_unit": line["price_unit"],
                            }
                        )
                        for line in order["lines"]
                    ],
                }
            )
        return len(orders)

    scenarios = {"S1": s1, "S2": s2}
    print(json.dumps({"ready": erplite.__file__}), flush=True)
    for command in sys.stdin:
        name, _, option = command.strip().partition(" ")
        gc.collect()
        profiler = cProfile.Profile(time.process_time) if option == "cprofile" else None
        with count_queries() as statements, registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            check = scenarios[name](env)
            env.flush_all()
            if profiler is not None:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            sent = len(statements)
            cr.rollback()
        result = {"wall": wall, "cpu": cpu, "statements": sent, "check": check}
        if profiler is not None:
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
            result["profile"] = text.getvalue()
        print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", required=True, help="libpq DSN of the server (pg15.sh start)")
    parser.add_argument("--tree", action="append", required=True, help="LABEL=PATH, twice")
    parser.add_argument("-s", "--scenarios", default="S2", help="of S1,S2")
    parser.add_argument("-n", "--runs", type=int, default=9, help="runs per scenario and tree")
    parser.add_argument("--create", action="store_true", help="(re)build each tree's database")
    parser.add_argument("--cprofile", action="store_true", help="print each run's profile")
    args = parser.parse_args()
    workers: dict[str, subprocess.Popen[str]] = {}
    for spec in args.tree:
        label, _, path = spec.partition("=")
        tree = Path(path).resolve()
        command = [sys.executable, __file__, "worker", args.dsn, f"abw_{label}"]
        command += [str(tree / "benchmarks" / "addons"), "1" if args.create else "0"]
        workers[label] = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(tree)),
        )
    for label, process in workers.items():
        assert process.stdout is not None
        print(label, json.loads(process.stdout.readline())["ready"], flush=True)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run in range(args.runs):
        for scenario in args.scenarios.split(","):
            order = list(workers.items())
            for label, process in order if run % 2 == 0 else order[::-1]:
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(f"{scenario}{' cprofile' if args.cprofile else ''}\n")
                process.stdin.flush()
                result = json.loads(process.stdout.readline())
                if "profile" in result:
                    print(f"--- {label} {scenario}\n{result.pop('profile')}")
                results.setdefault((scenario, label), []).append(result)
    print("scenario tree        wall med/min       cpu med/min  statements  check  cpu per run")
    for (scenario, label), runs in sorted(results.items()):

        def median(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(run[key] for run in runs)

        def least(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return min(run[key] for run in runs)

        cpus = " ".join(f"{run['cpu']:.3f}" for run in runs)
        print(
            f"{scenario:8} {label:10} {median('wall'):7.4f}/{least('wall'):7.4f}"
            f" {median('cpu'):7.4f}/{least('cpu'):7.4f} {runs[0]['statements']:6d}"
            f"  {runs[0]['check']}  {cpus}"
        )
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")
    else:
        main()
