"""Interleaved A/B of the read scenarios (S3, S5, S6) between two erplite trees, on one server.

    # the tree to compare with, as a worktree of the commit (never the checkout itself)
    git worktree add --detach /tmp/erplite-before <commit>
    .venv/bin/python benchmarks/profile/ab_read.py --dsn "$(benchmarks/profile/pg15.sh start)" \\
        --tree before=/tmp/erplite-before --tree after=. -s S3,S5,S6 -n 15 [--create] [--cprofile]

On a machine other processes load, a run compared with a figure remembered from another run
says nothing. Here each tree gets a warm worker process (its registry loaded; ``PYTHONPATH``
selects the tree, the same venv runs both), and the driver asks them in turn, A then B, then B
then A, for one scenario at a time: both meet the same load. Each tree reads its own database
(``ab_<label>``, S1 + S2 of the shared data, built by that tree with ``--create``), so that a
tree whose schema differs reads its own. Per run a worker reports its wall and process CPU
seconds, its client statements, and the statements and execution + planning time the server
counted (``pg_stat_statements``, as the harness does: ``pg15.sh`` preloads it). ``F3``, ``F5``,
``F6`` run the floor's SQL (``shared/bench/peers/floor``) on the same database. The summary
gives medians and minima per scenario and tree; ``--cprofile`` prints each run's top functions.
S3, S5 and S6 only read: any number of runs on one database gives the same answer.
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

HERE = Path(__file__).resolve().parent
#: the shared harness's ``common/`` (data.py), as ``run_scenarios.py`` finds it
COMMON = Path(os.environ.get("BENCH_COMMON", "/work/shared/bench/peers/common"))


# ---------------------------------------------------------------------------------------------
# the worker (one per tree): python ab_read.py worker DSN DB ADDONS CREATE
# ---------------------------------------------------------------------------------------------


def worker(dsn: str, db: str, addons: str, create: bool) -> None:
    sys.path[:0] = [str(COMMON), str(COMMON.parent / "floor")]
    import bench_floor
    import data

    os.environ.setdefault("BENCH_COMMON", str(COMMON))  # bench_erplite finds data.py there
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import psycopg
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
            product_ids = env["bench.product"].create(data.products()).ids
            partner_ids = env["bench.partner"].create(data.partners()).ids
            create_orders(env, data.orders(), partner_ids, product_ids)
    else:
        registry = Registry(target, addons_paths=[addons])
    admin = psycopg.connect(target, autocommit=True)
    admin.execute("VACUUM ANALYZE")
    floor = psycopg.connect(target, autocommit=True)
    fragments = data.fragments()

    def s3(env: Any) -> Any:
        rows = total = 0
        for fragment in fragments:
            found = env["bench.order"].search_read(
                [
                    ("partner_id.name", "ilike", fragment),
                    ("state", "=", "draft"),
                    ("amount_total", ">", 100),
                ],
                ["name", "partner_id", "amount_total", "state", "date"],
                order="amount_total desc",
                limit=80,
            )
            rows += len(found)
            total += sum(row["amount_total"] for row in found)
        return [rows, round(total, 2)]

    def s5(env: Any) -> Any:
        groups = env["bench.order"]._read_group(
            [], ["partner_id.country_code", "date:month"], ["amount_total:sum"]
        )
        return [len(groups), round(sum(group[2] for group in groups), 2)]

    def s6(env: Any) -> Any:
        count = total = 0
        for line in env["bench.order.line"].search([], order="id"):
            count += 1
            total += len(line.order_id.partner_id.name)
        return [count, total]

    scenarios = {
        "S3": s3,
        "S5": s5,
        "S6": s6,
        "F3": lambda env: bench_floor.s3(floor, fragments)[1],
        "F5": lambda env: bench_floor.s5(floor)[1],
        "F6": lambda env: bench_floor.s6(floor)[1],
    }
    server = (
        "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time + total_plan_time), 0)"
        " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database"
        " WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%'"
    )
    print(json.dumps({"ready": erplite.__file__}), flush=True)
    for command in sys.stdin:
        name, _, option = command.strip().partition(" ")
        gc.collect()
        admin.execute("SELECT pg_stat_statements_reset()")
        profiler = cProfile.Profile(time.process_time) if option == "cprofile" else None
        with count_queries() as statements:
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            with registry.cursor() as cr:
                check = scenarios[name](api.Environment(cr, SUPERUSER_ID, {}))
            if profiler is not None:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        calls, ms = admin.execute(server).fetchone()
        result = {
            "wall": wall,
            "cpu": cpu,
            "statements": len(statements),
            "server_statements": int(calls),
            "server": float(ms) / 1000,
            "check": check,
        }
        if profiler is not None:
            result["profile"] = profile_report(profiler)
        print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------


def main() -> None:
    args = ab_trees.parse_args(__doc__.split("\n\n")[0], "S3,S5,S6", "S3,S5,S6,F3,F5,F6")
    workers = ab_trees.start_workers(__file__, args, "ab_")
    results = ab_trees.alternate(workers, args)

    def line(scenario: str, label: str, runs: list[dict[str, Any]], median: Any, least: Any) -> str:
        return (
            f"{scenario:8} {label:10} {median('wall'):7.4f}/{least('wall'):7.4f}"
            f" {median('cpu'):7.4f}/{least('cpu'):7.4f} {median('server'):10.4f}"
            f" {runs[0]['statements']:5d}/{runs[0]['server_statements']:<5d} {runs[0]['check']}"
        )

    header = "scenario tree        wall med/min       cpu med/min  server med  statements  check"
    ab_trees.summary(results, header, line)
    ab_trees.stop(workers)


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")
    else:
        main()
