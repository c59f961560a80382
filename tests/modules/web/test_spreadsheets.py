"""CSV and XLSX files of the export and import pages (``ui/spreadsheets.py``) and the matching
of a file's columns to fields (``ui/data_fields.py``)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
import pytest


def test_xlsx_round_trip_keeps_types_and_never_writes_formulas(web_ui: Any) -> None:
    sheets = web_ui("spreadsheets")
    rows = [["=1+1", 12.5, True, datetime.date(2026, 12, 31), ""]]
    data = sheets.write_file("xlsx", ["Name", "Price", "Active", "Date", "Empty"], rows)
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    headers, read = sheets.read_file("back.xlsx", data)
    assert headers == ["Name", "Price", "Active", "Date", "Empty"]
    assert read[0][:3] == ["=1+1", 12.5, True] and read[0][3].date() == datetime.date(2026, 12, 31)


def test_csv_is_utf8_with_its_delimiter_recognised(web_ui: Any) -> None:
    sheets = web_ui("spreadsheets")
    data = sheets.write_file("csv", ["Name", "Active"], [['Café; "bar"', False]])
    assert data.decode() == 'Name,Active\r\n"Café; ""bar""",False\r\n'
    headers, rows = sheets.read_file("x.csv", "\ufeffName;Price\nDesk;1,5\n\n".encode())
    assert headers == ["Name", "Price"] and rows == [["Desk", "1,5"]]
    headers, rows = sheets.read_file("x.csv", b"Name,Price,Code\nDesk,2\n")
    assert rows == [["Desk", "2", ""]]  # a short row is padded to the headers


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.txt", b"a", "Choose a .csv or .xlsx file."),
        ("x.csv", b"", "The file is empty"),
        ("x.csv", b"name\n\xff", r"not UTF-8 text \(byte 5\)"),
        ("x.xlsx", b"PK no zip", "not a readable XLSX workbook"),
    ],
)
def test_unreadable_files_say_why(web_ui: Any, name: str, data: bytes, message: str) -> None:
    sheets = web_ui("spreadsheets")
    with pytest.raises(sheets.FileError, match=message):
        sheets.read_file(name, data)


def test_columns_match_by_technical_name_or_label(web_ui: Any, env: Any) -> None:
    data_fields = web_ui("data_fields")
    options = data_fields.import_options(env["product.product"])
    paths = {option.path for option in options}
    assert {"id", "name", "categ_id", "categ_id/id", "taxes_id/id"} <= paths
    assert "create_date" not in paths and "display_name" not in paths
    headers = [
        "NAME",
        "Sales Price",
        "Product Category / External ID",
        "categ_id:id",
        "Colour",
        "name",
    ]
    assert data_fields.match_columns(headers, options) == [
        "name",
        "list_price",
        "categ_id/id",
        "",
        "",
        "",
    ]


def test_export_options_go_one_level_into_relations(web_ui: Any, env: Any) -> None:
    data_fields = web_ui("data_fields")
    paths = [option.path for option in data_fields.export_options(env["sale.order"])]
    assert "partner_id/name" in paths and "order_line/product_id" in paths
    assert "order_line/tax_id" not in paths and not any(p.count("/") > 1 for p in paths)
