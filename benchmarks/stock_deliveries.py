"""Confirm and validate 1,000 deliveries of 5 lines from a stock of 20 products, with erplite's
inventory module and with raw SQL doing the same quant updates (issue 16).

    .venv/bin/python benchmarks/stock_deliveries.py            # 1,000 deliveries
    .venv/bin/python benchmarks/stock_deliveries.py -n 200     # fewer

It starts its own PostgreSQL (``pgserver``, in a temporary folder, removed afterwards),
installs ``inventory`` into a database, makes 20 storable products with 10,000 units each in
WH/Stock and 1,000 draft deliveries of 5 lines (5 of the products, 1 to 5 units each), then
copies that database and runs, each delivery in its own transaction as a user would:

- **erplite**: ``action_confirm()``, ``action_assign()``, ``button_validate()``;
- **raw SQL** (psycopg, no ORM), the same changes: moves confirmed, the 5 source quants locked
  (``FOR NO KEY UPDATE``) and read, checked, reserved, then taken out and put in the customers'
  quants (upsert), moves and transfer done.

It prints seconds, statements (counted on the client, without the ``BEGIN``/``COMMIT`` psycopg
adds), statements per delivery, and the peak memory of each phase: the Python allocations
traced by ``tracemalloc`` (which slows both phases alike, so the seconds are measured in a first
run without it), and the process's peak resident set size during the untraced run (Linux's
``VmHWM``, reset before the phase through ``/proc/self/clear_refs``; the process's whole
memory, the interpreter and the registry included). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import admin_connection, close_all_pools, count_queries, dsn_with_dbname

PRODUCTS = 20
LINES = 5
STOCK = 10_000


def prepare(dsn: str, deliveries: int) -> None:
    """The products, their stock and the draft deliveries."""
    registry = Registry.new(dsn, install=("inventory",))
    rng = random.Random(16)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        warehouse = env.ref("inventory.warehouse0")
        products = env["product.product"].create(
            [
                {"name": f"Product {i}", "default_code": f"P{i:02}", "type": "product"}
                for i in range(PRODUCTS)
            ]
        )
        env["stock.quant"].create(
            [
                {
                    "product_id": p.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "inventory_quantity": STOCK,
                }
                for p in products
            ]
        ).action_apply_inventory()
        env["stock.picking"].create(
            [
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "move_ids": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": rng.randint(1, 5)}
                        )
                        for product in rng.sample(list(products), LINES)
                    ],
                }
                for _n in range(deliveries)
            ]
        )


def copy_database(base: str, template: str, name: str) -> str:
    close_all_pools()
    with admin_connection(base) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return dsn_with_dbname(base, name)


def delivery_ids(dsn: str) -> list[int]:
    with psycopg.connect(dsn) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM stock_picking ORDER BY id")]


def run_erplite(dsn: str) -> int:
    registry = Registry(dsn)
    statements = 0
    for picking_id in delivery_ids(dsn):
        with registry.cursor() as cr, count_queries() as sent:
            env = api.Environment(cr, SUPERUSER_ID, {})
            delivery = env["stock.picking"].browse(picking_id)
            delivery.action_confirm()
            delivery.action_assign()
            delivery.button_validate()
            env.flush_all()
        statements += len(sent)
    return statements


class CountingConnection:
    """A psycopg connection whose ``execute`` counts the statements."""

    def __init__(self, dsn: str):
        self.conn = psycopg.connect(dsn, autocommit=True)  # each transaction() commits
        self.count = 0

    def execute(self, query: str, params: tuple = ()) -> psycopg.Cursor:
        self.count += 1
        return self.conn.execute(query, params)


def run_raw_sql(dsn: str) -> int:
    """The same changes in plain SQL, one transaction per delivery."""
    db = CountingConnection(dsn)
    customers = db.execute(
        "SELECT res_id FROM ir_model_data WHERE module = 'inventory' "
        "AND name = 'stock_location_customers'"
    ).fetchone()[0]
    for picking_id in delivery_ids(dsn):
        with db.conn.transaction():
            moves = db.execute(
                "UPDATE stock_move SET state = 'confirmed' WHERE picking_id = %s "
                "RETURNING id, product_id, product_uom_qty::float8, location_id",
                (picking_id,),
            ).fetchall()
            products = [m[1] for m in moves]
            source = moves[0][3]
            quants = db.execute(
                "SELECT id, product_id, quantity::float8, reserved_quantity::float8 "
                "FROM stock_quant WHERE location_id = %s AND product_id = ANY(%s) "
                "ORDER BY id FOR NO KEY UPDATE",
                (source, products),
            ).fetchall()
            by_product = {q[1]: q for q in quants}
            wanted = {m[1]: m[2] for m in moves}
            for product_id, quantity in wanted.items():
                quant = by_product.get(product_id)
                if quant is None or quant[2] - quant[3] < quantity:
                    raise RuntimeError(f"not enough of product {product_id}")
            ids = [by_product[p][0] for p in products]
            qty = [wanted[p] for p in products]
            db.execute(
                "UPDATE stock_quant q SET reserved_quantity = q.reserved_quantity + v.qty "
                "FROM unnest(%s::int4[], %s::float8[]) AS v(id, qty) WHERE q.id = v.id",
                (ids, qty),
            )
            db.execute(
                "UPDATE stock_move SET state = 'assigned', quantity = product_uom_qty "
                "WHERE picking_id = %s",
                (picking_id,),
            )
            db.execute(
                "UPDATE stock_quant q SET quantity = q.quantity - v.qty, "
                "reserved_quantity = q.reserved_quantity - v.qty "
                "FROM unnest(%s::int4[], %s::float8[]) AS v(id, qty) WHERE q.id = v.id",
                (ids, qty),
            )
            db.execute(
                "INSERT INTO stock_quant (product_id, location_id, company_id, quantity, "
                "reserved_quantity, in_date) "
                "SELECT v.product_id, %s, NULL, v.qty, 0, now() "
                "FROM unnest(%s::int4[], %s::float8[]) AS v(product_id, qty) "
                "ON CONFLICT (product_id, location_id) "
                "DO UPDATE SET quantity = stock_quant.quantity + excluded.quantity",
                (customers, products, qty),
            )
            db.execute(
                "UPDATE stock_move SET state = 'done', date = now() WHERE picking_id = %s",
                (picking_id,),
            )
            db.execute(
                "UPDATE stock_picking SET state = 'done', date_done = now() WHERE id = %s",
                (picking_id,),
            )
    db.conn.close()
    return db.count


def check(dsn: str) -> tuple[float, int]:
    """The units delivered, and the transfers done."""
    with psycopg.connect(dsn) as conn:
        delivered = conn.execute(
            "SELECT sum(q.quantity)::float8 FROM stock_quant q JOIN stock_location l "
            "ON l.id = q.location_id WHERE l.usage = 'customer'"
        ).fetchone()[0]
        done = conn.execute("SELECT count(*) FROM stock_picking WHERE state = 'done'").fetchone()[0]
    return delivered, done


def reset_peak_rss() -> None:
    """Make the process's peak RSS (``VmHWM``) its current RSS (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_rss_mib() -> float:
    """The process's peak resident set size since the last reset, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(base: str, name: str, runner, traced: bool) -> dict:
    dsn = copy_database(base, "stock_tpl", name)
    reset_peak_rss()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    statements = runner(dsn)
    seconds = time.perf_counter() - start
    peak_rss = peak_rss_mib()
    peak = None
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    delivered, done = check(dsn)
    close_all_pools()
    return {
        "seconds": seconds,
        "statements": statements,
        "peak_mib": peak,
        "peak_rss_mib": peak_rss,
        "delivered": delivered,
        "done": done,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--deliveries", type=int, default=1000)
    args = parser.parse_args()

    import pgserver

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(
            Path(tempfile.mkdtemp(prefix="erplite-stock-bench-")), cleanup_mode="delete"
        )
    try:
        base = server.get_uri("postgres")
        with admin_connection(base) as conn:
            conn.execute("CREATE DATABASE stock_tpl TEMPLATE template0 ENCODING 'UTF8'")
        start = time.perf_counter()
        prepare(dsn_with_dbname(base, "stock_tpl"), args.deliveries)
        print(
            f"{args.deliveries} draft deliveries prepared in {time.perf_counter() - start:.1f}s",
            flush=True,
        )
        rows = []
        for label, runner in (("erplite", run_erplite), ("raw SQL", run_raw_sql)):
            timed = measure(base, f"run_{len(rows)}_t", runner, traced=False)
            traced = measure(base, f"run_{len(rows)}_m", runner, traced=True)
            rows.append((label, timed, traced["peak_mib"]))
        print()
        print(
            "| implementation | seconds | statements | per delivery | peak MiB (Python) "
            "| peak RSS MiB | done | units |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for label, result, peak in rows:
            print(
                f"| {label} | {result['seconds']:.2f} | {result['statements']} | "
                f"{result['statements'] / args.deliveries:.1f} | {peak:.2f} | "
                f"{result['peak_rss_mib']:.0f} | {result['done']} | {result['delivered']:g} |"
            )
    finally:
        close_all_pools()
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
