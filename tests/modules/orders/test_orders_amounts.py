"""Order lines: what the product proposes, and the amounts (taxes, discounts) recomputed on
every change of a line, down to the order's totals."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import ValidationError


def test_line_takes_description_price_and_taxes_from_the_product(make_order, desk, tax10):
    line = make_order().order_line
    assert line.name == "[DESK] Desk"
    assert line.price_unit == 100.0
    assert line.tax_id == tax10
    assert line.product_uom_qty == 1.0


def test_totals_with_taxes_and_discount(env, customer, desk, chair):
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                Command.create({"product_id": desk.id, "product_uom_qty": 3}),  # 300 + 10%
                Command.create({"product_id": chair.id, "product_uom_qty": 4, "discount": 25.0}),
            ],
        }
    )
    desk_line, chair_line = order.order_line
    assert (desk_line.price_subtotal, desk_line.price_tax, desk_line.price_total) == (
        300.0,
        30.0,
        330.0,
    )
    # 4 x 50 - 25% = 150, + 20% = 180
    assert (chair_line.price_subtotal, chair_line.price_tax, chair_line.price_total) == (
        150.0,
        30.0,
        180.0,
    )
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (450.0, 60.0, 510.0)


def test_amounts_follow_every_change_of_a_line(env, make_order, chair, tax20):
    order = make_order(quantity=2)
    line = order.order_line
    assert order.amount_total == 220.0
    line.product_uom_qty = 5
    assert (order.amount_untaxed, order.amount_total) == (500.0, 550.0)
    line.discount = 10.0
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (450.0, 45.0, 495.0)
    line.price_unit = 80.0
    assert order.amount_untaxed == 360.0
    line.tax_id = tax20
    assert (order.amount_tax, order.amount_total) == (72.0, 432.0)
    line.tax_id = False
    assert (order.amount_tax, order.amount_total) == (0.0, 360.0)
    order.write({"order_line": [Command.create({"product_id": chair.id})]})  # 50 + 20%
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (410.0, 10.0, 420.0)
    line.unlink()
    assert (order.amount_untaxed, order.amount_total) == (50.0, 60.0)


def test_amounts_are_stored(env, make_order):
    order = make_order(quantity=7)
    env.flush_all()
    env.cr.execute(
        "SELECT amount_untaxed, amount_tax, amount_total FROM sale_order WHERE id = %s", [order.id]
    )
    assert [float(value) for value in env.cr.fetchone()] == [700.0, 70.0, 770.0]
    env.cr.execute(
        "SELECT price_subtotal, price_tax, price_total FROM sale_order_line WHERE order_id = %s",
        [order.id],
    )
    assert [float(value) for value in env.cr.fetchone()] == [700.0, 70.0, 770.0]
    assert env["sale.order"].search([("amount_total", "=", 770.0), ("id", "=", order.id)]) == order


def test_values_given_for_a_line_win_over_the_product(env, customer, desk, tax20):
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": desk.id,
                        "name": "Desk, oak",
                        "price_unit": 90.0,
                        "tax_id": [Command.set(tax20.ids)],
                    }
                )
            ],
        }
    )
    line = order.order_line
    assert (line.name, line.price_unit, line.tax_id) == ("Desk, oak", 90.0, tax20)
    assert order.amount_total == 108.0


def test_changing_the_product_proposes_its_values_again(make_order, chair, tax20):
    order = make_order()
    line = order.order_line
    line.price_unit = 70.0
    line.product_id = chair
    assert (line.name, line.price_unit, line.tax_id) == ("Chair", 50.0, tax20)
    assert order.amount_total == 60.0
    line.write({"product_id": order.order_line.product_id.id, "price_unit": 45.0})
    assert line.price_unit == 45.0


def test_line_without_product(env, customer):
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [Command.create({"name": "Travel expenses", "price_unit": 120.0})],
        }
    )
    assert order.order_line.tax_id.ids == []
    assert order.amount_total == 120.0


def test_line_keeps_only_the_taxes_of_its_company(env, customer, company, company_b, tax10):
    tax_b = env["account.tax"].create({"name": "B 21", "amount": 21.0, "company_id": company_b.id})
    shared = env["product.product"].create(
        {
            "name": "Shared lamp",
            "list_price": 10.0,
            "taxes_id": [Command.set((tax10 | tax_b).ids)],
        }
    )
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "company_id": company.id,
            "order_line": [Command.create({"product_id": shared.id})],
        }
    )
    assert order.order_line.tax_id == tax10
    order_b = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "company_id": company_b.id,
            "order_line": [Command.create({"product_id": shared.id})],
        }
    )
    assert order_b.order_line.tax_id == tax_b
    assert order_b.amount_total == 12.1


def test_line_company_and_currency_come_from_the_order(make_order, company):
    order = make_order()
    assert order.currency_id == company.currency_id
    assert order.order_line.company_id == company
    assert order.order_line.currency_id == company.currency_id


def test_discount_is_a_percentage(make_order):
    line = make_order().order_line
    with pytest.raises(ValidationError, match="between 0 and 100"):
        line.discount = 120.0
