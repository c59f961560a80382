"""The sale order form's ``onchange`` (Odoo 17): a line's product fills its price, quantities
change the subtotals and the order's total, bad values are client errors, nothing is written;
also over JSON-2 as the salesman, who needs read access on orders."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import InvalidArgument
from erplite.sql import count_queries
from tests.modules.orders import test_rest

rest_db = test_rest.rest_db
app = test_rest.app
client = test_rest.client
rest = test_rest.rest

LINE_SPEC = {
    "product_id": {},
    "product_uom_qty": {},
    "price_unit": {},
    "price_subtotal": {},
    "price_total": {},
}
ORDER_SPEC = {
    "partner_id": {},
    "amount_untaxed": {},
    "amount_total": {},
    "order_line": {"fields": LINE_SPEC},
}


def _writes(statements) -> list[str]:
    texts = [s.as_string(None) if hasattr(s, "as_string") else str(s) for s in statements]
    return [t for t in texts if t.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_changing_a_lines_product_fills_its_price(env, customer, desk):
    env.flush_all()
    with count_queries() as statements:
        result = env["sale.order.line"].onchange(
            {"product_id": desk.id, "product_uom_qty": 3, "price_unit": 0.0},
            ["product_id"],
            LINE_SPEC,
        )
    assert _writes(statements) == []
    value = result["value"]
    assert value["price_unit"] == 100.0
    assert value["price_subtotal"] == 300.0
    assert value["price_total"] == pytest.approx(330.0)  # VAT 10


def test_quantities_change_subtotals_and_the_total(env, customer, desk, chair):
    env.flush_all()
    lines = [
        Command.create({"product_id": desk.id, "product_uom_qty": 2}),
        Command.create({"product_id": chair.id, "product_uom_qty": 1}),
    ]
    with count_queries() as statements:
        result = env["sale.order"].onchange(
            {"partner_id": customer.id, "order_line": lines}, ["order_line"], ORDER_SPEC
        )
    assert _writes(statements) == []
    value = result["value"]
    assert value["amount_untaxed"] == 250.0
    assert value["amount_total"] == pytest.approx(280.0)  # 200 + 10% and 50 + 20%
    assert [cmd[2]["price_subtotal"] for cmd in value["order_line"][1:]] == [200.0, 50.0]
    assert env["sale.order"].search_count([("partner_id", "=", customer.id)]) == 0


def test_existing_order_recomputes_an_edited_line_without_writing(env, customer, desk):
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": desk.id, "product_uom_qty": 1})],
        }
    )
    line = order.order_line
    env.flush_all()
    with count_queries() as statements:
        result = order.onchange(
            {"order_line": [Command.update(line.id, {"product_uom_qty": 5})]},
            ["order_line"],
            ORDER_SPEC,
        )
    assert _writes(statements) == []
    assert result["value"]["amount_untaxed"] == 500.0
    assert result["value"]["order_line"][1][:2] == (1, line.id)
    order.invalidate_recordset()
    line.invalidate_recordset()
    assert line.product_uom_qty == 1.0 and order.amount_untaxed == 100.0


def test_invalid_values_are_client_errors(env, desk):
    with pytest.raises(InvalidArgument, match="no_such_field"):
        env["sale.order.line"].onchange({"no_such_field": 1}, ["no_such_field"], LINE_SPEC)
    with pytest.raises(ValueError, match="product_uom_qty"):
        env["sale.order.line"].onchange({"product_uom_qty": "many"}, ["product_uom_qty"], LINE_SPEC)


def _count_orders(rest_db) -> int:
    with rest_db.env() as env:
        return env["sale.order"].search_count([])


def test_onchange_over_json2_as_the_salesman(rest, rest_db):
    before = _count_orders(rest_db)
    status, body, _ = rest.post(
        "/json/2/sale.order/onchange",
        {
            "ids": [],
            "values": {
                "partner_id": rest_db.ids["customer"],
                "order_line": [[0, 0, {"product_id": rest_db.ids["desk"], "product_uom_qty": 2}]],
            },
            "field_names": ["order_line"],
            "fields_spec": ORDER_SPEC,
        },
    )
    assert status == 200, body
    assert body["value"]["amount_untaxed"] == 200.0
    status, body, _ = rest.post(
        "/json/2/sale.order/onchange",
        {"ids": [], "values": {"bogus": 1}, "field_names": [], "fields_spec": {}},
    )
    assert status == 400, body
    assert "bogus" in str(body)
    status, body, _ = rest.as_("plain").post(
        "/json/2/sale.order/onchange",
        {"ids": [], "values": {}, "field_names": [], "fields_spec": {"amount_total": {}}},
    )
    assert status == 403, body
    assert _count_orders(rest_db) == before
