"""Lifecycle side effects: revoking a membership (visibility lost at once, assignments expired
and handed to the default actor or left unassigned), who may govern, and plain customers."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError, UserError


@pytest.fixture
def team(env, make_user, make_account, add_member, make_customer, assign):
    alice, bob, boss = make_user("alice"), make_user("bob"), make_user("boss")
    account = make_account("north", "assigned_only", default_actor_id=bob.id)
    membership = add_member(account, alice)
    add_member(account, bob)
    add_member(account, boss, "manager")
    customers = [make_customer(f"Customer {i}", account) for i in range(3)]
    for customer in customers[:2]:
        assign(account, customer, alice)
    env.flush_all()
    return account, alice, bob, boss, membership, customers


def test_revoke_left_unassigned(env: Any, team: Any) -> None:
    account, alice, _bob, _boss, membership, customers = team
    Partner = env["res.partner"].with_user(alice)
    assert len(Partner.search([("id", "in", [c.id for c in customers])])) == 2
    membership.action_revoke("left the company")
    assert membership.state == "revoked" and membership.revoke_reason == "left the company"
    assert not Partner.search([("id", "in", [c.id for c in customers])])
    history = env["sa.customer.assignment"].search([("account_id", "=", account.id)])
    assert history.mapped("state") == ["expired", "expired"]
    assert set(history.mapped("close_reason")) == {"membership revoked: left the company"}
    assert [(c.x_sa_id, c.x_actor_id.id) for c in customers[:2]] == [(account, False)] * 2


def test_revoke_hands_to_the_default_actor(env: Any, team: Any) -> None:
    account, alice, bob, _boss, membership, customers = team
    account.revocation_policy = "default_actor"
    membership.action_revoke()
    active = env["sa.customer.assignment"].search(
        [("account_id", "=", account.id), ("state", "=", "active")]
    )
    assert active.mapped("user_id") == bob and len(active) == 2
    assert {c.x_actor_id for c in customers[:2]} == {bob}
    assert env["res.partner"].with_user(bob).search([("id", "=", customers[0].id)])


def test_revoke_by_a_manager_but_not_by_an_agent(env: Any, team: Any) -> None:
    _account, alice, bob, boss, membership, _customers = team
    with pytest.raises(AccessError, match="Only a manager"):
        membership.with_user(bob).action_revoke()
    membership.with_user(boss).action_revoke()
    assert membership.state == "revoked" and membership.revoked_by_id == boss
    with pytest.raises(UserError, match="already revoked"):
        membership.action_revoke()


def test_membership_is_never_deleted_nor_revoked_by_write(env: Any, team: Any) -> None:
    membership = team[4]
    with pytest.raises(UserError, match="never deleted"):
        membership.unlink()
    with pytest.raises(UserError, match="action 'Revoke'"):
        membership.write({"state": "revoked"})


def test_expired_membership_gives_no_visibility(env, team, make_user, add_member) -> None:
    account, _alice, _bob, _boss, _membership, customers = team
    account.visibility_policy = "sa_wide"
    carol = make_user("carol")
    add_member(account, carol, date_from="2020-01-01", date_to="2020-12-31")
    assert not env["res.partner"].with_user(carol).search([("id", "=", customers[2].id)])


def test_agent_cannot_assign_a_manager_can(env, team) -> None:
    account, alice, bob, boss, _membership, customers = team
    Assignment = env["sa.customer.assignment"]
    with pytest.raises(AccessError, match="Only a manager"):
        Assignment.with_user(alice).assign(account.id, customers[2].id, alice.id)
    new_id = Assignment.with_user(boss).assign(account.id, customers[2].id, bob.id, "new lead")
    assert Assignment.browse(new_id).opened_by_id == boss


def test_reassigned_customer_disappears_from_the_previous_actor(env, team) -> None:
    account, alice, bob, boss, _membership, customers = team
    Partner = env["res.partner"].with_user(alice)
    assert Partner.search([("id", "=", customers[0].id)])
    env["sa.customer.assignment"].with_user(boss).assign(account.id, customers[0].id, bob.id)
    assert not Partner.search([("id", "=", customers[0].id)])


def test_plain_customer_is_not_governed(env, make_user, make_customer) -> None:
    nobody = make_user("nobody")
    plain = make_customer("Plain")
    assert env["res.partner"].with_user(nobody).search([("id", "=", plain.id)]) == plain
    assert not env["sa.customer.assignment"].search([("partner_id", "=", plain.id)])
