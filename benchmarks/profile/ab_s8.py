"""Interleaved A/B of S8's list page between two erplite trees, in one warm process per tree.

    git worktree add --detach /tmp/erplite-before <commit>     # the tree to compare with
    .venv/bin/python benchmarks/profile/s8_inprocess.py --dsn "$DSN"   # builds bench_s7 once
    .venv/bin/python benchmarks/profile/ab_s8.py --dsn "$DSN" \\
        --tree before=/tmp/erplite-before --tree after=. -n 10 --requests 200

Each tree gets a worker process (``PYTHONPATH`` selects the tree, the same venv runs both)
that builds ``erplite.http.Application`` on ``bench_s7``, logs in through the form login as
``s8_inprocess.py`` does and warms every cache; the driver then asks the workers in turn, A
then B, then B then A, for ``--requests`` GETs of the page ``peer.sh s8-path`` prints, so both
meet the same load of a shared machine. Each pass reports the process CPU and wall
microseconds per request; the summary gives medians and minima per tree, and the pages of the
two trees are compared byte for byte (apart from the CSRF token and the session's values).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: what differs between two logins of the same page: the CSRF token
_VOLATILE = re.compile(rb'(csrf_token" value="|csrf-token" content=")[^"]+')


def worker(dsn: str) -> None:
    """Serve the driver's ``run N`` lines on stdin with one JSON line each on stdout."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    import s7_http
    import s8_inprocess
    from bench_erplite import ADDONS, s8_path

    from erplite.http import Application
    from erplite.sql import dsn_with_dbname

    path = s8_path(dsn, s7_http.DB)
    app = Application(dsn_with_dbname(dsn, s7_http.DB), addons_paths=(str(ADDONS),))
    session_id = s8_inprocess.login(app)
    page = b""
    for _ in range(30):
        page = s8_inprocess.call(app, path, session_id)
    print(json.dumps({"page": _VOLATILE.sub(rb"\1", page).decode()}), flush=True)
    for line in sys.stdin:
        count = int(line.split()[1])
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(count):
            s8_inprocess.call(app, path, session_id)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(json.dumps({"cpu": cpu / count * 1e6, "wall": wall / count * 1e6}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="the server holding bench_s7")
    parser.add_argument("--tree", action="append", required=True, help="label=path, twice")
    parser.add_argument("-n", type=int, default=10, help="passes per tree")
    parser.add_argument("--requests", type=int, default=200, help="GETs per pass")
    args = parser.parse_args()
    trees = [spec.split("=", 1) for spec in args.tree]
    if len(trees) != 2:
        parser.error("give two --tree label=path")
    workers = {}
    pages = {}
    for label, tree in trees:
        env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()))
        proc = subprocess.Popen(
            [sys.executable, __file__, "worker", args.dsn],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        workers[label] = proc
        pages[label] = json.loads(proc.stdout.readline())["page"]
    (first, _), (second, _) = trees
    same = pages[first] == pages[second]
    print(
        f"pages: {len(pages[first])} / {len(pages[second])} bytes, {'same' if same else 'DIFFER'}"
    )
    results: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
    for index in range(args.n):
        order = [first, second] if index % 2 == 0 else [second, first]
        for label in order:
            proc = workers[label]
            proc.stdin.write(f"run {args.requests}\n")
            proc.stdin.flush()
            results[label].append(json.loads(proc.stdout.readline()))
        print(
            "  ".join(f"{label} {results[label][-1]['cpu']:6.0f}" for label, _ in trees),
            "us CPU",
            flush=True,
        )
    for proc in workers.values():
        proc.stdin.close()
        proc.wait()
    for label, _ in trees:
        cpu = [r["cpu"] for r in results[label]]
        wall = [r["wall"] for r in results[label]]
        print(
            f"{label:10} CPU median {statistics.median(cpu):6.0f} min {min(cpu):6.0f}  "
            f"wall median {statistics.median(wall):6.0f} min {min(wall):6.0f} us per request"
        )
    base = statistics.median(r["cpu"] for r in results[first])
    other = statistics.median(r["cpu"] for r in results[second])
    print(f"{second} / {first} CPU: {other / base:.3f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "worker":
        worker(sys.argv[2])
    else:
        main()
