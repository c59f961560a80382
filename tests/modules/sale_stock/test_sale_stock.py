"""Deliveries of confirmed sales orders: one per order, delivered quantities, delivery status,
cancellation, the forecast, the bridge's installation and removal."""

from __future__ import annotations

import pytest

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.exceptions import UserError
from erplite.sql import close_pool


def test_confirming_makes_one_delivery_of_the_storable_lines(
    env, desk, chair, consulting, warehouse, customer, make_order
):
    order = make_order((desk, 3), (chair, 2), (consulting, 5))
    assert not order.picking_ids
    assert order.warehouse_id == warehouse
    order.action_confirm()
    assert order.state == "sale"
    assert order.delivery_count == 1
    delivery = order.picking_ids
    assert delivery.picking_type_id == warehouse.out_type_id
    assert delivery.partner_id == customer
    assert delivery.origin == order.name
    assert delivery.state == "confirmed"
    assert sorted((m.product_id.name, m.product_uom_qty) for m in delivery.move_ids) == [
        ("Chair", 2),
        ("Desk", 3),
    ]
    assert delivery.move_ids.sale_line_id == order.order_line.filtered(
        lambda line: line.product_id != consulting
    )
    assert order.delivery_status == "pending"


def test_an_order_without_storable_products_has_no_delivery(env, consulting, make_order):
    order = make_order((consulting, 2))
    order.action_confirm()
    assert not order.picking_ids
    assert order.delivery_status is False


def test_approving_an_order_above_the_threshold_makes_its_delivery(env, desk, make_order):
    order = make_order((desk, 60))  # 6,000 > 5,000: waits for a manager
    order.action_confirm()
    assert order.state == "to_approve"
    assert not order.picking_ids
    order.action_approve()
    assert order.state == "sale"
    assert order.picking_ids.move_ids.product_uom_qty == 60


def test_delivered_quantities_and_status(env, desk, chair, make_order):
    order = make_order((desk, 3), (chair, 6))
    order.action_confirm()
    delivery = order.picking_ids
    delivery.action_assign()  # 4 chairs only
    delivery.with_context(skip_backorder=True).button_validate()
    desk_line, chair_line = order.order_line.sorted(lambda line: line.product_id.name != "Desk")
    assert desk_line.qty_delivered == 3
    assert chair_line.qty_delivered == 4
    assert order.delivery_count == 2
    assert order.delivery_status == "partial"
    backorder = delivery.backorder_ids
    assert backorder.sale_id == order
    assert backorder.move_ids.sale_line_id == chair_line
    env["stock.quant"].create(
        {"product_id": chair.id, "location_id": delivery.location_id.id, "inventory_quantity": 2}
    ).action_apply_inventory()
    backorder.action_assign()
    backorder.button_validate()
    assert chair_line.qty_delivered == 6
    assert order.delivery_status == "full"


def test_returns_are_deducted_from_the_delivered_quantity(env, desk, make_order):
    order = make_order((desk, 3))
    order.action_confirm()
    delivery = order.picking_ids
    delivery.action_assign()
    delivery.button_validate()
    wizard = env["stock.return.picking"].create({"picking_id": delivery.id})
    wizard.product_return_moves.quantity = 1
    returned = env["stock.picking"].browse(wizard.create_returns()["res_id"])
    returned.button_validate()
    assert order.order_line.qty_delivered == 2
    assert desk.qty_available == 8


def test_cancelling_an_order_cancels_its_open_delivery(env, desk, make_order):
    order = make_order((desk, 3))
    order.action_confirm()
    delivery = order.picking_ids
    delivery.action_assign()
    assert desk.free_qty == 7
    order.action_cancel()
    assert order.state == "cancel"
    assert delivery.state == "cancel"
    assert desk.free_qty == 10
    assert desk.virtual_available == 10


