"""The amounts of order lines and orders are rounded to the currency: a line's tax is not the
float difference of two rounded totals (``43.93 - 38.2`` is ``5.729999999999997``)."""

from __future__ import annotations

from typing import Any

from erplite import Command


def test_line_tax_amounts_are_rounded_to_the_currency(env: Any, customer: Any, company: Any):
    tax15 = env["account.tax"].create({"name": "VAT 15", "amount": 15.0, "company_id": company.id})
    tax21 = env["account.tax"].create({"name": "VAT 21", "amount": 21.0, "company_id": company.id})
    lamp = env["product.product"].create({"name": "Lamp", "list_price": 38.2})
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                Command.create(
                    {"product_id": lamp.id, "price_unit": 38.2, "tax_id": [Command.set(tax15.ids)]}
                ),
                Command.create(
                    {"product_id": lamp.id, "price_unit": 57.6, "tax_id": [Command.set(tax21.ids)]}
                ),
            ],
        }
    )
    first, second = order.order_line
    assert (first.price_subtotal, first.price_tax, first.price_total) == (38.2, 5.73, 43.93)
    assert (second.price_subtotal, second.price_tax, second.price_total) == (57.6, 12.1, 69.7)
    assert repr(first.price_tax) == "5.73" and repr(second.price_tax) == "12.1"
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (95.8, 17.83, 113.63)
    env.flush_all()
    env.invalidate_all()
    [row] = order.read(["amount_tax", "amount_total"])
    assert (row["amount_tax"], row["amount_total"]) == (17.83, 113.63)
    [line] = first.read(["price_tax"])
    assert repr(line["price_tax"]) == "5.73"
