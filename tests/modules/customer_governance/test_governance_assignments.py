"""Assignments: at most one active per SA and customer (Python and the partial unique index),
reassignment expires then opens in one transaction, history never rewritten, stamps follow."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from erplite.exceptions import UserError, ValidationError
from erplite.sql import SQL


@pytest.fixture
def setup(env: Any, make_user: Any, make_account: Any, add_member: Any, make_customer: Any):
    alice, bob = make_user("alice"), make_user("bob")
    north = make_account("north")
    add_member(north, alice)
    add_member(north, bob)
    customer = make_customer("Azure Interior", north)
    return north, alice, bob, customer


def test_assign_opens_an_active_assignment_and_stamps(env: Any, setup: Any, assign: Any) -> None:
    north, alice, _bob, customer = setup
    assignment = assign(north, customer, alice, "first contact")
    assert (assignment.state, assignment.user_id, assignment.open_reason) == (
        "active",
        alice,
        "first contact",
    )
    assert assignment.opened_by_id == env.user
    assert (customer.x_sa_id, customer.x_actor_id) == (north, alice)


def test_second_active_assignment_refused_with_a_message(env: Any, setup: Any, assign: Any):
    north, alice, bob, customer = setup
    assign(north, customer, alice)
    with pytest.raises(ValidationError, match="already has an active assignment.*reassign"):
        env["sa.customer.assignment"].create(
            {"account_id": north.id, "partner_id": customer.id, "user_id": bob.id}
        )


def test_partial_unique_index_refuses_a_second_active_row(env: Any, setup: Any, assign: Any):
    north, alice, bob, customer = setup
    assign(north, customer, alice)
    env.flush_all()
    cr = env.cr
    cr.execute(
        SQL(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            "sa_customer_assignment_one_active",
        )
    )
    assert "WHERE ((state)::text = 'active'::text)" in cr.fetchone()[0]
    with pytest.raises(psycopg.errors.UniqueViolation), cr.savepoint():
        cr.execute(
            SQL(
                "INSERT INTO sa_customer_assignment "
                "(account_id, partner_id, user_id, state, date_start) "
                "VALUES (%s, %s, %s, 'active', now())",
                north.id,
                customer.id,
                bob.id,
            )
        )


def test_reassign_expires_the_old_and_opens_the_new(env: Any, setup: Any, assign: Any):
    north, alice, bob, customer = setup
    first = assign(north, customer, alice)
    second = assign(north, customer, bob, "holidays")
    assert first.state == "expired" and first.date_end and first.closed_by_id == env.user
    assert first.close_reason == "reassigned to bob: holidays"
    assert (second.state, second.user_id) == ("active", bob)
    assert (customer.x_sa_id, customer.x_actor_id) == (north, bob)
    history = env["sa.customer.assignment"].search([("partner_id", "=", customer.id)])
    assert history.mapped("state") == ["active", "expired"]


def test_history_is_never_rewritten(env: Any, setup: Any, assign: Any) -> None:
    north, alice, bob, customer = setup
    first = assign(north, customer, alice)
    assign(north, customer, bob)
    with pytest.raises(UserError, match="already expired"):
        first.write({"close_reason": "rewritten"})
    with pytest.raises(UserError, match="only closing"):
        first.write({"user_id": bob.id})
    with pytest.raises(UserError, match="never deleted"):
        first.unlink()


def test_actor_must_be_a_member(env: Any, setup: Any, make_user: Any) -> None:
    north, _alice, _bob, customer = setup
    stranger = make_user("stranger")
    with pytest.raises(ValidationError, match="not a valid manager or agent"):
        env["sa.customer.assignment"].assign(north.id, customer.id, stranger.id)


def test_customer_of_another_sa_refused(env, setup, make_account, add_member) -> None:
    _north, alice, _bob, customer = setup
    south = make_account("south")
    add_member(south, alice)
    with pytest.raises(ValidationError, match="is governed by service account"):
        env["sa.customer.assignment"].assign(south.id, customer.id, alice.id)


def test_stamp_writes_contradicting_the_assignment_refused(env, setup, assign) -> None:
    north, alice, bob, customer = setup
    assign(north, customer, alice)
    with pytest.raises(ValidationError, match="must equal its active assignment"):
        customer.write({"x_actor_id": bob.id})


def test_orders_carry_the_customers_stamps(env: Any, setup: Any, assign: Any) -> None:
    north, alice, bob, customer = setup
    order = env["sale.order"].create({"partner_id": customer.id})
    assign(north, customer, alice)
    assert (order.x_sa_id, order.x_actor_id) == (north, alice)
    assign(north, customer, bob)
    assert order.x_actor_id == bob


def test_archiving_a_customer_closes_its_assignments(env, setup, assign) -> None:
    north, alice, _bob, customer = setup
    assignment = assign(north, customer, alice)
    customer.action_archive()
    assert assignment.state == "expired" and assignment.close_reason == "customer archived"
    assert customer.x_actor_id.id is False or not customer.x_actor_id
    assert customer.x_sa_id == north
    assert env["sa.customer.assignment"].search_count([("partner_id", "=", customer.id)]) == 1
