"""Open activities follow the customers: a reassignment or a revocation hands the previous
actor's activities on the customer and on its orders to the heir, and leaves everyone else's
(and the activities on other customers) alone; a reassignment's statements do not grow with the
customer's history."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import SUPERUSER_ID, api


@pytest.fixture
def desk(env, make_user, make_account, add_member, make_customer, assign):
    alice, bob, boss, carol = (make_user(name) for name in ("alice", "bob", "boss", "carol"))
    account = make_account("north", "assigned_only")
    membership = add_member(account, alice)
    add_member(account, bob)
    add_member(account, boss, "manager")
    customers = [make_customer(f"Customer {i}", account) for i in range(3)]
    for customer in customers[:2]:
        assign(account, customer, alice)
    order = env["sale.order"].create({"partner_id": customers[0].id})

    def todo(record: Any, user: Any, summary: str) -> Any:
        return env["mail.activity"].create(
            {
                "res_model": record._name,
                "res_id": record.id,
                "user_id": user.id,
                "summary": summary,
                "activity_type_id": env.ref("mail.mail_activity_data_call").id,
            }
        )

    activities = {
        "alice on customer 0": todo(customers[0], alice, "call back"),
        "alice on the order": todo(order, alice, "send the quote"),
        "alice on customer 1": todo(customers[1], alice, "visit"),
        "carol on customer 0": todo(customers[0], carol, "carol's own"),
        "alice on customer 2": todo(customers[2], alice, "not hers to lose"),
    }
    env.flush_all()
    return account, alice, bob, boss, membership, customers, activities


def _owners(activities: dict[str, Any]) -> dict[str, str]:
    return {name: activity.user_id.login for name, activity in activities.items()}


def test_reassignment_hands_the_actors_activities_to_the_new_actor(env, desk) -> None:
    account, _alice, bob, boss, _membership, customers, activities = desk
    env["sa.customer.assignment"].with_user(boss).assign(account.id, customers[0].id, bob.id)
    assert _owners(activities) == {
        "alice on customer 0": "bob",
        "alice on the order": "bob",
        "alice on customer 1": "alice",
        "carol on customer 0": "carol",
        "alice on customer 2": "alice",
    }


def test_revocation_to_the_default_actor(env, desk) -> None:
    account, _alice, bob, boss, membership, _customers, activities = desk
    account.write({"revocation_policy": "default_actor", "default_actor_id": bob.id})
    membership.with_user(boss).action_revoke("moved on")
    assert _owners(activities) == {
        "alice on customer 0": "bob",
        "alice on the order": "bob",
        "alice on customer 1": "bob",
        "carol on customer 0": "carol",
        "alice on customer 2": "alice",
    }


def test_revocation_left_unassigned_gives_them_to_the_revoking_manager(env, desk) -> None:
    _account, _alice, _bob, boss, membership, customers, activities = desk
    membership.with_user(boss).action_revoke()
    assert not customers[0].x_actor_id
    owners = _owners(activities)
    assert owners["alice on customer 0"] == owners["alice on customer 1"] == "boss"
    assert owners["alice on the order"] == "boss"
    assert owners["carol on customer 0"] == "carol"
    assert owners["alice on customer 2"] == "alice"


def test_revocation_left_unassigned_prefers_a_valid_default_actor(env, desk) -> None:
    account, _alice, bob, boss, membership, _customers, activities = desk
    account.default_actor_id = bob
    membership.with_user(boss).action_revoke()
    assert _owners(activities)["alice on customer 1"] == "bob"


def test_revocation_by_the_superuser_gives_them_to_the_nearest_manager(
    env, desk, make_account, make_user, add_member
) -> None:
    account, _alice, _bob, boss, membership, _customers, activities = desk
    seed = make_account("seed")
    add_member(seed, make_user("seedboss"), "manager")
    account.parent_id = seed
    system = api.Environment(env.cr, SUPERUSER_ID, {})
    membership.with_env(system).action_revoke()
    assert _owners(activities)["alice on customer 0"] == boss.login


def test_reassignment_statements_do_not_grow_with_the_history(env, desk, assert_query_count):
    account, alice, bob, boss, _membership, customers, _activities = desk
    Assignment = env["sa.customer.assignment"].with_user(boss)

    def reassign_counted(user: Any) -> int:
        env.flush_all()
        with assert_query_count(200, at_most=True) as statements:
            Assignment.assign(account.id, customers[0].id, user.id)
            env.flush_all()
        return len(statements)

    reassign_counted(bob)  # warms the caches
    short_history = reassign_counted(alice)
    for _ in range(6):  # a long history: 12 more assignments of the same customer
        reassign_counted(bob)
        reassign_counted(alice)
    assert len(env["sa.customer.assignment"].search([("partner_id", "=", customers[0].id)])) > 12
    reassign_counted(bob)
    assert reassign_counted(alice) == short_history
