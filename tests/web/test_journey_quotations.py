"""Journey 1: log in, open Sales -> Quotations, search a customer, group by salesperson, open a
quotation."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import log_in


def test_find_a_customers_quotations_and_open_one(page: Any, backoffice: Any) -> None:
    log_in(page, backoffice, "mike")
    page.click("summary[aria-label='Apps menu']")
    page.click(".o-apps-list >> text=Sales")
    page.click(".o-menu-section summary:has-text('Orders')")
    page.click(".o-menu-dropdown >> text=Quotations")
    page.wait_for_url(re.compile(r"/web/action/\d+/list"))
    assert page.locator("h1").inner_text() == "Quotations"
    # the action's search_default_my_quotation: Mike has none of his own; remove the facet
    page.click(".o-facet:has-text('My Quotations') .o-facet-remove")
    page.wait_for_url(re.compile(r"searched=1"))
    assert page.locator(".o-facet").count() == 0

    page.fill("#o-search-input", "Azure")
    page.select_option("#o-search-field", label="Customer")
    page.click("button:has-text('Search')")
    page.wait_for_selector(".o-facet:has-text('Azure')")
    rows = page.locator("tr.o-row")
    assert rows.count() == 2  # Sally's and Sam's quotations for Azure Interior (drafts)
    assert all("Azure Interior" in rows.nth(i).inner_text() for i in range(rows.count()))

    page.click("summary:has-text('Group By')")
    page.click(".o-menu-dropdown >> text=Salesperson")
    page.wait_for_selector(".o-group-toggle")
    groups = page.locator(".o-group-toggle")
    labels = sorted(groups.nth(i).inner_text().strip() for i in range(groups.count()))
    assert labels == ["Sally Seller (1)", "Sam Other (1)"]
    assert page.locator(".o-facet:has-text('Azure')").count() == 1  # the search is kept

    page.click(".o-group-toggle:has-text('Sally Seller')")
    page.wait_for_selector(".o-group-rows tr.o-row")
    page.locator(".o-group-rows tr.o-row a").first.click()
    page.wait_for_url(re.compile(r"/web/action/\d+/form/\d+"))
    with backoffice.env() as env:
        order = env["sale.order"].browse(backoffice.ids["sally_azure"])
        assert page.locator(".o-breadcrumb [aria-current=page]").inner_text() == order.name
    assert page.locator(".o-statusbar .o-current").inner_text() == "Quotation"
    assert "Azure Interior" in page.locator(".o-field-name-partner_id").inner_html()
