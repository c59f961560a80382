"""The export and import pages over HTTP: the field chooser, CSV and XLSX files of the selection
or of the search, the import's column matching, test run and import, the CSRF token, the upload
limit, and what a salesperson may not do."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl
import pytest

from erplite import SUPERUSER_ID, api
from tests.modules.web.conftest import csrf_of


@pytest.fixture(scope="module")
def product_action(served: Any) -> int:
    with served.env().cursor() as cr:
        return api.Environment(cr, SUPERUSER_ID, {}).ref("product.product_normal_action").id


def product_names(served: Any, prefix: str) -> list[str]:
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return sorted(
            env["product.product"].search([("name", "=like", prefix + "%")]).mapped("name")
        )


def test_export_page_offers_fields_and_subfields(served: Any) -> None:
    client = served.client("mona")
    page = client.get(f"/web/action/{served.ids['action']}/export?search_partner_id=Customer+1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="partner_id/name"' in html and 'value="order_line/product_id"' in html
    assert re.search(r'value="partner_id" checked', html)  # the list's columns come checked
    assert "All 9 records matching the search will be exported." in html
    assert 'name="search" value="search_partner_id=Customer+1"' in html


def test_export_csv_of_the_selection(served: Any) -> None:
    client = served.client("mona")
    url = f"/web/action/{served.ids['action']}/export"
    token = csrf_of(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "ids": str(served.ids["big"]),
            "fields": ["partner_id", "order_line/product_uom_qty"],
            "format": "csv",
        },
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="sale_order.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Customer", "Order Lines / Quantity"]
    assert len(rows) == 21 and rows[1] == ["Customer 0", "1.0"] and rows[2] == ["", "2.0"]


def test_export_xlsx_of_the_search_import_compatible(served: Any) -> None:
    client = served.client("mona")
    url = f"/web/action/{served.ids['action']}/export"
    token = csrf_of(client.get(url).get_data(as_text=True))
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "search": "search_partner_id=Customer+3",
            "fields": ["id", "partner_id/id", "amount_total"],
            "format": "xlsx",
            "import_compat": "1",
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("id", "partner_id/id", "amount_total")
    assert len(rows) == 1 + 9  # orders 3, 13, ..., 83 of "Customer 3"
    assert all(row[1].startswith("__export__.res_partner_") for row in rows[1:])
    assert {row[1] for row in rows[1:]} == {rows[1][1]}


def test_export_refusals_are_shown_on_the_page(served: Any) -> None:
    client = served.client("mona")
    url = f"/web/action/{served.ids['action']}/export"
    token = csrf_of(client.get(url).get_data(as_text=True))
    bad = client.post(url, data={"csrf_token": token, "fields": ["partner_id/password"]})
    assert bad.status_code == 400
    assert "These fields cannot be exported: partner_id/password." in bad.get_data(as_text=True)
    none = client.post(url, data={"csrf_token": token})
    assert "Choose at least one field to export." in none.get_data(as_text=True)
    forged = client.post(url, data={"fields": ["name"]})
    assert forged.status_code in (400, 403) and b"Customer" not in forged.get_data()


def test_export_follows_the_record_rules(served: Any) -> None:
    client = served.client("sid")  # a salesperson sees only their own orders: none
    url = f"/web/action/{served.ids['action']}/export"
    token = csrf_of(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "fields": ["name"], "format": "csv"})
    assert response.get_data(as_text=True).splitlines() == ["Order Reference"]


def post_import(
    client: Any, url: str, token: str, step: str, content: bytes, name: str = "p.csv", **extra: Any
) -> str:
    data = {"csrf_token": token, "step": step, "file": (io.BytesIO(content), name), **extra}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_import_maps_tests_and_imports(served: Any, product_action: int) -> None:
    client = served.client("mona")
    url = f"/web/action/{product_action}/import"
    token = csrf_of(client.get(url).get_data(as_text=True))
    bad = b"Name,Sales Price,categ_id\nHttp Lamp,12.5,All\nHttp Bulb,cheap,All\nHttp Shade,3,Nowhere\n"
    html = post_import(client, url, token, "load", bad)
    assert re.search(r'<option value="name" selected>', html)
    assert re.search(r'<option value="list_price" selected>', html)
    assert re.search(r'<option value="categ_id" selected>', html)
    mapping = {
        "header": ["Name", "Sales Price", "categ_id"],
        "column": ["name", "list_price", "categ_id"],
    }
    html = post_import(client, url, token, "test", bad, **mapping)
    assert "The test found errors: nothing would be imported. Nothing was written." in html
    rows = re.findall(
        r'<tr class="o-import-message"><td data-label="Row">(\d+)</td><td data-label="Column">([^<]*)</td>',
        html,
    )
    assert rows == [("3", "Sales Price"), ("4", "categ_id")]
    assert "&#39;cheap&#39; does not seem to be a number for field &#39;Sales Price&#39;" in html
    assert product_names(served, "Http ") == []
    html = post_import(client, url, token, "import", bad, **mapping)
    assert "The file was not imported: nothing was written." in html
    assert product_names(served, "Http ") == []
    good = bad.replace(b"cheap", b"4").replace(b"Nowhere", b"All")
    html = post_import(client, url, token, "test", good, **mapping)
    assert "Everything looks valid: 3 records would be imported." in html
    assert product_names(served, "Http ") == []
    html = post_import(client, url, token, "import", good, **mapping)
    assert "3 records were imported." in html
    assert product_names(served, "Http ") == ["Http Bulb", "Http Lamp", "Http Shade"]


def test_import_of_xlsx_with_a_changed_mapping(served: Any, product_action: int) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Label", "Code"])
    sheet.append(["Xlsx Desk", 1234])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = served.client("mona")
    url = f"/web/action/{product_action}/import"
    token = csrf_of(client.get(url).get_data(as_text=True))
    html = post_import(client, url, token, "load", buffer.getvalue(), "p.xlsx")
    assert '<option value="name" selected>' not in html  # "Label" matches no field
    html = post_import(
        client,
        url,
        token,
        "import",
        buffer.getvalue(),
        "p.xlsx",
        header=["Label", "Code"],
        column=["name", "default_code"],
    )
    assert "1 records were imported." in html
    with served.env().cursor() as cr:
        product = api.Environment(cr, SUPERUSER_ID, {})["product.product"].search(
            [("name", "=", "Xlsx Desk")]
        )
        assert product.default_code == "1234"


def test_import_refused_rows_for_a_salesperson(served: Any, product_action: int) -> None:
    client = served.client("sid")  # may read products, not create them
    url = f"/web/action/{product_action}/import"
    page = client.get(url)
    assert page.status_code == 403
    token = csrf_of(client.get(f"/web/action/{served.ids['action']}/list").get_data(as_text=True))
    html = post_import(
        client, url, token, "test", b"name\nSid Product\n", header=["name"], column=["name"]
    )
    assert "You are not allowed to create &#39;Product&#39;" in html
    assert product_names(served, "Sid ") == []


def test_import_bad_files_and_csrf(served: Any, product_action: int) -> None:
    client = served.client("mona")
    url = f"/web/action/{product_action}/import"
    token = csrf_of(client.get(url).get_data(as_text=True))
    assert "Choose a .csv or .xlsx file." in post_import(client, url, token, "load", b"x", "p.txt")
    assert "not a readable XLSX workbook" in post_import(
        client, url, token, "load", b"not a zip", "p.xlsx"
    )
    assert "not UTF-8 text" in post_import(client, url, token, "load", b"name\n\xff\xfe\n")
    forged = client.post(
        url,
        data={"step": "import", "file": (io.BytesIO(b"name\nForged\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert forged.status_code in (400, 403)
    assert product_names(served, "Forged") == []
    huge = client.post(
        url,
        data={
            "csrf_token": token,
            "step": "load",
            "file": (io.BytesIO(b"x" * (11 * 1024 * 1024)), "p.csv"),
        },
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413
