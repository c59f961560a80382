"""Who sees which orders: salespeople their own and the unassigned ones, managers all of them,
everyone only in their allowed companies."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import AccessError, UserError


@pytest.fixture
def orders(make_order, salesman, manager):
    return {
        "mine": make_order(user_id=salesman.id),
        "unassigned": make_order(user_id=False),
        "managers": make_order(user_id=manager.id),
    }


def test_salesman_sees_own_and_unassigned_orders(env, orders, salesman):
    Order = env["sale.order"].with_user(salesman)
    visible = Order.search([("id", "in", [o.id for o in orders.values()])])
    assert visible == orders["mine"] | orders["unassigned"]
    lines = (
        env["sale.order.line"]
        .with_user(salesman)
        .search([("order_id", "in", [o.id for o in orders.values()])])
    )
    assert lines.order_id == orders["mine"] | orders["unassigned"]
    assert Order.search_count([("id", "=", orders["managers"].id)]) == 0


def test_salesman_cannot_read_nor_change_others_orders(env, orders, salesman):
    theirs = orders["managers"]
    env.invalidate_all()
    with pytest.raises(AccessError):
        theirs.with_user(salesman).read(["name"])
    with pytest.raises(AccessError):
        theirs.with_user(salesman).write({"note": "mine now"})
    with pytest.raises(AccessError):
        theirs.order_line.with_user(salesman).write({"product_uom_qty": 2})
    with pytest.raises(AccessError):
        theirs.with_user(salesman).action_confirm()


def test_salesman_sells(env, salesman, customer, desk):
    Order = env["sale.order"].with_user(salesman)
    order = Order.create(
        {
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": desk.id, "product_uom_qty": 2})],
        }
    )
    assert order.user_id == salesman
    order.order_line.product_uom_qty = 3
    order.action_confirm()
    assert order.state == "sale"
    assert order.amount_total == 330.0


def test_salesman_cannot_delete_orders(env, salesman, orders):
    with pytest.raises(AccessError):
        orders["mine"].with_user(salesman).unlink()


def test_manager_sees_every_order(env, orders, manager):
    Order = env["sale.order"].with_user(manager)
    assert Order.search([("id", "in", [o.id for o in orders.values()])]) == (
        orders["mine"] | orders["unassigned"] | orders["managers"]
    )
    orders["mine"].with_user(manager).unlink()
    assert not orders["mine"].exists()


def test_internal_users_without_sales_rights_see_no_order(env, orders, make_user):
    user = make_user("clerk", "base.group_user")
    with pytest.raises(AccessError):
        env["sale.order"].with_user(user).search([])


def test_orders_of_other_companies_are_hidden_even_from_managers(
    env, make_user, company, company_b, customer, manager
):
    order_b = env["sale.order"].create(
        {"partner_id": customer.id, "company_id": company_b.id, "user_id": False}
    )
    order_a = env["sale.order"].create({"partner_id": customer.id, "user_id": False})
    ids = [order_a.id, order_b.id]
    assert env["sale.order"].with_user(manager).search([("id", "in", ids)]) == order_a
    both = make_user(
        "both", "sales_team.group_sale_manager", company=company, companies=company | company_b
    )
    Order = env["sale.order"].with_user(both)
    # without allowed_company_ids in the context: all the user's companies, as in Odoo 17
    assert Order.search([("id", "in", ids)]) == order_a | order_b
    allowed = Order.with_context(allowed_company_ids=[company.id, company_b.id])
    assert allowed.search([("id", "in", ids)]) == order_a | order_b
    only_b = Order.with_context(allowed_company_ids=[company_b.id])
    assert only_b.search([("id", "in", ids)]) == order_b
    assert (
        env["sale.order.line"].with_user(manager).search_count([("order_id", "=", order_b.id)]) == 0
    )


def test_customer_of_another_company_is_refused(env, company, company_b):
    customer_b = env["res.partner"].create({"name": "B customer", "company_id": company_b.id})
    with pytest.raises(UserError, match="Incompatible companies"):
        env["sale.order"].create({"partner_id": customer_b.id, "company_id": company.id})


def test_product_of_another_company_is_refused_on_a_line(env, make_order, company_b):
    product_b = env["product.product"].create({"name": "B only", "company_id": company_b.id})
    order = make_order()
    with pytest.raises(UserError, match="Incompatible companies"):
        order.write({"order_line": [Command.create({"product_id": product_b.id})]})
