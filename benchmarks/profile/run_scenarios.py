"""Run the benchmark scenarios S1-S6 (shared/bench/peers/SPEC.md) through erplite's public ORM
API, with timings (wall clock, and this process's CPU time: the ORM's own cost, steadier on a
busy machine), client-side statement counts and optional pyinstrument profiles.

Usage (from the project root)::

    .venv/bin/python benchmarks/profile/run_scenarios.py                 # all, full size
    .venv/bin/python benchmarks/profile/run_scenarios.py --scale 0.2     # a fifth of the data
    .venv/bin/python benchmarks/profile/run_scenarios.py -s S2 --profile S2   # profile S2

The database server is ``--dsn`` (or ``ERPLITE_TEST_DSN``) when set, else an embedded
PostgreSQL (``pgserver``) kept in ``/tmp/erplite-profile-pg`` between runs. The embedded one has
no ``pg_trgm``; for numbers comparable with the benchmark's, start the cluster of ``pg15.sh``
(Debian's PostgreSQL 15 with the benchmark's settings, ``pg_trgm`` and
``pg_stat_statements``) and pass its DSN: the script then also prints the statements the
server counted and their server time, after a VACUUM ANALYZE and CHECKPOINT before each
scenario as SPEC.md does. Each run creates a
fresh database with the benchmark module ``bench`` (``benchmarks/addons``) and drops it at
the end. Every scenario runs in its own transaction (new cursor, empty cache) and commits inside
the timed section, as SPEC.md says. Profiles go to ``benchmarks/profile/out/<S>.txt`` (and
``.html``); pyinstrument is a development tool: ``.venv/bin/pip install pyinstrument``.

This is a profiling aid, not the benchmark: the official numbers come from
``shared/bench/peers/run.sh`` (server-side statement counts, VACUUM between scenarios...).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("BENCH_COMMON", "/work/shared/bench/peers/common"))
sys.path.insert(0, str(DATA_DIR))

import data  # noqa: E402

from erplite import SUPERUSER_ID, Command, Registry, api  # noqa: E402
from erplite.sql import count_queries, dsn_with_dbname  # noqa: E402
from erplite.testing import create_database, drop_database  # noqa: E402


def server_dsn(explicit: str | None) -> str:
    """The maintenance DSN of the server to use (starting the embedded one if needed)."""
    dsn = explicit or os.environ.get("ERPLITE_TEST_DSN")
    if dsn:
        return dsn_with_dbname(dsn, "postgres")
    import pgserver

    pgdata = Path("/tmp/erplite-profile-pg")
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri("postgres")


class Scenarios:
    """S1-S6 on one database; ``scale`` shrinks the data (partners, orders, searches)."""

    def __init__(self, registry: Any, scale: float):
        self.registry = registry
        self.partners = data.partners()[: max(1, int(data.N_PARTNERS * scale))]
        orders = data.orders()[: max(1, int(data.N_ORDERS * scale))]
        self.orders = [o for o in orders if o["partner"] < len(self.partners)]
        self.fragments = data.fragments()[: max(1, int(data.N_SEARCHES * scale))]
        self.partner_ids: list[int] = []
        self.product_ids: list[int] = []

    def setup(self) -> None:
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.product_ids = env["bench.product"].create(data.products()).ids

    def S1(self, env: Any) -> Any:
        records = env["bench.partner"].create(self.partners)
        self.partner_ids = records.ids
        return len(records)

    def S2(self, env: Any) -> Any:
        Order = env["bench.order"]
        for order in self.orders:
            Order.create(
                {
                    "name": order["name"],
                    "partner_id": self.partner_ids[order["partner"]],
                    "date": order["date"],
                    "state": order["state"],
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_ids[line["product"]],
                                "quantity": line["quantity"],
                                "price_unit": line["price_unit"],
                            }
                        )
                        for line in order["lines"]
                    ],
                }
            )
        return len(self.orders)

    def S3(self, env: Any) -> Any:
        Order = env["bench.order"]
        rows = 0
        total = 0.0
        for fragment in self.fragments:
            result = Order.search_read(
                [
                    ("partner_id.name", "ilike", fragment),
                    ("state", "=", "draft"),
                    ("amount_total", ">", 100),
                ],
                ["name", "partner_id", "amount_total", "state", "date"],
                order="amount_total desc",
                limit=80,
            )
            rows += len(result)
            total += sum(r["amount_total"] for r in result)
        return [rows, round(total, 2)]

    def S4(self, env: Any) -> Any:
        lines = env["bench.order.line"].search([])
        lines.write({"quantity": data.S4_QUANTITY})
        return len(lines)

    def S5(self, env: Any) -> Any:
        groups = env["bench.order"].read_group(
            [], ["amount_total:sum"], ["partner_id.country_code", "date:month"], lazy=False
        )
        return [len(groups), round(sum(g["amount_total"] for g in groups), 2)]

    def S6(self, env: Any) -> Any:
        count = total = 0
        for line in env["bench.order.line"].search([], order="id"):
            count += 1
            total += len(line.order_id.partner_id.name)
        return [count, total]


class ServerStats:
    """SPEC.md 5.1/5.2 around each scenario when the server has ``pg_stat_statements`` (see
    ``pg15.sh``): VACUUM ANALYZE and CHECKPOINT before, then the statements the server ran
    (BEGIN/COMMIT included, foreign-key checks excluded) and their server time."""

    def __init__(self, dsn: str, dbname: str):
        import psycopg

        self.dbname = dbname
        self.conn = psycopg.connect(dsn, autocommit=True)
        try:
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.conn.execute("SELECT pg_stat_statements_reset()")
            self.enabled = True
        except psycopg.Error:  # not installed, or not preloaded
            self.enabled = False

    def before(self) -> None:
        if self.enabled:
            self.conn.execute("VACUUM ANALYZE")
            self.conn.execute("CHECKPOINT")
            self.conn.execute("SELECT pg_stat_statements_reset()")

    def after(self) -> str:
        if not self.enabled:
            return ""
        calls, ms = self.conn.execute(
            "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time + total_plan_time), 0) "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s) "
            "AND query NOT LIKE '%%pg_stat_statements%%' AND query NOT LIKE '%%OPERATOR(pg_catalog.%%'",
            (self.dbname,),
        ).fetchone()
        return f"{int(calls):7d} {ms / 1000:8.3f}"

    def top(self, count: int = 6) -> list[str]:
        """The statements that took the most server time: calls, total ms, mean ms, text."""
        if not self.enabled:
            return []
        rows = self.conn.execute(
            "SELECT calls, total_exec_time + total_plan_time, "
            "left(regexp_replace(query, '\\s+', ' ', 'g'), 150) FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s) "
            "AND query NOT LIKE '%%pg_stat_statements%%' ORDER BY 2 DESC LIMIT %s",
            (self.dbname, count),
        ).fetchall()
        return [
            f"    {calls:6d} {ms:9.1f} ms {ms / calls:7.3f} ms/call  {text}"
            for calls, ms, text in rows
        ]


def check_totals(registry: Any) -> list:
    """SPEC.md section 6's S2/S4 checks, read from the database."""
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*), max(abs(subtotal - quantity * price_unit)) FROM bench_order_line"
        )
        lines, line_error = cr.fetchone()
        cr.execute(
            "SELECT count(*), max(abs(o.amount_total - coalesce(l.total, 0))), "
            "round(sum(o.amount_total)::numeric, 2) FROM bench_order o LEFT JOIN "
            "(SELECT order_id, sum(subtotal) AS total FROM bench_order_line GROUP BY order_id) l "
            "ON l.order_id = o.id"
        )
        orders, order_error, grand_total = cr.fetchone()
    ok = (line_error or 0) < 1e-6 and (order_error or 0) < 1e-6
    return [orders, lines, float(grand_total or 0), "ok" if ok else "WRONG"]


