"""The chatter in a browser: Sally opens her quotation, logs a note, sees it at the top of
the history with the order's creation below it, then follows the order."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import log_in


def test_log_a_note_on_a_sale_order(page: Any, backoffice: Any) -> None:
    action = backoffice.ids["quotations_action"]
    order = backoffice.ids["sally_azure"]
    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{order}")
    chatter = page.locator("#o-chatter")
    chatter.locator("text=Sales Order created").wait_for()
    chatter.locator("textarea[name=body]").fill("Customer asked for a delivery on Friday")
    chatter.locator("button:has-text('Log note')").click()
    first = chatter.locator(".o-message").first
    first.locator("text=Customer asked for a delivery on Friday").wait_for()
    assert first.locator(".o-message-author").inner_text() == "Sally Seller"
    assert first.locator(".o-message-kind").inner_text() == "Note"
    chatter.locator("button.o-chatter-follow").click()
    chatter.locator("button.o-chatter-follow:has-text('Unfollow')").wait_for()
    assert "Sally Seller" in chatter.locator(".o-chatter-followers").inner_text()
