"""Growth with data (issue 17): S3, S5, S8's list page and one order's form at 10,000 and at
1,000,000 orders. Not part of CI: it needs a few GiB of disk and several minutes.

    .venv/bin/python benchmarks/growth.py                     # 10,000 and 1,000,000 orders
    .venv/bin/python benchmarks/growth.py --big 200000        # a smaller big database
    .venv/bin/python benchmarks/growth.py --plans plans.txt   # EXPLAIN ANALYZE plans to a file
    .venv/bin/python benchmarks/growth.py --date-index        # with an index on the orders' date

What it does:

1. a PostgreSQL cluster of its own in a temporary folder (``pgserver``), removed at the end
   (``df -h`` of that folder is printed first; it refuses to start with less than 6 GiB free);
2. the ``bench`` module (``benchmarks/addons/bench``) installed once into a template database,
   copied into ``growth_small`` and ``growth_big``;
3. the data loaded by SQL (``generate_series``, one statement per table, the ORM would take
   hours): 100,000 partners in both (names ``Partner <md5>``), 100 products, then
   ``--small`` (10,000) and ``--big`` (1,000,000) orders with 5 lines each, their stored
   ``subtotal`` and ``amount_total`` computed in the same statements, then ``VACUUM ANALYZE``;
4. in each database, timed (median of ``--repeat`` runs after one warm-up run):
   S3 (20 ``search_read`` through ``partner_id.name ilike``, ``state``, ``amount_total``,
   ``order="amount_total desc"``, ``limit=80``, as ``bench_erplite.s3_search_read``), S5
   (``_read_group`` by the partner's country and month, as ``s5_read_group``), S8's list page
   (``GET /web/action/<id>/list``, the first 80 orders by date and the pager's count, through
   ``erplite.http.Application`` in-process, logged in as admin) and one order's form page;
5. the plans: each scenario once more, its statements on the bench tables recorded and run
   again under ``EXPLAIN (ANALYZE, BUFFERS)`` (``--plans FILE``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_erplite  # noqa: E402
from bench_erplite import ADDONS  # noqa: E402

from erplite import SUPERUSER_ID, Registry, api  # noqa: E402
from erplite.sql import admin_connection, close_all_pools, dsn_with_dbname  # noqa: E402

PARTNERS = 100_000
PRODUCTS = 100
LINES_PER_ORDER = 5
MIN_FREE_GIB = 6
FRAGMENTS = 20


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------

_LOAD = [
    # partners: names searchable by 3-character fragments (md5: hexadecimal)
    """INSERT INTO bench_partner (id, name, email, city, is_company, country_code,
           create_uid, write_uid, create_date, write_date)
       SELECT i, 'Partner ' || md5(i::text), 'p' || i || '@example.com', 'City ' || (i %% 500),
              i %% 7 = 0, (ARRAY['BE','FR','DE','NL','LU','ES','IT','US'])[1 + i %% 8],
              1, 1, now(), now()
       FROM generate_series(1, %(partners)s) i""",
    """INSERT INTO bench_product (id, name, list_price, active, create_uid, write_uid,
           create_date, write_date)
       SELECT i, 'Product ' || i, 5 + i %% 95, true, 1, 1, now(), now()
       FROM generate_series(1, %(products)s) i""",
    # orders: a partner, a date over two years, a state, the total of the lines below
    """INSERT INTO bench_order (id, name, partner_id, date, state, amount_total,
           create_uid, write_uid, create_date, write_date)
       SELECT i, 'SO' || lpad(i::text, 7, '0'),
              1 + (hashint4(i) & 2147483647) %% %(partners)s,
              date '2024-01-01' + (i %% 730),
              (ARRAY['draft','confirmed','done','cancelled'])[1 + (i / 3) %% 4],
              (SELECT sum((1 + (i + k) %% 5) * (10 + (i * 13 + k) %% 90))
                 FROM generate_series(1, %(lines)s) k),
              1, 1, now(), now()
       FROM generate_series(1, %(orders)s) i""",
    """INSERT INTO bench_order_line (order_id, product_id, quantity, price_unit, subtotal,
           create_uid, write_uid, create_date, write_date)
       SELECT i, 1 + (i * 7 + k) %% %(products)s, 1 + (i + k) %% 5, 10 + (i * 13 + k) %% 90,
              (1 + (i + k) %% 5) * (10 + (i * 13 + k) %% 90), 1, 1, now(), now()
       FROM generate_series(1, %(orders)s) i, generate_series(1, %(lines)s) k""",
    "SELECT setval('bench_partner_id_seq', %(partners)s)",
    "SELECT setval('bench_product_id_seq', %(products)s)",
    "SELECT setval('bench_order_id_seq', %(orders)s)",
]


def load(dsn: str, orders: int, date_index: bool = False) -> float:
    """Fill the database with ``orders`` orders (and index the orders' date when asked);
    seconds taken."""
    started = time.perf_counter()
    values = {
        "partners": PARTNERS,
        "products": PRODUCTS,
        "orders": orders,
        "lines": LINES_PER_ORDER,
    }
    with admin_connection(dsn) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        for statement in _LOAD:
            conn.execute(statement, values)
        if date_index:
            conn.execute("CREATE INDEX bench_order_date_index ON bench_order (date)")
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def prepare(
    base_dsn: str, small: int, big: int, date_index: bool = False
) -> dict[str, tuple[str, int, float]]:
    """``{label: (dsn, orders, seconds to load)}`` of the two databases."""
    with admin_connection(base_dsn) as conn:
        conn.execute('CREATE DATABASE "growth_template"')
    registry = Registry.new(
        dsn_with_dbname(base_dsn, "growth_template"), install=("bench",), addons_paths=(ADDONS,)
    )
    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin").password = "admin"
    close_all_pools()
    databases = {}
    for label, orders in (("small", small), ("big", big)):
        name = f"growth_{label}"
        with admin_connection(base_dsn) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "growth_template"')
        dsn = dsn_with_dbname(base_dsn, name)
        seconds = load(dsn, orders, date_index)
        print(f"{name}: {orders:,} orders loaded in {seconds:.1f}s", flush=True)
        databases[label] = (dsn, orders, seconds)
    return databases


# ---------------------------------------------------------------------------------------------
# the scenarios
# ---------------------------------------------------------------------------------------------


def fragments(dsn: str) -> list[str]:
    """``FRAGMENTS`` 3-character pieces of partner names (the same in both databases)."""
    return [f"{index * 37 % 4096:03x}" for index in range(1, FRAGMENTS + 1)]


class Scenarios:
    """The four measurements on one database."""

    def __init__(self, dsn: str):
        from werkzeug.test import Client

        from erplite.http import Application

        self.dsn = dsn
        self.registry = Registry(dsn, addons_paths=(ADDONS,))
        self.fragments = fragments(dsn)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            action = env.ref("bench.bench_order_action")
            self.list_path = bench_erplite.s8_path(dsn_with_dbname(dsn, "postgres"), _db(dsn))
            order = env["bench.order"].search([], order="id desc", limit=1)
            self.form_path = f"/web/action/{action.id}/form/{order.id}"
        self.client = Client(Application(dsn, (ADDONS,)))
        page = self.client.get("/web/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        answer = self.client.post(
            "/web/login",
            data={"login": "admin", "password": "admin", "csrf_token": token.group(1)},
        )
        assert answer.status_code in (302, 303), answer.status_code

    def s3(self) -> int:
        rows = 0
        for fragment in self.fragments:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                rows += len(
                    env["bench.order"].search_read(
                        [
                            ("partner_id.name", "ilike", fragment),
                            ("state", "=", "draft"),
                            ("amount_total", ">", 100),
                        ],
                        bench_erplite.S3_FIELDS,
                        order="amount_total desc",
                        limit=80,
                    )
                )
        return rows

    def s5(self) -> int:
        return len(bench_erplite.s5_read_group(self.registry)[1])

    def list_page(self) -> int:
        answer = self.client.get(self.list_path)
        assert answer.status_code == 200, answer.status_code
        return len(answer.get_data())

    def form_page(self) -> int:
        answer = self.client.get(self.form_path)
        assert answer.status_code == 200, answer.status_code
        return len(answer.get_data())

    def names(self) -> list[str]:
        return ["s3", "s5", "list_page", "form_page"]


def _db(dsn: str) -> str:
    from erplite.sql import dbname_of

    return dbname_of(dsn)


def time_scenarios(scenarios: Scenarios, repeat: int) -> dict[str, float]:
    """Median seconds of each scenario over ``repeat`` runs, after a warm-up run."""
    times = {}
    for name in scenarios.names():
        run = getattr(scenarios, name)
        run()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        times[name] = statistics.median(samples)
    return times


def plans(scenarios: Scenarios) -> dict[str, str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of each scenario's statements on the bench tables (one
    search for S3), recorded while it runs (psycopg's ``Cursor.execute`` wrapped here)."""
    import psycopg

    found = {}
    original = psycopg.Cursor.execute
    recorded: list[tuple[Any, Any]] = []

    def recording(cursor: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        recorded.append((query, params))
        return original(cursor, query, params, **kwargs)

    for name in scenarios.names():
        recorded.clear()
        saved = scenarios.fragments
        if name == "s3":
            scenarios.fragments = saved[:1]
        psycopg.Cursor.execute = recording  # type: ignore[method-assign]
        try:
            getattr(scenarios, name)()
        finally:
            psycopg.Cursor.execute = original  # type: ignore[method-assign]
            scenarios.fragments = saved
        texts = []
        with admin_connection(scenarios.dsn) as conn:
            for query, params in recorded:
                text = query if isinstance(query, str) else query.as_string(conn)
                if "bench_order" not in text and "bench_partner" not in text:
                    continue
                if not text.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, params).fetchall()
                plan = "\n".join(row[0] for row in rows)
                texts.append(f"{text}\n  params {params!r}\n{plan}")
        found[name] = "\n\n".join(texts)
    return found


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plans", help="write the EXPLAIN ANALYZE plans to this file")
    parser.add_argument(
        "--date-index",
        action="store_true",
        help="index bench_order.date, the first term of the list's default order (the bench "
        "module keeps SPEC.md 2.1's indexes only)",
    )
    args = parser.parse_args()

    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="erplite-growth-"))
    free = shutil.disk_usage(folder).free / 2**30
    print(f"temporary cluster in {folder}: {free:.0f} GiB free", flush=True)
    if free < MIN_FREE_GIB:
        raise SystemExit(f"less than {MIN_FREE_GIB} GiB free in {folder}: not starting")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(folder, cleanup_mode="delete")
    try:
        base = server.get_uri("postgres")
        databases = prepare(base, args.small, args.big, args.date_index)
        results: dict[str, dict[str, float]] = {}
        explained: dict[str, dict[str, str]] = {}
        for label, (dsn, _orders, _seconds) in databases.items():
            scenarios = Scenarios(dsn)
            results[label] = time_scenarios(scenarios, args.repeat)
            explained[label] = plans(scenarios)
            close_all_pools()
        print()
        print(report(databases, results))
        if args.plans:
            Path(args.plans).write_text(
                "\n\n".join(
                    f"===== {label}: {name} =====\n{text}"
                    for label, by_name in explained.items()
                    for name, text in by_name.items()
                )
            )
            print(f"\nplans written to {args.plans}")
    finally:
        close_all_pools()
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def report(databases: dict[str, tuple[str, int, float]], results: dict) -> str:
    small, big = results["small"], results["big"]
    lines = [
        f"Growth with data: {PARTNERS:,} partners; {databases['small'][1]:,} against "
        f"{databases['big'][1]:,} orders ({LINES_PER_ORDER} lines each); medians, seconds",
        "",
        "| scenario | small | big | big / small |",
        "|---|---|---|---|",
    ]
    labels = {
        "s3": f"S3 ({FRAGMENTS} searches)",
        "s5": "S5 read_group",
        "list_page": "S8 list page",
        "form_page": "order form page",
    }
    for name, label in labels.items():
        ratio = big[name] / small[name] if small[name] else float("nan")
        lines.append(f"| {label} | {small[name]:.4f} | {big[name]:.4f} | {ratio:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
