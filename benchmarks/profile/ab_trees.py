"""The driver half of the interleaved A/B scripts (``ab_read.py``, ``ab_write.py``).

Each script runs as a driver and, under it, as one warm worker process per tree
(``python <script> worker DSN DB ADDONS CREATE``; ``PYTHONPATH`` selects the tree, the same
venv runs both). A worker answers one line of JSON per scenario asked on its stdin. This
module holds what the drivers share: the command line, starting the workers, asking them in
turn (A then B, then B then A, so that both meet the same load of a shared machine), the
medians and minima, and the worker's side of a fresh database and of a cProfile report.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Workers = dict[str, "subprocess.Popen[str]"]
Results = dict[tuple[str, str], list[dict[str, Any]]]


def parse_args(description: str, scenarios: str, choices: str) -> argparse.Namespace:
    """The drivers' command line: ``--dsn``, ``--tree LABEL=PATH`` twice, ``-s``, ``-n``,
    ``--create`` and ``--cprofile``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dsn", required=True, help="libpq DSN of the server (pg15.sh start)")
    parser.add_argument("--tree", action="append", required=True, help="LABEL=PATH, twice")
    parser.add_argument("-s", "--scenarios", default=scenarios, help=f"of {choices}")
    parser.add_argument("-n", "--runs", type=int, default=9, help="runs per scenario and tree")
    parser.add_argument("--create", action="store_true", help="(re)build each tree's database")
    parser.add_argument("--cprofile", action="store_true", help="print each run's profile")
    return parser.parse_args()


def start_workers(script: str, args: argparse.Namespace, db_prefix: str) -> Workers:
    """One worker of ``script`` per ``--tree``, its database ``<db_prefix><label>``; returns
    once every worker said it is ready (printing which erplite each one imported)."""
    workers: Workers = {}
    for spec in args.tree:
        label, _, path = spec.partition("=")
        tree = Path(path).resolve()
        command = [sys.executable, script, "worker", args.dsn, f"{db_prefix}{label}"]
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
    return workers


def alternate(workers: Workers, args: argparse.Namespace) -> Results:
    """Every scenario of ``-s`` asked ``-n`` times of each worker, in turn, the order of the
    workers reversed on every other run; each run's profile is printed as it comes."""
    results: Results = {}
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
    return results


def summary(results: Results, header: str, line: Callable[..., str]) -> None:
    """Prints ``header``, then ``line(scenario, label, runs, median, least)`` per scenario and
    tree, ``median(key)`` and ``least(key)`` being over that tree's runs."""
    print(header)
    for (scenario, label), runs in sorted(results.items()):

        def median(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(run[key] for run in runs)

        def least(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return min(run[key] for run in runs)

        print(line(scenario, label, runs, median, least))


def stop(workers: Workers) -> None:
    """Closes every worker's stdin, which ends it, and waits for it."""
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()


def recreate_database(dsn: str, db: str) -> None:
    """(Worker side.) Drops ``db`` if it exists and creates it empty from ``template1``."""
    import psycopg
    from psycopg import sql

    from erplite.sql import dsn_with_dbname

    with psycopg.connect(dsn_with_dbname(dsn, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template1").format(sql.Identifier(db)))


def profile_report(profiler: cProfile.Profile) -> str:
    """(Worker side.) The 25 functions of most own time of one run."""
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    return text.getvalue()
