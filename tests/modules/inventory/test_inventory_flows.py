"""Transfers from draft to done: receipts, reservations (oldest quants first), validation,
backorders, cancellation, inventory adjustments and returns."""

from __future__ import annotations

import datetime

import pytest

from erplite import Command
from erplite.exceptions import AccessError, UserError


def quant_of(env, product, location):
    return env["stock.quant"].search(
        [("product_id", "=", product.id), ("location_id", "=", location.id)]
    )


def test_receipt_is_ready_once_confirmed_and_validating_it_adds_stock(
    env, desk, stock, vendors, make_receipt
):
    receipt = make_receipt((desk, 12))
    assert receipt.state == "draft"
    assert receipt.name.startswith("WH/IN/")
    receipt.action_confirm()
    assert receipt.state == "assigned"
    assert receipt.move_ids.quantity == 12
    receipt.button_validate()
    assert receipt.state == "done"
    assert receipt.date_done
    assert receipt.move_ids.state == "done"
    assert quant_of(env, desk, stock).quantity == 12
    assert quant_of(env, desk, vendors).quantity == -12  # the vendors' side, as in Odoo
    assert desk.qty_available == 12


def test_delivery_reserves_then_validates(env, desk, stock, customers, put_stock, make_delivery):
    put_stock(desk, 30)
    delivery = make_delivery((desk, 10))
    delivery.action_confirm()
    assert delivery.state == "confirmed"
    assert desk.outgoing_qty == 10
    assert desk.virtual_available == 20
    delivery.action_assign()
    assert delivery.state == "assigned"
    quant = quant_of(env, desk, stock)
    assert (quant.quantity, quant.reserved_quantity, quant.available_quantity) == (30, 10, 20)
    assert desk.free_qty == 20
    delivery.button_validate()
    assert delivery.state == "done"
    assert (quant.quantity, quant.reserved_quantity) == (20, 0)
    assert quant_of(env, desk, customers).quantity == 10
    assert desk.qty_available == 20
    assert desk.outgoing_qty == 0


def test_reservation_takes_the_oldest_quants_first(env, desk, stock, put_stock, make_delivery):
    shelf_new = env["stock.location"].create({"name": "New", "location_id": stock.id})
    shelf_old = env["stock.location"].create({"name": "Old", "location_id": stock.id})
    new = put_stock(desk, 5, shelf_new)
    old = put_stock(desk, 5, shelf_old)
    old.sudo().write({"in_date": datetime.datetime(2020, 1, 1)})
    new.sudo().write({"in_date": datetime.datetime(2024, 1, 1)})
    delivery = make_delivery((desk, 7))
    delivery.action_assign()
    lines = delivery.move_ids.move_line_ids.sorted("id")
    assert [(line.location_id, line.quantity) for line in lines] == [(shelf_old, 5), (shelf_new, 2)]
    assert (old.reserved_quantity, new.reserved_quantity) == (5, 2)
    delivery.button_validate()
    assert (old.quantity, new.quantity) == (0, 3)


def test_partial_reservation_and_backorder(env, desk, chair, put_stock, make_delivery):
    put_stock(desk, 4)
    put_stock(chair, 10)
    delivery = make_delivery((desk, 10), (chair, 3))
    delivery.action_assign()
    desk_move = delivery.move_ids.filtered(lambda m: m.product_id == desk)
    assert desk_move.state == "partially_available"
    assert desk_move.quantity == 4
    assert delivery.state == "assigned"  # as soon as possible: something is ready
    action = delivery.button_validate()
    assert action["res_model"] == "stock.backorder.confirmation"
    assert delivery.state == "assigned"  # nothing moved yet: the user chooses
    wizard = env["stock.backorder.confirmation"].browse(action["res_id"])
    wizard.process()
    assert delivery.state == "done"
    assert desk_move.product_uom_qty == 4
    backorder = delivery.backorder_ids
    assert len(backorder) == 1
    assert backorder.backorder_id == delivery
    assert backorder.move_ids.product_id == desk
    assert backorder.move_ids.product_uom_qty == 6
    assert backorder.state == "confirmed"
    assert desk.qty_available == 0
    assert desk.outgoing_qty == 6


