"""Favorites in the browser: search the quotations of a customer grouped by salesperson, save
the search as the default favorite from the search panel, open the action again (the favorite
applies), apply it from the menu, delete it (the action's own defaults are back)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import ARTIFACTS, log_in


def _favorites(backoffice: Any) -> list[tuple]:
    with backoffice.env() as env:
        found = env["ir.filters"].search([("model_id", "=", "sale.order")])
        return [(f.name, f.user_id.login, f.is_default, f.context) for f in found]


def test_save_a_search_as_the_default_favorite(page: Any, backoffice: Any) -> None:
    action = backoffice.ids["quotations_action"]
    log_in(page, backoffice, "mike")
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1")
    page.fill("#o-search-input", "Azure")
    page.select_option("#o-search-field", label="Customer")
    page.click("button:has-text('Search')")
    page.wait_for_selector(".o-facet:has-text('Azure')")
    page.click("summary:has-text('Group By')")
    page.click(".o-menu-dropdown >> text=Salesperson")
    page.wait_for_selector(".o-group-toggle")

    page.click(".o-favorites summary")
    page.wait_for_selector(".o-favorite-save")  # loaded by htmx when the menu opens
    expect(page.locator(".o-favorites-list")).to_contain_text("No favorite yet.")
    page.fill("#o-favorite-name", "Azure by salesperson")
    page.check(".o-favorite-save input[name=default]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey_favorites_menu.png"))
    page.click(".o-favorite-save button:has-text('Save')")
    page.wait_for_url(re.compile(r"domain_label=Azure"))
    expect(page.locator(".o-facet").first).to_contain_text("Azure by salesperson")
    groups = page.locator(".o-group-toggle")
    assert sorted(groups.nth(i).inner_text().strip() for i in range(groups.count())) == [
        "Sally Seller (1)",
        "Sam Other (1)",
    ]
    assert _favorites(backoffice) == [
        ("Azure by salesperson", "mike", True, "{'group_by': ['user_id']}")
    ]

    # the action opens with its default favorite (instead of its search_default_*)
    page.goto(f"{backoffice.url}/web/action/{action}")
    page.wait_for_url(re.compile(r"domain_label=Azure"))
    assert page.locator(".o-facet:has-text('My Quotations')").count() == 0
    expect(page.locator(".o-facet").first).to_contain_text("Azure by salesperson")
    assert page.locator(".o-group-toggle").count() == 2

    # removed from the search, then applied again from the menu
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1")
    assert page.locator(".o-group-toggle").count() == 0
    page.click(".o-favorites summary")
    page.click(".o-favorite-apply:has-text('Azure by salesperson')")
    page.wait_for_url(re.compile(r"domain_label=Azure"))
    assert page.locator(".o-group-toggle").count() == 2

    page.click(".o-favorites summary")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".o-favorite-delete button")
    page.wait_for_load_state()
    assert _favorites(backoffice) == []
    page.goto(f"{backoffice.url}/web/action/{action}")
    page.wait_for_url(re.compile(r"/list"))
    expect(page.locator(".o-facet").first).to_contain_text("My Quotations")
