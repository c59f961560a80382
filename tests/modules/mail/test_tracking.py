"""Field tracking on ``sale.order``: one message per record per flushed change, with the old
and new value of every changed tracked field, at a fixed statement cost."""

from __future__ import annotations

from typing import Any

from erplite import Command


def test_creation_is_logged_without_tracking_values(
    env: Any, tracking_of: Any, make_order: Any
) -> None:
    order = make_order()
    env.flush_all()
    messages = order.message_ids.message_format()
    assert [m["body"] for m in messages] == ["Sales Order created"]
    assert messages[0]["tracking_values"] == []
    assert messages[0]["is_note"]


def test_a_write_of_two_tracked_fields_is_one_message(
    env: Any, tracking_of: Any, make_order: Any, other_customer: Any, salesman: Any
) -> None:
    order = make_order()
    env.flush_all()
    order.write({"partner_id": other_customer.id, "user_id": salesman.id})
    env.flush_all()
    assert tracking_of(order)[0] == [
        ("partner_id", "Azure Interior", "Deco Addict"),
        ("user_id", env.user.name, "Salesman"),
    ]
    assert len(tracking_of(order)) == 1


def test_workflow_steps_and_total_changes_appear_in_the_history(
    env: Any, tracking_of: Any, make_order: Any, desk: Any
) -> None:
    order = make_order(quantity=2)
    env.flush_all()
    order.write({"order_line": [Command.create({"product_id": desk.id, "product_uom_qty": 1})]})
    env.flush_all()
    order.action_confirm()
    env.flush_all()
    history = tracking_of(order)
    assert history[0] == [("state", "Quotation", "Sales Order")]
    field, old, new = history[1][0]
    assert field == "amount_total"
    assert old.startswith("220.00") and new.startswith("330.00")
    assert order.message_ids[0].author_id == env.user.partner_id


def test_unchanged_values_write_no_message(
    env: Any, tracking_of: Any, make_order: Any, customer: Any
) -> None:
    order = make_order()
    env.flush_all()
    count = len(order.message_ids)
    order.write({"partner_id": customer.id})
    env.flush_all()
    order.invalidate_recordset(["message_ids"])
    assert len(order.message_ids) == count


def test_tracking_costs_one_select_and_one_insert_whatever_the_number_of_records(
    env: Any, tracking_of: Any, make_order: Any, other_customer: Any, assert_query_count: Any
) -> None:
    for size in (1, 50):
        orders = env["sale.order"].browse([make_order().id for _ in range(size)])
        env.flush_all()
        other_customer.display_name  # noqa: B018  (names in the cache, as a form has them)
        orders.mapped("partner_id.display_name")
        env.invalidate_all()
        other_customer.display_name  # noqa: B018
        orders.mapped("partner_id.display_name")
        orders.invalidate_recordset(["partner_id", "user_id", "state", "amount_total"])
        # the old values (one SELECT), the UPDATE, the messages with their tracking values
        # (one INSERT)
        with assert_query_count(3):
            orders.write({"partner_id": other_customer.id})
            env.flush_all()
        assert all(tracking_of(order)[0][0][0] == "partner_id" for order in orders)


def _texts(statements: list) -> list[str]:
    return [str(getattr(s, "code", s)) if not isinstance(s, str) else s for s in statements]


def test_a_total_changed_by_its_lines_is_tracked_at_a_constant_cost(
    env: Any, make_order: Any, assert_query_count: Any, tracking_of: Any
) -> None:
    """Lines written, orders' totals recomputed at the flush: one SELECT of the old totals and
    one INSERT of the messages with their tracking values, whatever the number of orders."""
    counts = {}
    for size in (1, 50):
        orders = env["sale.order"].browse([make_order().id for _ in range(size)])
        env.flush_all()
        env.invalidate_all()
        with assert_query_count(10**6, at_most=True) as statements:
            lines = env["sale.order.line"].search([("order_id", "in", orders.ids)])
            lines.write({"product_uom_qty": 3.0})
            env.flush_all()
        texts = _texts(statements)
        assert sum("INSERT INTO mail_tracking_value" in t for t in texts) == 1
        assert sum("INSERT INTO mail_message" in t for t in texts) == 1  # in the same CTE
        # the orders' old values: at most one SELECT (none when the line write had read them)
        order_selects = sum(t.startswith('SELECT "sale_order"."id"') for t in texts)
        assert order_selects <= 1
        counts[size] = len(statements) - order_selects
        for order in orders:
            field, old, new = tracking_of(order)[0][0]
            assert (field, old[:6], new[:6]) == ("amount_total", "110.00", "330.00")
    assert counts[1] == counts[50]


def test_tracking_adds_one_insert_when_the_old_values_are_cached(
    env: Any, make_order: Any, other_customer: Any, assert_query_count: Any
) -> None:
    orders = env["sale.order"].browse([make_order().id for _ in range(50)])
    env.flush_all()
    with assert_query_count(1):  # an untracked field: the UPDATE alone
        orders.write({"client_order_ref": "PO-1"})
        env.flush_all()
    with assert_query_count(2):  # a tracked one: the UPDATE and the messages' INSERT
        orders.write({"partner_id": other_customer.id})
        env.flush_all()


def test_every_approval_step_is_in_the_history(
    env: Any, make_order: Any, make_user: Any, tracking_of: Any
) -> None:
    """Above the company's threshold: submitted by the salesperson, rejected, submitted again
    and approved by a manager; each step is one message naming who took it."""
    env.ref("base.main_company").so_double_validation_amount = 1000.0
    seller = make_user("seller", "sales_team.group_sale_salesman")
    boss = make_user("boss", "sales_team.group_sale_manager")
    order = make_order(quantity=20, user_id=seller.id)  # 2,200 with taxes
    env.flush_all()
    steps = [
        (seller, "action_confirm"),
        (boss, "action_reject"),
        (seller, "action_confirm"),
        (boss, "action_approve"),
    ]
    for user, step in steps:
        getattr(order.with_user(user), step)()
        env.flush_all()
    history = [changes for changes in tracking_of(order) if changes[0][0] == "state"]
    assert history == [
        [("state", "To Approve", "Sales Order")],
        [("state", "Quotation", "To Approve")],
        [("state", "To Approve", "Quotation")],
        [("state", "Quotation", "To Approve")],
    ]
    authors = [
        message.author_id
        for message in order.message_ids
        if message.sudo().tracking_value_ids.field_id.name == "state"
    ]
    assert authors == [boss.partner_id, seller.partner_id, boss.partner_id, seller.partner_id]
