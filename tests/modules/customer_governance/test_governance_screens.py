"""The screens of governance: every view loads (its fields exist, its inheritance applies), the
menus open their actions, and the two dialogs (``sa.customer.reassign``,
``sa.membership.revoke``) do what their buttons say, with the user's rights."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError, UserError

ACTIONS = (
    "customer_governance.sa_account_action",
    "customer_governance.sa_membership_action",
    "customer_governance.sa_customer_assignment_action",
    "customer_governance.action_governed_customers",
    "customer_governance.sa_customer_reassign_action",
    "customer_governance.sa_membership_revoke_action",
)


@pytest.mark.parametrize("xml_id", ACTIONS)
def test_each_action_and_its_views_load(env: Any, xml_id: str) -> None:
    action = env.ref(xml_id)
    views = [(False, mode) for mode in action.view_mode.split(",")]
    result = env[action.res_model].get_views(views + [(False, "search")], {})
    assert set(result["views"]) == {mode for _id, mode in views} | {"search"}
    for description in result["views"].values():
        assert description["arch"].strip().startswith("<")


def test_customer_form_has_the_reassign_button_and_history(env: Any) -> None:
    arch = env["res.partner"].get_views([(False, "form")], {})["views"]["form"]["arch"]
    assert 'name="%(customer_governance.sa_customer_reassign_action)d"' in arch
    assert 'type="action"' in arch
    assert 'name="x_assignment_ids"' in arch and 'name="x_sa_id"' in arch


def test_menus_lead_to_the_actions(env: Any) -> None:
    root = env.ref("customer_governance.governance_menu_root")
    children = env["ir.ui.menu"].search([("parent_id", "=", root.id)])
    assert {menu.name for menu in children} == {
        "Governed Customers",
        "Assignment History",
        "Service Accounts",
        "Members",
    }


@pytest.fixture
def desk(env, make_user, make_account, add_member, make_customer, assign):
    alice, bob, boss = make_user("alice"), make_user("bob"), make_user("boss")
    account = make_account("north", "assigned_only")
    membership = add_member(account, alice)
    add_member(account, bob)
    add_member(account, boss, "manager")
    customer = make_customer("Governed Co", account)
    assign(account, customer, alice)
    env.flush_all()
    return account, alice, bob, boss, membership, customer


def _reassign_dialog(env: Any, user: Any, customer: Any, **values: Any) -> Any:
    Wizard = env["sa.customer.reassign"].with_user(user)
    context = {"active_model": "res.partner", "active_id": customer.id}
    defaults = Wizard.with_context(context).default_get(["partner_id"])
    return Wizard.create({**defaults, **values})


def test_reassign_dialog_reassigns_as_a_manager(env: Any, desk: Any) -> None:
    account, alice, bob, boss, _membership, customer = desk
    dialog = _reassign_dialog(env, boss, customer, user_id=bob.id, reason="holidays")
    assert dialog.partner_id == customer
    assert (dialog.account_id, dialog.current_actor_id) == (account, alice)
    assert dialog.action_reassign() == {"type": "ir.actions.act_window_close"}
    assert customer.x_actor_id == bob
    history = customer.x_assignment_ids.sorted("id")
    assert [(a.user_id, a.state) for a in history] == [(alice, "expired"), (bob, "active")]
    assert history[-1].open_reason == "holidays" and history[-1].opened_by_id == boss
    assert not env["res.partner"].with_user(alice).search([("id", "=", customer.id)])


def test_reassign_dialog_refusals(env: Any, desk: Any, make_customer: Any) -> None:
    _account, alice, bob, boss, _membership, customer = desk
    with pytest.raises(AccessError, match="Only a manager"):
        _reassign_dialog(env, alice, customer, user_id=bob.id).action_reassign()
    with pytest.raises(UserError, match="already assigned to"):
        _reassign_dialog(env, boss, customer, user_id=alice.id).action_reassign()
    plain = make_customer("Plain Co")
    with pytest.raises(UserError, match="not governed"):
        _reassign_dialog(env, boss, plain, user_id=bob.id).action_reassign()
    assert customer.x_actor_id == alice


def test_revoke_dialog(env: Any, desk: Any) -> None:
    account, alice, _bob, boss, membership, customer = desk
    Wizard = env["sa.membership.revoke"]
    context = {"active_model": "sa.membership", "active_id": membership.id}
    with pytest.raises(AccessError, match="Only a manager"):
        dialog = Wizard.with_user(alice).with_context(context).create({})
        dialog.action_revoke()
    dialog = Wizard.with_user(boss).with_context(context).create({"reason": "moved"})
    assert (dialog.account_id, dialog.user_id) == (account, alice)
    assert dialog.revocation_policy == "unassigned"
    dialog.action_revoke()
    assert membership.state == "revoked" and membership.revoke_reason == "moved"
    assert not customer.x_actor_id