def test_partial_validation_without_backorder(env, desk, put_stock, make_delivery):
    put_stock(desk, 4)
    delivery = make_delivery((desk, 10))
    delivery.action_assign()
    action = delivery.button_validate()
    env["stock.backorder.confirmation"].browse(action["res_id"]).process_cancel_backorder()
    assert delivery.state == "done"
    assert not delivery.backorder_ids
    assert delivery.move_ids.quantity == 4
    assert desk.outgoing_qty == 0


def test_set_done_quantity_below_the_reservation_releases_it(env, desk, put_stock, make_delivery):
    quant = put_stock(desk, 10)
    delivery = make_delivery((desk, 8))
    delivery.action_assign()
    delivery.move_ids.quantity = 5
    assert quant.reserved_quantity == 5
    assert delivery.move_ids.picked
    delivery.with_context(skip_backorder=True).button_validate()
    assert quant.quantity == 5
    assert delivery.backorder_ids.move_ids.product_uom_qty == 3


def test_quantity_beyond_what_is_available_is_refused(env, desk, put_stock, make_delivery):
    put_stock(desk, 6)
    delivery = make_delivery((desk, 5))
    delivery.action_assign()
    with pytest.raises(UserError) as refusal:
        delivery.move_ids.quantity = 9
    message = str(refusal.value)
    assert "Not enough [DESK] Desk in WH/Stock" in message
    assert "9 wanted" in message and "only 6 available" in message


def test_negative_quantity_is_refused(env, desk, put_stock, make_delivery):
    put_stock(desk, 6)
    delivery = make_delivery((desk, 5))
    delivery.action_assign()
    with pytest.raises(UserError, match="cannot be negative"):
        delivery.move_ids.quantity = -1
    with pytest.raises(UserError, match="demand of a move cannot be negative"):
        make_delivery((desk, -3))


def test_validating_without_any_reserved_quantity_is_refused_with_the_figures(
    env, desk, put_stock, make_delivery
):
    delivery = make_delivery((desk, 20))
    delivery.action_assign()
    with pytest.raises(UserError) as refusal:
        delivery.button_validate()
    message = str(refusal.value)
    assert delivery.name in message
    assert "[DESK] Desk from WH/Stock: 20 needed, 0 reserved, 0 available" in message


def test_internal_location_refuses_negative_stock_unless_allowed(
    env, desk, stock, customers, make_delivery
):
    move_vals = {
        "product_id": desk.id,
        "product_uom_qty": 3,
        "location_id": stock.id,
        "location_dest_id": customers.id,
    }
    move = env["stock.move"].create(move_vals)
    move._action_confirm()
    with pytest.raises(UserError, match=r"Not enough \[DESK\] Desk in WH/Stock: 3 wanted"):
        move.quantity = 3
    stock.allow_negative_stock = True
    move.quantity = 3
    move._action_done()
    assert quant_of(env, desk, stock).quantity == -3
    assert desk.qty_available == -3


def test_the_last_guard_refuses_a_quant_below_zero(env, desk, stock, customers):
    with pytest.raises(UserError) as refusal:
        env["stock.quant"]._update_quantities([(desk.id, stock.id, -2.0, 0.0)])
    assert str(refusal.value) == "Not enough [DESK] Desk in WH/Stock: 2 needed, 0 on hand."


def test_done_moves_are_immutable(env, desk, put_stock, make_delivery):
    put_stock(desk, 5)
    delivery = make_delivery((desk, 5))
    delivery.action_assign()
    delivery.button_validate()
    move = delivery.move_ids
    for values in (
        {"product_uom_qty": 1},
        {"quantity": 1},
        {"location_id": move.location_dest_id.id},
    ):
        with pytest.raises(UserError, match="is done"):
            move.write(values)
    with pytest.raises(UserError, match="only delete draft or cancelled moves"):
        move.unlink()
    with pytest.raises(UserError, match="cannot be cancelled"):
        delivery.action_cancel()
    with pytest.raises(UserError, match="cannot be validated"):
        delivery.button_validate()


