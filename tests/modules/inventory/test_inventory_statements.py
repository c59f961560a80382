"""Reserving and validating a transfer cost a number of statements that does not depend on its
number of lines: the quants are locked, read and written in batches."""

from __future__ import annotations

import pytest

from erplite import Command

#: statements of ``action_assign`` on a confirmed delivery of storable products in stock (the
#: moves' and the picking's UPDATEs are one statement at the flush: 10 before issue 17)
RESERVE_STATEMENTS = 9
#: statements of ``button_validate`` on that delivery once reserved (likewise: 10 before)
VALIDATE_STATEMENTS = 9


def confirmed_delivery(env, warehouse, make_product, lines: int):
    products = [make_product(f"Line product {index}") for index in range(lines)]
    stock = warehouse.lot_stock_id
    quants = env["stock.quant"].create(
        [{"product_id": p.id, "location_id": stock.id, "inventory_quantity": 10} for p in products]
    )
    quants.action_apply_inventory()
    delivery = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.out_type_id.id,
            "move_ids": [
                Command.create({"product_id": p.id, "product_uom_qty": 3}) for p in products
            ],
        }
    )
    delivery.action_confirm()
    env.flush_all()
    env.invalidate_all()
    delivery.company_id  # noqa: B018 (the environment's companies, read once)
    return env["stock.picking"].browse(delivery.id)


@pytest.mark.parametrize("lines", [5, 50])
def test_reserving_and_validating_n_lines(env, warehouse, make_product, assert_query_count, lines):
    delivery = confirmed_delivery(env, warehouse, make_product, lines)
    with assert_query_count(RESERVE_STATEMENTS):
        delivery.action_assign()
        env.flush_all()
    assert delivery.state == "assigned"
    env.invalidate_all()
    with assert_query_count(VALIDATE_STATEMENTS):
        delivery.button_validate()
        env.flush_all()
    assert delivery.state == "done"
    assert set(delivery.move_ids.product_id.mapped("qty_available")) == {7}
