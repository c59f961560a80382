"""Journey 4: drag a card in the kanban to another column; a refused move says why and changes
nothing."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import log_in


def _column(page: Any, label: str) -> Any:
    return page.locator(f".o-kanban-column[aria-label='{label}']")


def test_drag_cards_between_columns(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    kanban = f"{backoffice.url}/web/action/{ids['quotations_action']}/kanban?searched=1"
    log_in(page, backoffice, "mike")

    # by status (the arch's default_group_by): the state changes only through the workflow
    page.goto(kanban)
    quotations = _column(page, "Quotation")
    assert quotations.locator(".o-kanban-count").inner_text() == "3"
    card = quotations.locator(".o-kanban-card").first
    card_id = int(card.get_attribute("data-id"))
    card.drag_to(_column(page, "Sales Order"))
    page.wait_for_selector("#o-kanban-message:not([hidden])")
    assert "state" in page.locator("#o-kanban-message").inner_text()
    assert quotations.locator(".o-kanban-count").inner_text() == "3"
    with backoffice.env() as env:
        assert env["sale.order"].browse(card_id).state == "draft"

    # by salesperson: a manager hands Sam's quotation to Sally
    page.goto(f"{kanban}&groupby=user_id")
    sam, sally = _column(page, "Sam Other"), _column(page, "Sally Seller")
    before = int(sally.locator(".o-kanban-count").inner_text())
    moved = sam.locator(f".o-kanban-card[data-id='{ids['sam_azure']}']")
    moved.drag_to(sally)
    page.wait_for_selector(
        f".o-kanban-column[aria-label='Sally Seller'] .o-kanban-card[data-id='{ids['sam_azure']}']"
    )
    assert int(sally.locator(".o-kanban-count").inner_text()) == before + 1
    assert page.locator("#o-kanban-message").is_hidden()
    with backoffice.env() as env:
        assert env["sale.order"].browse(ids["sam_azure"]).user_id.id == ids["sally"]
