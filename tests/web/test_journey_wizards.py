"""Journey: actions returned by buttons (issue 13). Validating a partial delivery opens the
backorder wizard in a dialog (``stock.backorder.confirmation``, as Odoo 17's
``button_validate`` returns it); "Create Backorder" validates and makes the backorder, which
the form's smart button lists. A done delivery is returned through the return wizard
(``stock.return.picking``) opened by the ``type="action"`` Return button: a quantity too big
is refused in the dialog with the input kept, a right one makes the return transfer, whose
form opens. Real Chromium, real server, on the inventory template."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from erplite import Command
from tests.web import test_journey_inventory
from tests.web.conftest import log_in
from tests.web.test_accessibility import serious_violations

#: the served backoffice on the inventory's template
backoffice = test_journey_inventory.backoffice


def _delivery(backoffice: Any, quantity: float, on_hand: float) -> tuple[int, str, int, int]:
    """A confirmed order of ``quantity`` shelves with ``on_hand`` in stock: its delivery
    reserved (``(picking id, name, deliveries action id, product id)``)."""
    with backoffice.env() as env:
        warehouse = env.ref("inventory.warehouse0")
        shelf = env["product.product"].create(
            {"name": "Oak Shelf", "default_code": "OAK", "type": "product", "list_price": 80.0}
        )
        env["stock.quant"].create(
            {
                "product_id": shelf.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": on_hand,
            }
        ).action_apply_inventory()
        order = env["sale.order"].create(
            {
                "partner_id": backoffice.ids["azure"],
                "user_id": backoffice.ids["sally"],
                "order_line": [
                    Command.create({"product_id": shelf.id, "product_uom_qty": quantity})
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        action = env.ref("inventory.action_picking_tree_outgoing").id
        return picking.id, picking.name, action, shelf.id


def test_partial_delivery_asks_for_a_backorder(page: Any, backoffice: Any) -> None:
    picking_id, name, action, _shelf = _delivery(backoffice, quantity=5, on_hand=3)
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{picking_id}")
    assert page.locator(".o-statusbar .o-current").inner_text() == "Ready"
    page.click("button[value=button_validate]")

    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    assert dialog.evaluate("d => d.open && d.matches(':modal')")  # modal over the form
    assert "less products than the initial demand" in dialog.inner_text()
    assert page.locator("#o-dialog-title").inner_text() == "Create Backorder?"
    assert serious_violations(page) == []
    with backoffice.env() as env:  # nothing validated yet
        assert env["stock.picking"].browse(picking_id).state == "assigned"

    dialog.locator("button", has_text="Create Backorder").click()
    page.wait_for_selector(".o-statusbar .o-current:has-text('Done')")
    assert page.locator("dialog.o-dialog").count() == 0
    with backoffice.env() as env:
        picking = env["stock.picking"].browse(picking_id)
        assert picking.state == "done"
        backorder = env["stock.picking"].search([("backorder_id", "=", picking_id)])
        assert len(backorder) == 1
        assert backorder.move_ids.product_uom_qty == 2
        assert picking.move_ids.quantity == 3
        backorder_name = backorder.name

    # the smart button lists the backorders (a window action returned by a method)
    page.click("button[value=action_view_backorders]")
    page.wait_for_url(re.compile(r"/web/action/\d+/list\?"))
    rows = page.locator("tr.o-row")
    assert rows.count() == 1
    assert backorder_name in rows.first.inner_text()
    assert "Backorders" in page.locator(".o-facets, .o-search").first.inner_text()


def test_discarding_the_backorder_dialog_validates_nothing(page: Any, backoffice: Any) -> None:
    picking_id, _name, action, _shelf = _delivery(backoffice, quantity=5, on_hand=3)
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{picking_id}")
    page.click("button[value=button_validate]")
    page.locator("dialog.o-dialog").wait_for()
    page.click("dialog.o-dialog a.o-dialog-cancel")
    page.wait_for_url(re.compile(rf"/form/{picking_id}(\?(?!.*dialog=).*)?$"))
    assert page.locator("dialog.o-dialog").count() == 0
    with backoffice.env() as env:
        assert env["stock.picking"].browse(picking_id).state == "assigned"
        assert not env["stock.picking"].search([("backorder_id", "=", picking_id)])


def test_return_a_done_delivery_through_the_wizard(page: Any, backoffice: Any) -> None:
    picking_id, name, action, shelf = _delivery(backoffice, quantity=3, on_hand=10)
    with backoffice.env() as env:
        env["stock.picking"].browse(picking_id).button_validate()
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{picking_id}")
    assert page.locator(".o-statusbar .o-current").inner_text() == "Done"
    page.click("button:has-text('Return')")

    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    assert page.locator("#o-dialog-title").inner_text() == "Reverse Transfer"
    line = dialog.locator("tr.o-line")
    assert line.count() == 1
    assert "Oak Shelf" in line.inner_text()
    quantity = line.locator("input[name='product_return_moves.0.quantity']")
    assert float(quantity.input_value()) == 3

    # more than was delivered: refused in the dialog, the input kept, nothing made
    quantity.fill("7")
    dialog.locator("button", has_text="Return").click()
    page.wait_for_selector("dialog.o-dialog .o-alert")
    dialog = page.locator("dialog.o-dialog")
    assert "only 3 can still be returned" in dialog.locator(".o-alert").inner_text()
    assert dialog.locator("input[name='product_return_moves.0.quantity']").input_value() == "7"
    with backoffice.env() as env:
        assert not env["stock.picking"].search([("return_id", "=", picking_id)])

    dialog.locator("input[name='product_return_moves.0.quantity']").fill("1")
    dialog.locator("button", has_text="Return").click()
    page.wait_for_url(re.compile(r"/web/action/\d+/form/\d+$"))
    with backoffice.env() as env:
        returned = env["stock.picking"].search([("return_id", "=", picking_id)])
        assert len(returned) == 1
        assert returned.move_ids.product_id.id == shelf
        assert returned.move_ids.product_uom_qty == 1
        assert returned.origin == f"Return of {name}"
        returned_id = returned.id
    assert page.url.endswith(f"/form/{returned_id}")
    assert page.locator("dialog.o-dialog").count() == 0


def test_return_lines_proposed_by_the_onchange_stay_as_the_user_types(
    page: Any, backoffice: Any
) -> None:
    """The return wizard's lines come from an onchange of its transfer (Odoo 17's
    ``_onchange_picking_id``), not ``default_get``; typing a quantity runs the dialog's
    onchange, which keeps each line's product (its hidden values are the proposed ones)."""
    picking_id, _name, action, shelf = _delivery(backoffice, quantity=3, on_hand=10)
    with backoffice.env() as env:
        env["stock.picking"].browse(picking_id).button_validate()
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{picking_id}")
    page.click("button:has-text('Return')")
    dialog = page.locator("dialog.o-dialog")
    line = dialog.locator("tr.o-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Oak Shelf")
    with page.expect_response(re.compile(r"/web/dialog/onchange$")) as answer:
        line.locator("input[name='product_return_moves.0.quantity']").fill("2")
    shown = answer.value.json()["lines"]["product_return_moves"]["0"]
    assert shown["product_id"]["label"] == "[OAK] Oak Shelf"
    expect(line).to_contain_text("Oak Shelf")
    dialog.locator("button", has_text="Return").click()
    page.wait_for_url(re.compile(r"/web/action/\d+/form/\d+$"))
    with backoffice.env() as env:
        returned = env["stock.picking"].search([("return_id", "=", picking_id)])
        assert returned.move_ids.product_id.id == shelf
        assert returned.move_ids.product_uom_qty == 2
