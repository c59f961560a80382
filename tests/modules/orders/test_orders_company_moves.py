"""Issue 10, finding 3: an order (or a line) cannot be moved to a company its user cannot
access, and Odoo 17's ``_check_company`` consistency holds for the lines: their product, their
taxes and their order belong to one company. The same refusals through the external APIs
are in ``tests/security/test_company_moves_apis.py``."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import AccessError, UserError


@pytest.fixture
def both(make_user, company, company_b):
    """A Sales Manager of both companies."""
    return make_user(
        "both_companies",
        "sales_team.group_sale_manager",
        company=company,
        companies=company | company_b,
    )


@pytest.fixture
def tax_b(env, company_b):
    return env["account.tax"].create({"name": "VAT B", "amount": 5.0, "company_id": company_b.id})


@pytest.fixture
def product_b(env, company_b):
    return env["product.product"].create({"name": "B only", "company_id": company_b.id})


def test_a_salesperson_cannot_move_their_order_to_another_company(
    env, make_order, salesman, company, company_b
):
    order = make_order(user_id=salesman.id)
    with pytest.raises(AccessError):
        order.with_user(salesman).write({"company_id": company_b.id})
    env.invalidate_all()
    assert order.company_id == company  # the refusal undid the write
    # as create refuses it
    with pytest.raises(AccessError):
        env["sale.order"].with_user(salesman).create(
            {"partner_id": order.partner_id.id, "company_id": company_b.id}
        )
    # the order is still the salesperson's to change
    order.with_user(salesman).write({"client_order_ref": "still mine"})
    assert order.client_order_ref == "still mine"


def test_a_manager_cannot_move_an_order_to_a_company_not_allowed_now(
    env, make_order, both, company, company_b, customer
):
    order = env["sale.order"].create({"partner_id": customer.id, "user_id": False})
    only_a = env["sale.order"].with_user(both).with_context(allowed_company_ids=[company.id])
    with pytest.raises(AccessError):
        only_a.browse(order.id).write({"company_id": company_b.id})
    env.invalidate_all()
    assert order.company_id == company
    # with both companies allowed, the move is a plain write (nothing of company A on it)
    both_allowed = only_a.with_context(allowed_company_ids=[company.id, company_b.id])
    both_allowed.browse(order.id).write({"company_id": company_b.id})
    assert order.company_id == company_b


def test_moving_an_order_checks_its_lines(env, make_order, both, company, company_b, customer):
    product_a = env["product.product"].create({"name": "A only", "company_id": company.id})
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "user_id": False,
            "order_line": [Command.create({"product_id": product_a.id})],
        }
    )
    Orders = (
        env["sale.order"]
        .with_user(both)
        .with_context(allowed_company_ids=[company.id, company_b.id])
    )
    with pytest.raises(UserError, match=r"(?s)Incompatible companies.*product_id"):
        Orders.browse(order.id).write({"company_id": company_b.id})
    # a line of shared products follows: its taxes are those of the new company (none)
    shared = make_order()
    Orders.browse(shared.id).write({"company_id": company_b.id})
    assert shared.order_line.company_id == company_b and not shared.order_line.tax_id


def test_a_line_cannot_take_a_product_or_tax_of_another_company(
    env, make_order, salesman, product_b, tax_b, desk
):
    order = make_order(user_id=salesman.id)
    line = order.order_line.with_user(salesman)
    with pytest.raises(UserError, match=r"(?s)Incompatible companies.*product_id"):
        line.write({"product_id": product_b.id})
    with pytest.raises(UserError, match=r"(?s)Incompatible companies.*tax_id"):
        line.write({"tax_id": [Command.set(tax_b.ids)]})
    with pytest.raises(UserError, match=r"(?s)Incompatible companies.*tax_id"):
        env["sale.order.line"].with_user(salesman).create(
            {"order_id": order.id, "product_id": desk.id, "tax_id": [Command.set(tax_b.ids)]}
        )


def test_a_line_cannot_move_to_an_order_of_another_company(
    env, make_order, both, company, company_b, customer
):
    product_a = env["product.product"].create({"name": "A only", "company_id": company.id})
    order_a = make_order()
    order_a.write({"order_line": [Command.create({"product_id": product_a.id})]})
    order_b = env["sale.order"].create(
        {"partner_id": customer.id, "company_id": company_b.id, "user_id": False}
    )
    line = (
        order_a.order_line[-1:]
        .with_user(both)
        .with_context(allowed_company_ids=[company.id, company_b.id])
    )
    # its product is company A's: it does not fit an order of company B
    with pytest.raises(UserError, match=r"(?s)Incompatible companies.*product_id"):
        line.write({"order_id": order_b.id})
    # and to a user of company A only, company B is out of reach
    only_a = order_a.order_line[:1].with_user(both).with_context(allowed_company_ids=[company.id])
    with pytest.raises(AccessError):
        only_a.write({"order_id": order_b.id})
    env.invalidate_all()
    assert len(order_a.order_line) == 2 and order_a.order_line.order_id == order_a