def test_cancel_releases_the_reservation(env, desk, put_stock, make_delivery):
    quant = put_stock(desk, 5)
    delivery = make_delivery((desk, 4))
    delivery.action_assign()
    assert quant.reserved_quantity == 4
    delivery.action_cancel()
    assert delivery.state == "cancel"
    assert quant.reserved_quantity == 0
    assert not delivery.move_ids.move_line_ids
    assert desk.outgoing_qty == 0


def test_unreserve(env, desk, put_stock, make_delivery):
    quant = put_stock(desk, 5)
    delivery = make_delivery((desk, 4))
    delivery.action_assign()
    delivery.do_unreserve()
    assert delivery.state == "confirmed"
    assert quant.reserved_quantity == 0
    assert delivery.move_ids.quantity == 0


def test_picking_state_follows_its_moves(env, desk, chair, put_stock, make_delivery):
    put_stock(desk, 5)
    delivery = make_delivery((desk, 5), (chair, 2), move_type="one")
    assert delivery.state == "draft"
    delivery.action_assign()
    assert delivery.move_ids.mapped("state") == ["assigned", "confirmed"]
    assert delivery.state == "confirmed"  # all at once: the chairs are missing
    delivery.move_type = "direct"
    assert delivery.state == "assigned"
    empty = env["stock.picking"].create({"picking_type_id": delivery.picking_type_id.id})
    assert empty.state == "draft"
    with pytest.raises(UserError, match="has no product to move"):
        empty.action_confirm()


def test_consumables_are_always_available(env, make_delivery, make_product):
    pens = make_product("Pens", type="consu")
    delivery = make_delivery((pens, 100))
    delivery.action_assign()
    assert delivery.state == "assigned"
    delivery.button_validate()
    assert delivery.state == "done"
    assert not env["stock.quant"].search([("product_id", "=", pens.id)])


def test_inventory_adjustment_goes_through_the_inventory_loss_location(env, desk, stock):
    loss = env.ref("inventory.stock_location_inventory")
    quant = env["stock.quant"].create(
        {"product_id": desk.id, "location_id": stock.id, "inventory_quantity": 8}
    )
    assert quant.inventory_diff_quantity == 8
    quant.action_apply_inventory()
    assert quant.quantity == 8
    assert not quant.inventory_quantity_set
    quant.inventory_quantity = 5
    assert quant.inventory_diff_quantity == -3
    quant.action_apply_inventory()
    assert quant.quantity == 5
    moves = env["stock.move"].search([("product_id", "=", desk.id)], order="id")
    assert [(m.location_id, m.location_dest_id, m.quantity, m.state) for m in moves] == [
        (loss, stock, 8, "done"),
        (stock, loss, 3, "done"),
    ]
    assert quant_of(env, desk, loss).quantity == -5
    # a second count of the same product and location updates the same quant
    again = env["stock.quant"].create(
        {"product_id": desk.id, "location_id": stock.id, "inventory_quantity": 7}
    )
    assert again == quant


def test_quants_quantities_are_protected(env, desk, stock, put_stock, make_user):
    quant = put_stock(desk, 5)
    user = make_user("stocker", "inventory.group_stock_user")
    with pytest.raises(Exception, match="quantity"):
        quant.with_user(user).write({"quantity": 500})
    assert quant.quantity == 5


