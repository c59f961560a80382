"""Journey 2: create a quotation with three lines through the many2one autocomplete, see the
line prices, subtotals and the total change as the user types (the form's onchange) while
nothing is written, save, confirm; above the threshold it waits for approval; the manager
approves it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import ARTIFACTS, log_in


def _pick(page: Any, field: Any, text: str, choice: str) -> None:
    """Type in a many2one widget and choose a suggestion (name_search)."""
    field.fill(text)
    box = field.locator("xpath=..")
    box.locator(f".o-suggestions li:has-text('{choice}')").click()


def _counts(backoffice: Any) -> tuple[int, int]:
    with backoffice.env() as env:
        return env["sale.order"].search_count([]), env["sale.order.line"].search_count([])


def test_create_confirm_and_approve_a_quotation(page: Any, backoffice: Any) -> None:
    action = backoffice.ids["quotations_action"]
    before = _counts(backoffice)
    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web/action/{action}/list")
    page.click("a.o-button:has-text('New')")
    page.wait_for_url(re.compile(r"/form/new"))

    _pick(page, page.locator("#f-partner_id"), "Deco", "Deco Addict")
    lines = [("Office Desk", "30"), ("Office Chair", "20"), ("Office Desk", "15")]
    for index, (product, quantity) in enumerate(lines):
        page.click(".o-add-line")
        _pick(
            page,
            page.locator(f"input[name='order_line.{index}.product_id__display']"),
            product.split()[1],
            product,
        )
        # the product's price is filled into the line before anything is saved
        price = "100.00" if product == "Office Desk" else "50.00"
        expect(page.locator(f"input[name='order_line.{index}.price_unit']")).to_have_value(price)
        page.fill(f"input[name='order_line.{index}.product_uom_qty']", quantity)
        if index == 0:  # 30 desks at 100, 10% tax: the subtotal and the total follow the typing
            subtotal = page.locator("[data-name='order_line.0.price_subtotal']")
            expect(subtotal).to_contain_text("3,000.00")
            expect(page.locator("#f-amount_total")).to_contain_text("3,300.00")
    # 45 desks at 100 + 10% tax, 20 chairs at 50: 4500 + 450 + 1000, shown before saving
    expect(page.locator("#f-amount_total")).to_contain_text("5,950.00")
    expect(page.locator("#f-amount_untaxed")).to_contain_text("5,500.00")
    assert _counts(backoffice) == before  # onchange wrote nothing
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey_new_quotation_before_save.png"), full_page=True)
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/form/\d+"))
    assert page.locator(".o-alert").count() == 0
    assert page.locator("tr.o-line").count() == 3
    # 45 desks at 100 + 10% tax, 20 chairs at 50: 4500 + 450 + 1000
    assert "5,950.00" in page.locator(".o-field-name-amount_total").inner_text()

    page.click(".o-header-buttons button:has-text('Confirm')")
    page.wait_for_load_state()
    assert page.locator(".o-statusbar .o-current").inner_text() == "To Approve"
    record_url = page.url

    with backoffice.env() as env:
        order = env["sale.order"].search(
            [("partner_id", "=", backoffice.ids["deco"]), ("amount_total", "=", 5950.0)]
        )
        assert len(order) == 1 and order.state == "to_approve" and order.user_id.login == "sally"
        assert sorted(order.order_line.mapped("product_uom_qty")) == [15.0, 20.0, 30.0]

    page.context.clear_cookies()
    log_in(page, backoffice, "mike")
    page.goto(record_url)
    page.click(".o-header-buttons button:has-text('Approve')")
    page.wait_for_load_state()
    assert page.locator(".o-statusbar .o-current").inner_text() == "Sales Order"
    with backoffice.env() as env:
        assert env["sale.order"].browse(order.id).state == "sale"
