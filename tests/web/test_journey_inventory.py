"""Journey: a salesperson's order is confirmed in the backoffice; the stock user opens its
delivery, reserves and validates it; the stock on hand drops and the order says it is fully
delivered. Real Chromium, real server, on a copy of a template with ``orders`` and
``inventory`` installed (and so ``sale_stock``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import Command
from tests.web.conftest import Backoffice, BackofficeCopies, log_in

STOCK_MODULES = ("base", "product", "orders", "inventory")


@pytest.fixture
def backoffice(erplite_templates: Any, backoffice_copies: BackofficeCopies) -> Iterator[Backoffice]:
    """tests/web's served backoffice, on the inventory's template."""
    template_dsn, _registry = erplite_templates(*STOCK_MODULES)
    with backoffice_copies.served(template_dsn) as office:
        yield office


def text_of(page: Any, selector: str) -> str:
    return re.sub(r"\s+", " ", page.locator(selector).inner_text()).strip()


def test_confirm_an_order_then_deliver_it(page: Any, backoffice: Any) -> None:
    with backoffice.env() as env:
        warehouse = env.ref("inventory.warehouse0")
        shelf = env["product.product"].create(
            {"name": "Oak Shelf", "default_code": "OAK", "type": "product", "list_price": 80.0}
        )
        env["stock.quant"].create(
            {
                "product_id": shelf.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": 10,
            }
        ).action_apply_inventory()
        order = env["sale.order"].create(
            {
                "partner_id": backoffice.ids["azure"],
                "user_id": backoffice.ids["sally"],
                "order_line": [Command.create({"product_id": shelf.id, "product_uom_qty": 3})],
            }
        )
        order_id, order_name, shelf_id = order.id, order.name, shelf.id
        deliveries_action = env.ref("inventory.action_picking_tree_outgoing").id
        quants_action = env.ref("inventory.dashboard_open_quants").id

    log_in(page, backoffice, "admin")
    # confirm the quotation
    page.goto(f"{backoffice.url}/web/action/{backoffice.ids['quotations_action']}/form/{order_id}")
    page.click("button[value=action_confirm]")
    page.wait_for_selector(".o-statusbar .o-current:has-text('Sales Order')")

    # open its delivery from the Deliveries list
    page.goto(f"{backoffice.url}/web/action/{deliveries_action}/list")
    row = page.locator("tr.o-row", has_text=order_name)
    assert row.count() == 1
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r"/web/action/\d+/form/\d+"))
    assert page.locator(".o-statusbar .o-current").inner_text() == "Waiting"
    assert "Oak Shelf" in page.locator(".o-field-name-move_ids").inner_html()

    # reserve, then validate
    page.click("button[value=action_assign]")
    page.wait_for_selector(".o-statusbar .o-current:has-text('Ready')")
    page.click("button[value=button_validate]")
    page.wait_for_selector(".o-statusbar .o-current:has-text('Done')")
    assert page.locator("button[value=button_validate]").count() == 0

    # the stock on hand dropped from 10 to 7
    page.goto(f"{backoffice.url}/web/action/{quants_action}/list")
    quant_row = page.locator("tr.o-row", has_text="[OAK] Oak Shelf")
    assert quant_row.count() == 1
    assert re.search(r"\b7(\.0+)?\b", quant_row.inner_text())

    # and the order is fully delivered
    page.goto(f"{backoffice.url}/web/action/{backoffice.ids['quotations_action']}/form/{order_id}")
    assert "Fully Delivered" in text_of(page, ".o-field-name-delivery_status")
    with backoffice.env() as env:
        assert env["product.product"].browse(shelf_id).qty_available == 7
        order = env["sale.order"].browse(order_id)
        assert order.delivery_status == "full"
        assert order.order_line.qty_delivered == 3
