"""Each widget's parsing of posted values: good text becomes the ORM value, bad text a
FieldInputError naming the field (never a 500), and values are shown back as typed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest


@pytest.fixture(scope="module")
def widgets(web_ui: Any) -> Any:
    return web_ui("widgets")


def field(kind: str, **extra: Any) -> dict:
    return {"type": kind, "name": f"x_{kind}", "string": kind.title(), **extra}


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("char", "  Desk  ", "Desk"),
        ("char", "", False),
        ("text", "two\nlines ", "two\nlines "),
        ("integer", " 12 ", 12),
        ("integer", "1,234", 1234),
        ("integer", "", 0),
        ("integer", "-7", -7),
        ("float", "3.5", 3.5),
        ("float", "1,234.25", 1234.25),
        ("float", ".5", 0.5),
        ("monetary", "", 0.0),
        ("date", "2026-02-28", datetime.date(2026, 2, 28)),
        ("date", "", False),
        ("boolean", "on", True),
        ("boolean", None, False),
        ("many2one", "42", 42),
        ("many2one", "", False),
        ("many2many", ["3", "5"], [3, 5]),
        ("many2many", None, []),
    ],
)
def test_good_text_becomes_the_orm_value(widgets: Any, kind: str, raw: Any, expected: Any) -> None:
    assert widgets.parse_value(field(kind), raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("integer", "12.5", "Integer: '12.5' is not a whole number"),
        ("integer", "ten", "Integer: 'ten' is not a whole number"),
        ("integer", "99999999999", "Integer: '99999999999' is not between"),
        ("float", "1.2.3", "Float: '1.2.3' is not a number"),
        ("float", "nan", "Float: 'nan' is not a number"),
        ("float", "1e999", "Float: '1e999' is not a finite number"),
        ("monetary", "12 EUR", "Monetary: '12 EUR' is not a number"),
        ("date", "2026-02-30", "Date: '2026-02-30' is not a valid date (YYYY-MM-DD)"),
        ("date", "tomorrow", "Date: 'tomorrow' is not a valid date"),
        ("datetime", "2026-13-01T10:00", "Datetime: '2026-13-01T10:00' is not a valid date"),
        ("many2one", "abc", "Many2One: 'abc' is not a record id"),
        ("many2one", "-3", "Many2One: '-3' is not a record id"),
        ("many2one", "0", "Many2One: '0' is not a record id"),
        ("many2many", ["4", "x"], "Many2Many: 'x' is not a record id"),
    ],
)
def test_bad_text_is_a_field_error(widgets: Any, kind: str, raw: Any, message: str) -> None:
    with pytest.raises(widgets.FieldInputError) as caught:
        widgets.parse_value(field(kind), raw)
    assert str(caught.value).startswith(message)
    assert caught.value.field == f"x_{kind}"


def test_a_selection_accepts_only_its_own_values(widgets: Any) -> None:
    state = field("selection", selection=[["draft", "Quotation"], ["sale", "Sales Order"]])
    assert widgets.parse_value(state, "sale") == "sale"
    with pytest.raises(widgets.FieldInputError, match="'done' is not one of the choices"):
        widgets.parse_value(state, "done")
    assert widgets.display_value(state, "sale") == "Sales Order"


def test_a_char_longer_than_its_size_is_refused(widgets: Any) -> None:
    with pytest.raises(widgets.FieldInputError, match="at most 3 characters"):
        widgets.parse_value(field("char", size=3), "abcd")


def test_datetimes_are_typed_in_the_users_zone_and_stored_in_utc(widgets: Any) -> None:
    when = field("datetime")
    stored = widgets.parse_value(when, "2026-05-01T09:30", tz="Europe/Brussels")
    assert stored == datetime.datetime(2026, 5, 1, 7, 30)
    assert widgets.input_value(when, stored, tz="Europe/Brussels") == "2026-05-01T09:30"
    assert widgets.display_value(when, stored, tz="Europe/Brussels") == "2026-05-01 09:30"
    assert widgets.parse_value(when, "2026-05-01T09:30") == datetime.datetime(2026, 5, 1, 9, 30)


def test_amounts_show_the_currency(widgets: Any, env: Any) -> None:
    euro = env["res.currency"].create({"name": "EUX", "symbol": "€", "position": "after"})
    shown = widgets.display_value(field("monetary"), 1234.5, currency=euro)
    assert shown == "1,234.50\u00a0€"


@pytest.mark.parametrize(
    ("description", "value", "expected"),
    [
        (field("boolean"), True, "Yes"),
        (field("boolean"), False, "No"),
        (field("char"), "<b>Desk</b>", "<b>Desk</b>"),
        (field("char"), False, ""),
        (field("text"), None, ""),
        (field("date"), datetime.date(2026, 2, 28), "2026-02-28"),
        (field("date"), False, ""),
        (field("datetime"), datetime.datetime(2026, 5, 1, 7, 30), "2026-05-01 09:30"),
        (field("selection", selection=[("sale", "Sales Order")]), "sale", "Sales Order"),
        (field("selection", selection=[("sale", "Sales Order")]), "gone", "gone"),
        (field("selection", selection=[("sale", "Sales Order")]), False, ""),
        (field("integer"), 1234, "1,234"),
        (field("integer"), 0, "0"),
        (field("float"), 1234.5, "1,234.50"),
        (field("float"), 0.0, "0.00"),
        (field("float"), False, ""),
        (field("monetary"), 1234.5, "1,234.50"),
        (field("monetary"), 0.0, "0.00"),
        (field("monetary"), False, ""),
    ],
)
def test_a_display_formatter_shows_what_display_value_shows(
    widgets: Any, description: dict, value: Any, expected: str
) -> None:
    # the list page formats its cells with one formatter per column (the same texts)
    formatter = widgets.display_formatter(description, tz="Europe/Brussels")
    assert formatter(value, None) == expected
    assert widgets.display_value(description, value, tz="Europe/Brussels") == expected


def test_a_monetary_formatter_shows_each_rows_currency(widgets: Any, env: Any) -> None:
    euro = env["res.currency"].create({"name": "EUY", "symbol": "€", "position": "after"})
    dollar = env["res.currency"].create({"name": "USY", "symbol": "$", "position": "before"})
    formatter = widgets.display_formatter(field("monetary"))
    assert formatter(1234.5, euro) == "1,234.50\u00a0€"
    assert formatter(1234.5, dollar) == "$\u00a01,234.50"
    assert formatter(1234.5, euro) == widgets.display_value(
        field("monetary"), 1234.5, currency=euro
    )
