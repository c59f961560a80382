"""``t-field`` on records of the ORM (``erplite.tools.qweb_fields.format_field``): each field
type formatted as Odoo 17's converters do, with ``t-options``; through ``ir.qweb`` (records
wrapped for templates, read as the user)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from erplite.tools.qweb_fields import format_field


@pytest.fixture
def record(env: Any) -> Any:
    euro = env["res.currency"].search([("name", "=", "EUR")], limit=1) or env[
        "res.currency"
    ].create({"name": "EUR", "symbol": "€"})
    euro.write({"symbol": "€", "position": "after", "rounding": 0.01})
    target = env["test_orm.target"].create({"name": "Azure"})
    tags = env["test_orm.fields.tag"].create([{"name": "red"}, {"name": "blue"}])
    return env["test_orm.fields"].create(
        {
            "name": "<b>Desk</b>",
            "text": "one <i>\ntwo",
            "count": 12345,
            "ratio": 3.14159,
            "price": 1234.5,
            "currency_id": euro.id,
            "amount": 1250.0,
            "flag": True,
            "day": datetime.date(2026, 5, 1),
            "moment": datetime.datetime(2026, 5, 1, 9, 30),
            "state": "done",
            "target_id": target.id,
            "tag_ids": [(6, 0, tags.ids)],
        }
    )


def test_each_type_is_formatted(record: Any) -> None:
    f = format_field
    assert f(record, "name", {}) == "<b>Desk</b>"  # text: the engine escapes it
    assert f(record, "text", {}) == "one &lt;i&gt;<br/>two"
    assert f(record, "count", {}) == "12,345"
    assert f(record, "ratio", {}) == "3.14" and f(record, "ratio", {"precision": 3}) == "3.142"
    assert f(record, "price", {}) == "1,234.50"
    assert f(record, "amount", {}) == "1,250.00\u00a0€"
    assert f(record, "flag", {}) == "Yes"
    assert f(record, "day", {}) == "2026-05-01"
    assert f(record, "day", {"format": "%d/%m/%Y"}) == "01/05/2026"
    assert f(record, "state", {}) == "Done"
    assert f(record, "target_id", {}) == "Azure"
    assert f(record, "tag_ids", {}) in ("red, blue", "blue, red")
    assert f(record, "count", {"widget": "float_time"}) == "12345:00"
    assert f(record.browse(), "name", {}) is None  # no record: the template's body
    record.name = False
    assert f(record, "name", {}) is None


def test_datetimes_in_the_users_time_zone_and_options(record: Any) -> None:
    brussels = record.with_context(tz="Europe/Brussels")
    assert format_field(brussels, "moment", {}) == "2026-05-01 11:30"
    assert format_field(brussels, "moment", {"widget": "date"}) == "2026-05-01"
    assert format_field(record, "moment", {}) == "2026-05-01 09:30"  # UTC without a tz
    assert format_field(record, "moment", {"tz": "America/New_York"}) == "2026-05-01 05:30"
    usd = record.env["res.currency"].create({"name": "XTS", "symbol": "$", "position": "before"})
    assert format_field(record, "amount", {"display_currency": usd}) == "$\u00a01,250.00"


def test_ir_qweb_renders_t_field_on_wrapped_records(env: Any, record: Any) -> None:
    arch = (
        '<div><b t-field="o.amount"/>|<i t-field="o.moment" t-options-widget="\'date\'"/>|'
        '<s t-field="o.target_id"/>|<u t-field="o.name"/></div>'
    )
    view = env["ir.ui.view"].create({"name": "fields", "type": "qweb", "arch": arch})
    out = env["ir.qweb"].with_context(tz="Europe/Brussels")._render(view.id, {"o": record})
    assert out == (
        "<div><b>1,250.00\u00a0€</b>|<i>2026-05-01</i>|<s>Azure</s>|"
        "<u>&lt;b&gt;Desk&lt;/b&gt;</u></div>"
    )
