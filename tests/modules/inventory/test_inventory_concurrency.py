"""Eight workers validate deliveries drawing on the same 100 units at once, each in its own
thread, connection and transaction: exactly five succeed, the three others are refused with a
message naming the product, the location and the quantities, and the stock ends at exactly 0.

Each worker reserves and validates its delivery of 20 units in one transaction, retried as the
HTTP layer retries a request (``erplite.http.retrying``) when PostgreSQL aborts it for a
concurrent update of the same quant."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.exceptions import UserError
from erplite.http.retrying import retrying
from erplite.sql import close_pool

WORKERS = 8
UNITS = 100
EACH = 20


def test_parallel_validations_never_oversell(clone_database, erplite_addons_paths):
    dsn = clone_database()
    registry = Registry(dsn, erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        warehouse = env.ref("inventory.warehouse0")
        product = env["product.product"].create(
            {"name": "Rare Lamp", "default_code": "LAMP", "type": "product"}
        )
        env["stock.quant"].create(
            {
                "product_id": product.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": UNITS,
            }
        ).action_apply_inventory()
        deliveries = env["stock.picking"].create(
            [
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "move_ids": [
                        Command.create({"product_id": product.id, "product_uom_qty": EACH})
                    ],
                }
                for _worker in range(WORKERS)
            ]
        )
        deliveries.action_confirm()
        delivery_ids, product_id = deliveries.ids, product.id

    barrier = threading.Barrier(WORKERS)
    tries: list[int] = []

    def validate(delivery_id: int) -> str:
        barrier.wait(30)

        def one_try() -> str:
            tries.append(delivery_id)
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                delivery = env["stock.picking"].browse(delivery_id)
                delivery.action_assign()
                try:
                    delivery.button_validate()
                except UserError as refusal:
                    cr.rollback()
                    return f"refused: {refusal}"
                return "done"

        return retrying(one_try, max_tries=12, backoff_base=0.05)

    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            outcomes = list(pool.map(validate, delivery_ids))
        assert outcomes.count("done") == 5, outcomes
        refusals = [outcome for outcome in outcomes if outcome != "done"]
        assert len(refusals) == 3
        for refusal in refusals:
            assert "[LAMP] Rare Lamp from WH/Stock: 20 needed, 0 reserved, 0 available" in refusal
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            product = env["product.product"].browse(product_id)
            assert product.qty_available == 0
            quant = env["stock.quant"].search(
                [("product_id", "=", product_id), ("location_id.usage", "=", "internal")]
            )
            assert (quant.quantity, quant.reserved_quantity) == (0, 0)
            done = env["stock.picking"].search([("id", "in", delivery_ids), ("state", "=", "done")])
            assert len(done) == 5
            assert sum(done.move_ids.mapped("quantity")) == UNITS
    finally:
        close_pool(dsn)
