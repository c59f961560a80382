"""Interleaved A/B of S7's request path (``s7_inprocess.py``) between two erplite trees.

    git worktree add --detach /tmp/erplite-before <commit>
    .venv/bin/python benchmarks/profile/ab_s7.py --dsn "$(benchmarks/profile/pg15.sh start)" \\
        --tree before=/tmp/erplite-before --tree after=. -n 10

Each tree gets a warm worker process (``PYTHONPATH`` selects the tree, the same venv runs
both) that builds ``erplite.http.Application`` for ``bench_s7`` (made by ``s7_inprocess.py``)
and calls it directly with S7's 200 JSON-RPC bodies. The driver asks the workers in turn, A
then B, then B then A, for one pass of the bodies each: both meet the same load. Each pass
reports the process CPU and wall microseconds per request and the statements per request; the
summary gives the median and minimum CPU per tree and the median of the per-pair ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(dsn: str, rounds: int) -> None:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    import s7_http
    import s7_inprocess
    from bench_erplite import ADDONS

    import erplite
    from erplite.http import Application
    from erplite.sql import count_queries, dsn_with_dbname

    app = Application(dsn_with_dbname(dsn, s7_http.DB), addons_paths=(str(ADDONS),))
    login = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 0,
        "params": {"service": "common", "method": "login", "args": [s7_http.DB, "admin", "admin"]},
    }
    uid = s7_inprocess.call(app, json.dumps(login).encode())
    payloads = [json.dumps(body).encode() for body in s7_http.bodies(uid)]
    for payload in payloads:
        s7_inprocess.call(app, payload)
    print(json.dumps({"ready": erplite.__file__}), flush=True)
    for _command in sys.stdin:
        with count_queries() as queries:
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(rounds):
                for payload in payloads:
                    s7_inprocess.call(app, payload)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        count = rounds * len(payloads)
        print(
            json.dumps(
                {
                    "cpu": cpu / count * 1e6,
                    "wall": wall / count * 1e6,
                    "statements": len(queries) / count,
                }
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--tree", action="append", required=True, help="label=path, twice")
    parser.add_argument("-n", type=int, default=10, help="pairs of passes")
    parser.add_argument("--rounds", type=int, default=2, help="passes of the 200 bodies per run")
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.tree)
    if len(trees) != 2:
        parser.error("two --tree label=path")
    workers = {}
    for label, tree in trees.items():
        process = subprocess.Popen(
            [sys.executable, __file__, "worker", args.dsn, str(args.rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(Path(tree).resolve())),
        )
        assert process.stdout is not None
        print(label, json.loads(process.stdout.readline())["ready"], flush=True)
        workers[label] = process
    labels = list(workers)
    runs: dict[str, list[dict]] = {label: [] for label in labels}
    ratios = []
    for pair in range(args.n):
        order = labels if pair % 2 == 0 else labels[::-1]
        for label in order:
            process = workers[label]
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("run\n")
            process.stdin.flush()
            runs[label].append(json.loads(process.stdout.readline()))
        ratios.append(runs[labels[1]][-1]["cpu"] / runs[labels[0]][-1]["cpu"])
    for label in labels:
        cpus = [run["cpu"] for run in runs[label]]
        walls = [run["wall"] for run in runs[label]]
        print(
            f"{label:8} CPU median {statistics.median(cpus):6.0f} min {min(cpus):6.0f} us, "
            f"wall median {statistics.median(walls):6.0f} us, "
            f"{runs[label][-1]['statements']:.2f} statements per request"
        )
    print(f"{labels[1]} / {labels[0]} CPU, median of pairs: {statistics.median(ratios):.3f}")
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