def test_return_of_a_delivery(env, desk, stock, customers, put_stock, make_delivery):
    put_stock(desk, 10)
    delivery = make_delivery((desk, 6), partner_id=env.ref("base.main_partner").id)
    delivery.action_assign()
    delivery.button_validate()
    wizard = env["stock.return.picking"].create({"picking_id": delivery.id})
    assert wizard.product_return_moves.quantity == 6
    wizard.product_return_moves.quantity = 2
    action = wizard.create_returns()
    returned = env["stock.picking"].browse(action["res_id"])
    assert returned.return_id == delivery
    assert returned.picking_type_id == delivery.picking_type_id.return_picking_type_id
    assert (returned.location_id, returned.location_dest_id) == (customers, stock)
    assert returned.origin == f"Return of {delivery.name}"
    assert returned.state == "assigned"
    returned.button_validate()
    assert desk.qty_available == 6
    again = env["stock.return.picking"].create({"picking_id": delivery.id})
    assert again.product_return_moves.quantity == 4
    again.product_return_moves.quantity = 5
    with pytest.raises(UserError, match=r"Cannot return 5 \[DESK\] Desk .* only 4 can still"):
        again.create_returns()


def test_only_done_transfers_are_returned(env, desk, make_delivery):
    delivery = make_delivery((desk, 1))
    with pytest.raises(UserError, match="only done transfers can be returned"):
        env["stock.return.picking"].create({"picking_id": delivery.id})


def test_delete_only_draft_or_cancelled_transfers(env, desk, put_stock, make_delivery):
    put_stock(desk, 3)
    delivery = make_delivery((desk, 1))
    delivery.action_assign()
    with pytest.raises(UserError, match="only draft or cancelled transfers"):
        delivery.unlink()
    delivery.action_cancel()
    delivery.unlink()


def test_internal_transfer_keeps_stock_on_hand(env, desk, stock, warehouse, put_stock):
    shelf = env["stock.location"].create({"name": "Shelf", "location_id": stock.id})
    put_stock(desk, 5)
    transfer = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.int_type_id.id,
            "location_dest_id": shelf.id,
            "move_ids": [Command.create({"product_id": desk.id, "product_uom_qty": 5})],
        }
    )
    transfer.action_assign()
    transfer.button_validate()
    assert quant_of(env, desk, shelf).quantity == 5
    assert desk.qty_available == 5
    assert desk.with_context(location=shelf.id).qty_available == 5
    assert desk.outgoing_qty == 0


def test_changing_the_source_of_a_reserved_transfer_releases_its_reservation(
    env, desk, stock, put_stock, make_delivery
):
    shelf = env["stock.location"].create({"name": "Shelf", "location_id": stock.id})
    quant = put_stock(desk, 5)
    delivery = make_delivery((desk, 2))
    delivery.action_assign()
    assert quant.reserved_quantity == 2
    delivery.location_id = shelf
    assert quant.reserved_quantity == 0
    assert delivery.move_ids.location_id == shelf
    assert delivery.move_ids.state == "confirmed"
    assert not delivery.move_ids.move_line_ids


def test_a_move_created_with_a_quantity_reserves_it(env, desk, stock, customers, put_stock):
    quant = put_stock(desk, 5)
    move = env["stock.move"].create(
        {
            "product_id": desk.id,
            "product_uom_qty": 3,
            "quantity": 2,
            "location_id": stock.id,
            "location_dest_id": customers.id,
        }
    )
    assert (move.state, move.quantity, quant.reserved_quantity) == ("partially_available", 2, 2)
    assert move.move_line_ids.quantity == 2


def test_stock_users_cannot_edit_move_lines_directly(
    env, desk, put_stock, make_delivery, make_user
):
    put_stock(desk, 5)
    delivery = make_delivery((desk, 2))
    delivery.action_assign()
    user = make_user("stocker", "inventory.group_stock_user")
    with pytest.raises(AccessError):
        delivery.move_ids.move_line_ids.with_user(user).write({"quantity": 50})


def test_the_scheduler_is_not_callable_over_rpc(env):
    method = type(env["stock.warehouse.orderpoint"]).run_scheduler
    assert getattr(method, "_api_private", False)
