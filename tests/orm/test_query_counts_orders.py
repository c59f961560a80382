"""The acceptance point of the ORM's write path, on the orders-like pair of ``test_orm``.

A stored ``amount_total`` (sum of the lines' stored ``subtotal`` = quantity * price_unit) over
N orders of 5 lines stays right after one ``write`` of the quantity on every line, and that
write (the search of the lines and the final flush included) costs the same number of
statements whatever N.
"""

from __future__ import annotations

from erplite import Command
from erplite.sql import SQL

ORDER = "test_orm.bench.order"
LINE = "test_orm.bench.order.line"


def _create_orders(env, count: int) -> object:
    """``count`` orders of 5 lines, created in one call, flushed, cache dropped."""
    partner = env["test_orm.partner"].create({"name": "Customer"})
    orders = env[ORDER].create(
        [
            {
                "name": f"SO{index:05d}",
                "partner_id": partner.id,
                "line_ids": [
                    Command.create(
                        {
                            "quantity": float(1 + (index + line) % 10),
                            "price_unit": round(1.5 + ((index * 7 + line * 3) % 200) * 0.25, 2),
                        }
                    )
                    for line in range(5)
                ],
            }
            for index in range(count)
        ]
    )
    env.flush_all()
    env.invalidate_all()
    return orders


def _write_quantity_everywhere(env, assert_query_count) -> int:
    """S4's call sequence on a cold cache; returns the number of statements it sent."""
    with assert_query_count(10**6, at_most=True) as statements:
        lines = env[LINE].search([])
        lines.write({"quantity": 3.0})
        env.flush_all()
    return len(statements)


def _check_database(env, order_count: int) -> float:
    """Check subtotals and totals from the database (raw SQL after the flush); return the
    sum of the totals."""
    cr = env.cr
    cr.execute(
        SQL(
            "SELECT count(*), max(abs(subtotal - quantity * price_unit)), "
            "bool_and(quantity = 3) FROM test_orm_bench_order_line"
        )
    )
    line_count, subtotal_error, all_three = cr.fetchone()
    assert line_count == 5 * order_count
    assert subtotal_error < 1e-6
    assert all_three
    cr.execute(
        SQL(
            "SELECT count(*), max(abs(o.amount_total - l.total)), sum(o.amount_total) "
            "FROM test_orm_bench_order o JOIN (SELECT order_id, sum(subtotal) AS total "
            "FROM test_orm_bench_order_line GROUP BY order_id) l ON l.order_id = o.id"
        )
    )
    orders, total_error, grand_total = cr.fetchone()
    assert orders == order_count
    assert total_error < 1e-6
    return grand_total


def test_totals_right_and_write_cost_constant_in_the_number_of_records(env, assert_query_count):
    counts = {}
    for size in (200, 1000):
        orders = _create_orders(env, size)
        prices = {}
        env.cr.execute(
            SQL("SELECT order_id, sum(price_unit) FROM test_orm_bench_order_line GROUP BY order_id")
        )
        prices = dict(env.cr.fetchall())
        counts[size] = _write_quantity_everywhere(env, assert_query_count)
        grand_total = _check_database(env, size)
        assert abs(grand_total - 3 * sum(prices.values())) < 1e-6
        # the ORM reads the same totals back
        env.invalidate_all()
        assert abs(sum(orders.mapped("amount_total")) - grand_total) < 1e-6
        orders.unlink()
        env.flush_all()
    assert counts[200] == counts[1000]
    # search, the lines' columns with every line of their orders (to reach the orders and sum
    # their lines), then the UPDATE of the lines and the UPDATE of the orders in one statement
    assert counts[1000] == 3


def test_creating_orders_with_nested_lines_costs_a_constant_number_of_statements(
    env, assert_query_count
):
    """S2's shape: one create per order with its 5 lines nested."""
    partner = env["test_orm.partner"].create({"name": "Customer"})
    env.flush_all()

    def create_order(index: int) -> object:
        return env[ORDER].create(
            {
                "name": f"SO{index:05d}",
                "partner_id": partner.id,
                "line_ids": [
                    Command.create({"quantity": 2.0, "price_unit": 1.25 * (line + 1)})
                    for line in range(5)
                ],
            }
        )

    create_order(0)
    env.flush_all()
    for count in (1, 10):
        # one statement per order, inserting the order and its 5 lines (a CTE); the recomputed
        # subtotals and totals are sent at the flush, one UPDATE per table whatever the number
        # of orders, both in one statement
        with assert_query_count(count + 1):
            orders = [create_order(index) for index in range(1, count + 1)]
            env.flush_all()
    env.cr.execute(
        SQL(
            "SELECT amount_total FROM test_orm_bench_order WHERE id = ANY(%s)",
            [order.id for order in orders],
        )
    )
    assert {row[0] for row in env.cr.fetchall()} == {2.0 * 1.25 * 15}
