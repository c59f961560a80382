"""Journey 6: import a CSV of products with one bad row: the test run lists the row and writes
nothing; after fixing the file, the import writes every row."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import log_in

BAD = "Name,Internal Reference,Sales Price,Product Type\nImported Lamp,LAMP,12.5,Consumable\nImported Shade,SHADE,cheap,Service\nImported Bulb,BULB,3,consu\n"


def imported(backoffice: Any) -> list[tuple[str, str, float, str]]:
    with backoffice.env() as env:
        products = env["product.product"].search([("name", "=like", "Imported %")], order="name")
        return [(p.name, p.default_code, p.list_price, p.type) for p in products]


def test_import_products_with_a_bad_row_then_fixed(
    page: Any, backoffice: Any, tmp_path: Any
) -> None:
    log_in(page, backoffice, "mike")  # a sales manager is a product manager
    with backoffice.env() as env:
        action = env.ref("product.product_normal_action").id
    page.goto(f"{backoffice.url}/web/action/{action}/list")
    page.click("a.o-import-button")
    page.wait_for_url(re.compile(r"/web/action/\d+/import$"))

    bad = tmp_path / "products.csv"
    bad.write_text(BAD, encoding="utf-8")
    page.set_input_files("#o-import-file", str(bad))
    page.click("button[value=load]")
    page.wait_for_selector(".o-import-mapping")
    assert page.locator("#o-column-0").input_value() == "name"
    assert page.locator("#o-column-1").input_value() == "default_code"
    assert page.locator("#o-column-2").input_value() == "list_price"
    assert page.locator("#o-column-3").input_value() == "type"

    page.click("button[value=test]")
    page.wait_for_selector(".o-import-message")
    messages = page.locator(".o-import-message")
    assert messages.count() == 1
    cells = [messages.nth(0).locator("td").nth(i).inner_text() for i in range(4)]
    assert cells == [
        "3",
        "Sales Price",
        "Sales Price",
        "'cheap' does not seem to be a number for field 'Sales Price'",
    ]
    assert "nothing would be imported" in page.locator(".o-import-error").inner_text()
    assert imported(backoffice) == []

    good = tmp_path / "products-fixed.csv"
    good.write_text(BAD.replace("cheap", "8"), encoding="utf-8")
    page.set_input_files("#o-import-file", str(good))
    page.click("button[value=test]")
    page.wait_for_selector(".o-import-success")
    assert "3 records would be imported" in page.locator(".o-import-success").inner_text()
    assert imported(backoffice) == []
    page.click("button[value=import]")
    page.wait_for_selector(".o-import-success:has-text('were imported')")
    assert page.locator(".o-import-success").inner_text().startswith("3 records were imported.")
    assert imported(backoffice) == [
        ("Imported Bulb", "BULB", 3.0, "consu"),
        ("Imported Lamp", "LAMP", 12.5, "consu"),
        ("Imported Shade", "SHADE", 8.0, "service"),
    ]
