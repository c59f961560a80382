"""Journey 5: search the orders of a customer, export them to XLSX with the field chooser, and
read the file back with openpyxl; then export only the ticked rows."""

from __future__ import annotations

import re
from typing import Any

import openpyxl

from tests.web.conftest import log_in


def test_export_the_orders_of_the_search_to_xlsx(page: Any, backoffice: Any, tmp_path: Any) -> None:
    log_in(page, backoffice, "mike")
    action = backoffice.ids["quotations_action"]
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1&search_partner_id=Azure")
    rows = page.locator("tr.o-row")
    assert rows.count() == 2

    page.click("button.o-export-button")
    page.wait_for_url(re.compile(r"/web/action/\d+/export\?"))
    assert (
        page.locator(".o-export-scope").inner_text()
        == "All 2 records matching the search will be exported."
    )
    page.locator(".o-export-field input[name=fields]:checked").evaluate_all(
        "els => els.forEach(e => e.click())"
    )
    page.check("input[name=fields][value=name]")
    page.locator("details:has(input[value='partner_id/name']) summary").click()
    page.check("input[name=fields][value='partner_id/name']")
    page.check("input[name=fields][value=amount_total]")
    page.check("input[name=format][value=xlsx]")
    with page.expect_download() as download_info:
        page.click("button:has-text('Export')")
    path = tmp_path / "orders.xlsx"
    download_info.value.save_as(path)
    assert download_info.value.suggested_filename == "sale_order.xlsx"

    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    # the columns come in the chooser's order (fields by label, a relation's fields under it)
    assert rows[0] == ("Customer / Name", "Order Reference", "Total")
    with backoffice.env() as env:
        orders = env["sale.order"].search([("partner_id.name", "=", "Azure Interior")], order="id")
        expected = {("Azure Interior", order.name, order.amount_total) for order in orders}
    assert {tuple(row) for row in rows[1:]} == expected and len(rows) == 3

    # back on the list: tick one row, export only that record (CSV)
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1&search_partner_id=Azure")
    page.locator("tr.o-row input.o-select").first.check()
    page.click("button.o-export-button")
    assert (
        page.locator(".o-export-scope").inner_text() == "The 1 selected records will be exported."
    )
