"""Journey: a manager opens the orders' graph from the list, switches it to a line chart, then
the pivot, and follows a salesperson's total to the list of exactly those orders."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import log_in


def test_graph_then_pivot_cell_to_the_list(page: Any, backoffice: Any) -> None:
    action = backoffice.ids["quotations_action"]
    log_in(page, backoffice, "mike")
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1")

    page.get_by_role("link", name="Graph", exact=True).click()
    page.wait_for_selector("#o-graph-canvas[data-drawn='bar']")
    drawn = page.evaluate("document.getElementById('o-graph-canvas').chart.data.datasets[0].data")
    assert len(drawn) == 1 and drawn[0] > 0  # this month's total of the five orders

    page.locator("[data-chart-type='line']").click()
    page.wait_for_selector("#o-graph-canvas[data-drawn='line']")
    assert page.evaluate("document.getElementById('o-graph-canvas').chart.config.type") == "line"

    page.get_by_role("link", name="Pivot", exact=True).click()
    sally = page.locator("tr.o-pivot-row", has=page.locator("th", has_text="Sally Seller"))
    total = sally.locator("td.o-pivot-total a")
    assert total.get_attribute("data-count") == "3"
    total.click()
    page.wait_for_url("**/list?**")
    assert page.locator(".o-pager-value").inner_text() == "1-3 / 3"
    assert page.locator("table.o-list tbody tr").count() == 3
