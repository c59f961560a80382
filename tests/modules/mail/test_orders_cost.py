"""What the chatter costs the orders' paths, in statements: creating a quotation adds two
INSERTs (its creation message; its creator as follower), a workflow step one (its message and
tracking value); the old values a step compares are those the step has read already."""

from __future__ import annotations

from typing import Any

from erplite import Command

QUIET = {"tracking_disable": True}


def _count(assert_query_count: Any, func: Any) -> int:
    with assert_query_count(10**6, at_most=True) as statements:
        func()
    return len(statements)


def test_creation_and_confirmation_cost_one_insert_each(
    env: Any, customer: Any, desk: Any, salesman: Any, assert_query_count: Any
) -> None:
    as_salesman = env(user=salesman)
    values = {
        "partner_id": customer.id,
        "user_id": salesman.id,
        "order_line": [Command.create({"product_id": desk.id, "product_uom_qty": 1})],
    }
    warm = as_salesman["sale.order"].create(values)  # caches, sequence: paid once
    warm.action_confirm()
    env.flush_all()
    costs = {}
    for label, context in (("quiet", QUIET), ("tracked", {})):
        orders = as_salesman["sale.order"].with_context(**context)
        env.flush_all()
        created: list = []
        costs[label, "create"] = _count(
            assert_query_count,
            lambda orders=orders, created=created: (
                created.append(orders.create(values)),
                env.flush_all(),
            ),
        )
        order = created[0]
        costs[label, "confirm"] = _count(
            assert_query_count, lambda order=order: (order.action_confirm(), env.flush_all())
        )
    # the creation message, and the creator as follower
    assert costs["tracked", "create"] == costs["quiet", "create"] + 2
    # the state change's message and tracking value (one statement)
    assert costs["tracked", "confirm"] == costs["quiet", "confirm"] + 1
