"""The approval workflow: every transition of the table, every refusal, the threshold, who
may approve, the history, and the frozen lines of confirmed orders."""

from __future__ import annotations

import datetime

import pytest

from erplite import Command
from erplite.exceptions import AccessError, UserError

STATES = ("draft", "sent", "to_approve", "sale", "cancel")
LABELS = {
    "draft": "Quotation",
    "sent": "Quotation Sent",
    "to_approve": "To Approve",
    "sale": "Sales Order",
    "cancel": "Cancelled",
}
#: action -> (states it is allowed from, state it leads to); action_confirm is under threshold
ALLOWED = {
    "action_quotation_sent": ({"draft"}, "sent"),
    "action_confirm": ({"draft", "sent"}, "sale"),
    "action_approve": ({"to_approve"}, "sale"),
    "action_reject": ({"to_approve"}, "draft"),
    "action_cancel": ({"draft", "sent", "to_approve", "sale"}, "cancel"),
    "action_draft": ({"sent", "cancel"}, "draft"),
}


def bring_to(order, state):
    """Move a small (under threshold) quotation to ``state`` through the workflow."""
    if state == "sent":
        order.action_quotation_sent()
    elif state == "to_approve":
        order.company_id.so_double_validation_amount = 0.0
        order.action_confirm()
        order.company_id.so_double_validation_amount = 5000.0
    elif state == "sale":
        order.action_confirm()
    elif state == "cancel":
        order.action_cancel()
    assert order.state == state
    return order


@pytest.mark.parametrize(
    "action, source",
    [
        (action, source)
        for action, (sources, _target) in ALLOWED.items()
        for source in sorted(sources)
    ],
)
def test_every_allowed_transition(make_order, action, source):
    order = bring_to(make_order(), source)
    getattr(order, action)()
    assert order.state == ALLOWED[action][1]
    last = order.history_ids[-1]
    assert (last.from_state, last.to_state) == (source, ALLOWED[action][1])


@pytest.mark.parametrize(
    "action, source",
    [
        (action, source)
        for action, (sources, _target) in ALLOWED.items()
        for source in STATES
        if source not in sources
    ],
)
def test_every_refused_transition_names_both_states(make_order, action, source):
    order = bring_to(make_order(), source)
    history = len(order.history_ids)
    target = ALLOWED[action][1]
    with pytest.raises(UserError) as info:
        getattr(order, action)()
    message = str(info.value)
    assert order.name in message
    assert f"from {LABELS[source]} to {LABELS[target]}" in message
    assert order.state == source
    assert len(order.history_ids) == history


def test_confirm_under_the_threshold_confirms(make_order, company):
    order = make_order(quantity=10)  # 1,100
    assert order.amount_total < company.so_double_validation_amount
    order.action_confirm()
    assert order.state == "sale"
    assert order.history_ids.step == "confirm"


def test_confirm_over_the_threshold_waits_for_approval(make_order, company):
    order = make_order(quantity=50)  # 5,500
    order.action_confirm()
    assert order.state == "to_approve"
    assert order.history_ids.mapped("step") == ["submit"]


def test_the_threshold_itself_needs_approval(make_order, company):
    company.so_double_validation_amount = 1100.0
    order = make_order(quantity=10)  # exactly 1,100 taxes included
    order.action_confirm()
    assert order.state == "to_approve"


def test_confirm_several_orders_each_by_its_total(make_order):
    small, big = make_order(quantity=1), make_order(quantity=100)
    (small | big).action_confirm()
    assert (small.state, big.state) == ("sale", "to_approve")


def test_confirming_a_mixed_batch_changes_nothing_when_one_is_refused(make_order):
    ok, cancelled = make_order(), bring_to(make_order(), "cancel")
    with pytest.raises(UserError, match="from Cancelled to Sales Order"):
        (ok | cancelled).action_confirm()
    assert ok.state == "draft"


