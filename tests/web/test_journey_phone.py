"""Journey 7: on a phone-sized window (390x844) the menu, the list and the form are usable."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import log_in


def _fits_the_screen(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_menu_list_and_form_on_a_phone(phone_page: Any, backoffice: Any) -> None:
    page = phone_page
    log_in(page, backoffice, "sally")
    page.click("summary[aria-label='Apps menu']")
    page.click(".o-apps-list >> text=Sales")
    page.wait_for_url(re.compile(r"/web/action/\d+/list"))

    # the app's menu is a drawer behind the hamburger
    assert not page.locator(".o-menu-sections").is_visible()
    page.click(".o-menu-toggle-label")
    assert page.locator(".o-menu-sections").is_visible()
    page.click(".o-menu-section summary:has-text('Orders')")
    page.click(".o-menu-dropdown >> text=Quotations")
    page.wait_for_url(re.compile(r"/web/action/\d+/list"))
    assert _fits_the_screen(page)

    # the list: stacked cards, each cell labelled
    assert not page.locator(".o-list thead").is_visible()
    first = page.locator("tr.o-row").first
    box = first.bounding_box()
    assert box["width"] <= 390 and box["height"] > 60  # a card, not a one-line row
    assert first.locator("td[data-label='Customer']").inner_text() == "Azure Interior"
    first.locator("a").first.tap()
    page.wait_for_url(re.compile(r"/form/\d+"))

    # the form: one column, editable, savable
    assert _fits_the_screen(page)
    label = page.locator("label[for='f-partner_id']").bounding_box()
    widget = page.locator("#f-partner_id").bounding_box()
    assert widget["y"] > label["y"]  # the input under its label, not beside it
    page.fill("#f-client_order_ref", "from my phone")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.input_value("#f-client_order_ref") == "from my phone"
    with backoffice.env() as env:
        saved = env["sale.order"].search([("client_order_ref", "=", "from my phone")])
        assert len(saved) == 1 and saved.user_id.login == "sally"
