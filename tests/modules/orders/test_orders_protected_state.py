"""``sale.order.state`` is a protected field: outside a superuser environment it changes only
through the workflow's actions (issue 10, finding 1). The same refusals through the external
APIs are in ``tests/security/test_workflow_state_apis.py``."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError


def test_state_is_declared_protected(env):
    assert "state" in env["sale.order"]._protected_names


def test_salesperson_cannot_skip_the_approval_by_write(env, make_order, salesman):
    order = make_order(60, user_id=salesman.id)  # 6,600 >= 5,000
    order.with_user(salesman).action_confirm()
    assert order.state == "to_approve"
    with pytest.raises(AccessError, match=r"'Status' \(state\) of Sales Order \(sale\.order\)"):
        order.with_user(salesman).write({"state": "sale"})
    env.invalidate_all()
    assert order.state == "to_approve"
    assert order.history_ids.mapped("step") == ["submit"]


@pytest.mark.parametrize("who", ["salesman", "manager"])
def test_a_sales_order_cannot_go_back_to_draft_by_write(env, make_order, salesman, manager, who):
    order = make_order(user_id=salesman.id)
    order.with_user(salesman).action_confirm()
    assert order.state == "sale"
    user = salesman if who == "salesman" else manager
    with pytest.raises(AccessError, match=r"\(state\)"):
        order.with_user(user).write({"state": "draft", "client_order_ref": "reopened"})
    env.invalidate_all()
    assert (order.state, order.client_order_ref) == ("sale", False)


def test_create_starts_as_a_quotation_only(env, salesman, customer):
    Orders = env["sale.order"].with_user(salesman)
    with pytest.raises(AccessError, match=r"\(state\)"):
        Orders.create({"partner_id": customer.id, "state": "sale"})
    with pytest.raises(AccessError, match=r"\(state\)"):
        Orders.with_context(default_state="to_approve").create({"partner_id": customer.id})
    assert Orders.create({"partner_id": customer.id, "state": "draft"}).state == "draft"


def test_every_step_still_works_for_who_may_take_it(env, make_order, salesman, manager):
    order = make_order(60, user_id=salesman.id)
    order.with_user(salesman).action_confirm()
    order.with_user(manager).action_reject()
    order.with_user(salesman).action_quotation_sent()
    order.with_user(salesman).action_cancel()
    order.with_user(salesman).action_draft()
    assert order.state == "draft"
    assert order.history_ids.mapped("step") == ["submit", "reject", "send", "cancel", "draft"]
    assert set(order.history_ids.mapped("user_id").ids) == {salesman.id, manager.id}
    assert order.write_uid == salesman  # the superuser write of the state keeps the user


def test_a_step_on_an_order_the_user_may_not_change_is_refused(
    env, make_order, salesman, make_user
):
    other = make_user("other_salesman", "sales_team.group_sale_salesman")
    order = make_order(user_id=other.id)
    with pytest.raises(AccessError):
        order.with_user(salesman).action_quotation_sent()
    env.invalidate_all()
    assert order.state == "draft" and not order.history_ids