def test_an_order_whose_delivery_is_done_cannot_be_cancelled(env, desk, make_order):
    order = make_order((desk, 3))
    order.action_confirm()
    delivery = order.picking_ids
    delivery.action_assign()
    delivery.button_validate()
    with pytest.raises(
        UserError, match=f"{order.name} cannot be cancelled: its delivery {delivery.name} is done"
    ):
        order.action_cancel()
    assert order.state == "sale"


def test_a_confirmed_order_counts_in_the_forecast(env, desk, make_order):
    assert (desk.qty_available, desk.virtual_available) == (10, 10)
    quotation = make_order((desk, 4))
    assert desk.virtual_available == 10  # a quotation does not
    quotation.action_confirm()
    assert (desk.qty_available, desk.outgoing_qty, desk.virtual_available) == (10, 4, 6)


def test_reconfirming_a_cancelled_order_makes_a_new_delivery(env, desk, make_order):
    order = make_order((desk, 2))
    order.action_confirm()
    first = order.picking_ids
    order.action_cancel()
    order.action_draft()
    order.action_confirm()
    second = order.picking_ids - first
    assert second.state == "confirmed"
    assert second.move_ids.product_uom_qty == 2
    assert order.delivery_status == "pending"


def test_a_salesperson_confirms_and_sees_the_delivery(env, desk, make_order, make_user):
    sally = make_user("sally", "sales_team.group_sale_salesman")
    order = make_order((desk, 2), user_id=sally.id).with_user(sally)
    order.action_confirm()
    assert order.delivery_count == 1
    assert order.picking_ids.state == "confirmed"
    action = order.action_view_delivery()
    assert (action["res_model"], action["res_id"]) == ("stock.picking", order.picking_ids.id)


def test_installing_inventory_on_a_database_with_orders_installs_the_bridge(
    new_database, erplite_addons_paths
):
    dsn = new_database()
    try:
        Registry.new(dsn, install=("orders",), addons_paths=erplite_addons_paths)
        registry = Registry.new(dsn, install=("inventory",), addons_paths=erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            bridge = env["ir.module.module"].search([("name", "=", "sale_stock")])
            assert bridge.state == "installed"
            assert "picking_ids" in env["sale.order"]._fields
        from erplite.loading.loader import uninstall_modules

        uninstall_modules(dsn, ["sale_stock"], erplite_addons_paths, drop_data=True)
        registry = Registry(dsn, erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert env["ir.module.module"].search([("name", "=", "sale_stock")]).state != (
                "installed"
            )
            assert "picking_ids" not in env["sale.order"]._fields
            assert "sale_id" not in env["stock.picking"]._fields
            fields = env["ir.model.fields"].search(
                [
                    (
                        "model",
                        "in",
                        ("sale.order", "stock.picking", "stock.move", "sale.order.line"),
                    ),
                    (
                        "name",
                        "in",
                        (
                            "picking_ids",
                            "sale_id",
                            "sale_line_id",
                            "qty_delivered",
                            "delivery_status",
                        ),
                    ),
                ]
            )
            assert not fields
            cr.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'stock_picking' AND column_name = 'sale_id'"
            )
            assert not cr.fetchall()
    finally:
        close_pool(dsn)


def test_an_order_of_another_company_is_delivered_from_its_warehouse(env, customer):
    company_b = env["res.company"].create({"name": "Company B"})
    warehouse_b = env["stock.warehouse"].search([("company_id", "=", company_b.id)])
    lamp = env["product.product"].create(
        {"name": "Lamp B", "type": "product", "company_id": company_b.id}
    )
    env["stock.quant"].create(
        {"product_id": lamp.id, "location_id": warehouse_b.lot_stock_id.id, "inventory_quantity": 5}
    ).action_apply_inventory()
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "company_id": company_b.id,
            "order_line": [Command.create({"product_id": lamp.id, "product_uom_qty": 2})],
        }
    )
    assert order.warehouse_id == warehouse_b
    order.action_confirm()
    delivery = order.picking_ids
    assert delivery.picking_type_id == warehouse_b.out_type_id
    assert delivery.company_id == company_b
    assert delivery.location_id == warehouse_b.lot_stock_id
