"""Min/max reordering rules and the scheduled job that turns them into draft receipts."""

from __future__ import annotations

import pytest

from erplite.exceptions import ValidationError


def test_rules_below_minimum_become_one_draft_receipt_per_warehouse(
    env, desk, chair, stock, warehouse, vendors, put_stock, make_delivery
):
    put_stock(desk, 3)
    put_stock(chair, 50)
    make_delivery((chair, 45)).action_confirm()  # chairs forecast: 5
    Orderpoint = env["stock.warehouse.orderpoint"]
    desk_rule = Orderpoint.create(
        {"product_id": desk.id, "product_min_qty": 5, "product_max_qty": 20, "qty_multiple": 4}
    )
    chair_rule = Orderpoint.create(
        {"product_id": chair.id, "product_min_qty": 10, "product_max_qty": 30}
    )
    assert desk_rule.location_id == stock
    assert desk_rule.warehouse_id == warehouse
    assert desk_rule.name.startswith("OP/")
    assert (desk_rule.qty_forecast, desk_rule.qty_to_order) == (3, 20)  # 17 rounded up to 4s
    assert (chair_rule.qty_forecast, chair_rule.qty_to_order) == (5, 25)
    assert Orderpoint.run_scheduler() == 1
    receipt = env["stock.picking"].search([("move_ids.orderpoint_id", "in", desk_rule.ids)])
    assert receipt.state == "draft"
    assert receipt.picking_type_id == warehouse.in_type_id
    assert (receipt.location_id, receipt.location_dest_id) == (vendors, stock)
    assert sorted(receipt.move_ids.mapped("product_uom_qty")) == [20, 25]
    # the draft receipt counts: a second run orders nothing more
    assert desk_rule.qty_to_order == 0
    assert Orderpoint.run_scheduler() == 0


def test_rule_at_or_above_minimum_orders_nothing(env, desk, put_stock):
    put_stock(desk, 5)
    rule = env["stock.warehouse.orderpoint"].create(
        {"product_id": desk.id, "product_min_qty": 5, "product_max_qty": 10}
    )
    assert rule.qty_to_order == 0
    assert env["stock.warehouse.orderpoint"].run_scheduler() == 0


def test_minimum_above_maximum_is_refused(env, desk):
    with pytest.raises(ValidationError, match=r"minimum \(9\) cannot exceed the maximum \(3\)"):
        env["stock.warehouse.orderpoint"].create(
            {"product_id": desk.id, "product_min_qty": 9, "product_max_qty": 3}
        )


def test_the_scheduler_is_a_cron_job(env, desk):
    job = env.ref("inventory.ir_cron_scheduler_action")
    assert (job.model_name, job.method_name, job.active) == (
        "stock.warehouse.orderpoint",
        "run_scheduler",
        True,
    )
    env["stock.warehouse.orderpoint"].create(
        {"product_id": desk.id, "product_min_qty": 1, "product_max_qty": 4}
    )
    job.method_direct_trigger()
    moves = env["stock.move"].search([("orderpoint_id.product_id", "=", desk.id)])
    assert moves.product_uom_qty == 4
    assert moves.state == "draft"
