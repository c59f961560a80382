"""Journey 8: a validation error on save keeps the user's input and shows the message; a value
that is not a number is a field error, not a 500."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import log_in


def test_a_refused_save_keeps_the_input_and_says_why(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web/action/{ids['quotations_action']}/form/{ids['sally_azure']}")

    page.fill("#f-client_order_ref", "PO-4242")
    page.fill("input[name='order_line.0.discount']", "150")  # the lines' constraint: 0-100
    page.click("button[name=save]")
    page.wait_for_selector(".o-alert")
    assert "discount" in page.locator(".o-alert").inner_text().lower()
    assert page.input_value("#f-client_order_ref") == "PO-4242"
    assert page.input_value("input[name='order_line.0.discount']") == "150"

    # text that is no number: a message beside the lines, the rest of the input kept
    page.fill("input[name='order_line.1.product_uom_qty']", "two")
    page.click("button[name=save]")
    page.wait_for_selector(".o-field-error")
    assert "Quantity: 'two' is not a number" in page.locator(".o-field-error").inner_text()
    assert page.input_value("input[name='order_line.1.product_uom_qty']") == "two"
    assert page.input_value("#f-client_order_ref") == "PO-4242"

    with backoffice.env() as env:
        order = env["sale.order"].browse(ids["sally_azure"])
        assert not order.client_order_ref  # nothing was written
        assert sorted(order.order_line.mapped("discount")) == [0.0, 0.0]

    # corrected: saved
    page.fill("input[name='order_line.0.discount']", "15")
    page.fill("input[name='order_line.1.product_uom_qty']", "2")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.locator(".o-alert").count() == 0
    with backoffice.env() as env:
        order = env["sale.order"].browse(ids["sally_azure"])
        assert order.client_order_ref == "PO-4242"
        assert sorted(order.order_line.mapped("discount")) == [0.0, 15.0]
        assert sorted(order.order_line.mapped("product_uom_qty")) == [2.0, 2.0]
