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

import cProfile
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import ab_trees
from ab_trees import profile_report, recreate_database

#: the shared harness's ``common/`` (data.py), as ``run_scenarios.py`` finds it
COMMON = Path(os.environ.get("BENCH_COMMON", "/work/shared/bench/peers/common"))


# ---------------------------------------------------------------------------------------------
# the worker (one per tree): python ab_write.py worker DSN DB ADDONS CREATE
# ---------------------------------------------------------------------------------------------


def worker(dsn: str, db: str, addons: str, create: bool) -> None:
    sys.path.insert(0, str(COMMON))
    import data

    os.environ.setdefault("BENCH_COMMON", str(COMMON))  # bench_erplite finds data.py there
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench_erplite import create_orders

    import erplite
    from erplite import SUPERUSER_ID, Registry, api
    from erplite.sql import count_queries, dsn_with_dbname

    target = dsn_with_dbname(dsn, db)
    if create:
        recreate_database(dsn, db)
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
        create_orders(env, orders, partner_ids, product_ids)
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
            result["profile"] = profile_report(profiler)
        print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------


def main() -> None:
    args = ab_trees.parse_args(__doc__.split("\n\n")[0], "S2", "S1,S2")
    workers = ab_trees.start_workers(__file__, args, "abw_")
    results = ab_trees.alternate(workers, args)

    def line(scenario: str, label: str, runs: list[dict[str, Any]], median: Any, least: Any) -> str:
        cpus = " ".join(f"{run['cpu']:.3f}" for run in runs)
        return (
            f"{scenario:8} {label:10} {median('wall'):7.4f}/{least('wall'):7.4f}"
            f" {median('cpu'):7.4f}/{least('cpu'):7.4f} {runs[0]['statements']:6d}"
            f"  {runs[0]['check']}  {cpus}"
        )

    header = "scenario tree        wall med/min       cpu med/min  statements  check  cpu per run"
    ab_trees.summary(results, header, line)
    ab_trees.stop(workers)


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")
    else:
        main()