def run_floor(base: str, wanted: list[str], runner: Scenarios) -> dict[str, float]:
    """The floor's implementation (``shared/bench/peers/floor``: hand-written SQL with
    psycopg) of the ``wanted`` scenarios on a database of its own with the floor's schema,
    prepared as SPEC.md says (VACUUM ANALYZE, CHECKPOINT); its wall-clock seconds. Its
    process CPU time and, with ``pg_stat_statements``, its server statements and time are
    printed per scenario (where erplite's time differs from the floor's: Python or server)."""
    import psycopg

    floor_dir = DATA_DIR.parent / "floor"
    sys.path.insert(0, str(floor_dir))
    import bench_floor

    name = f"erplite_floor_{uuid.uuid4().hex[:8]}"
    dsn = create_database(base, name)
    result: dict[str, float] = {}
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.execute((floor_dir / "schema.sql").read_text())
            with conn.transaction():
                product_ids = bench_floor.insert_many(
                    conn.cursor(),
                    "bench_product",
                    ["name", "list_price", "active"],
                    ["varchar", "float8", "bool"],
                    data.products(),
                )
            scenarios = {
                "S1": (bench_floor.s1, (conn, runner.partners)),
                "S2": (bench_floor.s2, (conn, runner.orders, None, product_ids)),
                "S3": (bench_floor.s3, (conn, runner.fragments)),
                "S4": (bench_floor.s4, (conn,)),
                "S5": (bench_floor.s5, (conn,)),
                "S6": (bench_floor.s6, (conn,)),
            }
            partner_ids: list[int] = []
            server = ServerStats(dsn, name)
            for scenario, (function, args) in scenarios.items():
                if scenario not in wanted:
                    continue
                if scenario == "S2":
                    args = (conn, runner.orders, partner_ids, product_ids)
                conn.execute("VACUUM ANALYZE")
                conn.execute("CHECKPOINT")
                gc.collect()
                server.before()
                start, cpu_start = time.perf_counter(), time.process_time()
                value, _check = function(*args)
                result[scenario] = time.perf_counter() - start
                cpu = time.process_time() - cpu_start
                print(f"floor {scenario:2} {result[scenario]:8.3f} {cpu:8.3f} {server.after()}")
                if scenario == "S1":
                    partner_ids = value
            server.conn.close()
    finally:
        drop_database(base, name)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", help="server DSN (default: ERPLITE_TEST_DSN, else embedded)")
    parser.add_argument("-s", "--scenarios", default="S1,S2,S3,S4,S5,S6")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the data")
    parser.add_argument("--profile", default="", help="scenarios to profile with pyinstrument")
    parser.add_argument(
        "--cprofile",
        default="",
        help="scenarios to profile with cProfile (top functions by own time printed, "
        "the whole profile in out/<S>.prof)",
    )
    parser.add_argument(
        "--top",
        action="store_true",
        help="list the statements with the most server time (pg_stat_statements)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run the floor's implementation (shared/bench/peers/floor) first, in a "
        "database of its own, and print erplite's wall-clock ratio to it per scenario",
    )
    args = parser.parse_args()
    wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for needed in ("S1", "S2"):
        if needed not in wanted:
            wanted.insert(0 if needed == "S1" else 1, needed)
    to_profile = {s.strip() for s in args.profile.split(",") if s.strip()}
    to_cprofile = {s.strip() for s in args.cprofile.split(",") if s.strip()}

    base = server_dsn(args.dsn)
    name = f"erplite_profile_{uuid.uuid4().hex[:8]}"
    dsn = create_database(base, name)
    try:
        registry = Registry.new(dsn, install=("bench",), addons_paths=[HERE.parent / "addons"])
        runner = Scenarios(registry, args.scale)
        runner.setup()
        floor = run_floor(base, wanted, runner) if args.floor else {}
        server = ServerStats(dsn, name)
        server_head = f" {'server':>7} {'db s':>8}" if server.enabled else ""
        print(f"{'scenario':8} {'seconds':>8} {'cpu':>8} {'statements':>10}{server_head}  check")
        for scenario in ("S1", "S2", "S3", "S4", "S5", "S6"):
            if scenario not in wanted:
                continue
            server.before()
            gc.collect()
            profiler = None
            if scenario in to_profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            cprofiler = None
            if scenario in to_cprofile:
                import cProfile

                cprofiler = cProfile.Profile(time.process_time)  # CPU, not waiting
                cprofiler.enable()
            with count_queries() as statements:
                start, cpu_start = time.perf_counter(), time.process_time()
                with registry.cursor() as cr:  # commits at the end of the block
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    check = getattr(runner, scenario)(env)
                seconds = time.perf_counter() - start
                cpu = time.process_time() - cpu_start
            if cprofiler is not None:
                import pstats

                cprofiler.disable()
                pstats.Stats(cprofiler).sort_stats("tottime").print_stats(25)
                out = HERE / "out"
                out.mkdir(exist_ok=True)
                cprofiler.dump_stats(out / f"{scenario}.prof")  # for pstats: callers, etc.
            if profiler is not None:
                profiler.stop()
                out = HERE / "out"
                out.mkdir(exist_ok=True)
                (out / f"{scenario}.txt").write_text(
                    profiler.output_text(unicode=False, color=False)
                )
                (out / f"{scenario}.html").write_text(profiler.output_html())
            server_stats = server.after()
            top = server.top() if args.top else []
            if scenario in ("S2", "S4"):
                check = [check, check_totals(registry)]
            print(
                f"{scenario:8} {seconds:8.3f} {cpu:8.3f} {len(statements):10d} {server_stats} {check}"
            )
            if scenario in floor:
                print(
                    f"{'':8} floor {floor[scenario]:.3f} s, erplite x {seconds / floor[scenario]:.2f}"
                )
            for line in top:
                print(line)
    finally:
        from erplite.sql import close_all_pools

        if "server" in locals():
            server.conn.close()
        close_all_pools()
        drop_database(base, name)


if __name__ == "__main__":
    main()