def test_each_company_has_its_own_threshold(env, make_order, company_b, customer):
    company_b.so_double_validation_amount = 100.0
    order_b = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "company_id": company_b.id,
            "order_line": [Command.create({"name": "Service", "price_unit": 150.0})],
        }
    )
    order_a = make_order(quantity=2)  # 220, under the main company's 5,000
    (order_a | order_b).action_confirm()
    assert (order_a.state, order_b.state) == ("sale", "to_approve")


def test_new_companies_get_the_default_threshold(env):
    assert env["res.company"].create({"name": "Fresh Co"}).so_double_validation_amount == 5000.0


def test_salesman_cannot_approve_nor_reject(env, make_order, salesman):
    order = make_order(quantity=50, user_id=salesman.id)
    order.with_user(salesman).action_confirm()
    assert order.state == "to_approve"
    with pytest.raises(AccessError, match="Only a Sales Manager"):
        order.with_user(salesman).action_approve()
    with pytest.raises(AccessError, match="Only a Sales Manager"):
        order.with_user(salesman).action_reject()
    assert order.state == "to_approve"


def test_manager_approves_and_the_history_says_who_and_when(env, make_order, salesman, manager):
    order = make_order(quantity=50, user_id=salesman.id)
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    order.with_user(salesman).action_confirm()
    order.with_user(manager).action_approve()
    assert order.state == "sale"
    submit, approve = order.history_ids
    assert (submit.step, submit.user_id, submit.from_state, submit.to_state) == (
        "submit",
        salesman,
        "draft",
        "to_approve",
    )
    assert (approve.step, approve.user_id, approve.from_state, approve.to_state) == (
        "approve",
        manager,
        "to_approve",
        "sale",
    )
    assert approve.date >= before
    assert order.date_order >= before


def test_manager_rejects_back_to_quotation(make_order, manager):
    order = make_order(quantity=50)
    order.action_confirm()
    order.with_user(manager).action_reject()
    assert order.state == "draft"
    assert order.history_ids[-1].user_id == manager
    order.order_line.product_uom_qty = 10  # editable again
    order.action_confirm()
    assert order.state == "sale"


def test_users_cannot_write_the_history(make_order, salesman, manager):
    order = make_order(user_id=salesman.id)
    order.with_user(salesman).action_confirm()
    entry = order.history_ids
    assert entry.with_user(salesman).read(["step"])[0]["step"] == "confirm"
    for user in (salesman, manager):
        with pytest.raises(AccessError):
            entry.with_user(user).write({"user_id": user.id})


@pytest.mark.parametrize("state", ["to_approve", "sale"])
def test_lines_of_a_confirmed_order_cannot_change(env, make_order, chair, state):
    order = bring_to(make_order(), state)
    line = order.order_line
    with pytest.raises(UserError, match=f"lines of {order.name} cannot be changed"):
        line.product_uom_qty = 3
    with pytest.raises(UserError, match="cannot be changed"):
        order.write({"order_line": [Command.create({"product_id": chair.id})]})
    with pytest.raises(UserError, match="cannot be changed"):
        env["sale.order.line"].create({"order_id": order.id, "product_id": chair.id})
    with pytest.raises(UserError, match="cannot be changed"):
        line.unlink()
    assert order.order_line == line and line.product_uom_qty == 1.0


def test_lines_can_change_again_once_set_back_to_quotation(make_order):
    order = bring_to(make_order(), "sale")
    order.action_cancel()
    order.action_draft()
    order.order_line.product_uom_qty = 4
    assert order.amount_total == 440.0


def test_only_quotations_and_cancelled_orders_can_be_deleted(make_order):
    order = bring_to(make_order(), "sale")
    with pytest.raises(UserError, match="Cancel it first"):
        order.unlink()
    order.action_cancel()
    order.unlink()
    assert not order.exists()
    draft = make_order()
    draft.unlink()
    assert not draft.exists()
