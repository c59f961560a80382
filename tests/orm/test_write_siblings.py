"""A write on lines whose parent's stored compute depends on the lines (``line_ids.x``): the
lines' columns come with every other line of the same parents in one query, the parents' line
values are complete and ordered by id, and pending moves of lines between parents are honoured
(the lines are then read as before)."""

from __future__ import annotations

from erplite import Command
from erplite.sql import SQL

ORDER = "test_orm.bench.order"
LINE = "test_orm.bench.order.line"


def _orders(env):
    orders = env[ORDER].create(
        [
            {
                "name": name,
                "line_ids": [
                    Command.create({"quantity": 1.0, "price_unit": float(price)})
                    for price in prices
                ],
            }
            for name, prices in (("A", (1, 2, 3)), ("B", (10, 20)), ("C", (100,)))
        ]
    )
    env.flush_all()
    env.invalidate_all()
    return orders


def _totals(env, orders):
    env.cr.execute(
        SQL(
            "SELECT amount_total FROM test_orm_bench_order WHERE id = ANY(%s) ORDER BY id",
            list(orders.ids),
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def test_one_line_written_brings_its_siblings(env, assert_query_count):
    orders = _orders(env)
    line_ids = orders[0].line_ids.ids
    env.invalidate_all()
    with assert_query_count(
        2
    ):  # the lines with their siblings, then the two UPDATEs (one statement)
        env[LINE].browse(line_ids[1]).write({"quantity": 5.0})
        env.flush_all()
    assert _totals(env, orders) == [1.0 + 10.0 + 3.0, 30.0, 100.0]
    with assert_query_count(0):
        assert orders[0].line_ids.ids == sorted(line_ids)
        assert orders[0].line_ids.mapped("subtotal") == [1.0, 10.0, 3.0]


def test_pending_move_of_a_line_is_honoured(env):
    orders = _orders(env)
    moved = orders[1].line_ids[0]
    env.invalidate_all()
    # moved to A, not flushed: the next write must not group lines as the database does
    env[LINE].browse(moved.id).order_id = orders[0].id
    env[LINE].browse(orders[2].line_ids.ids).write({"quantity": 2.0})
    env.flush_all()
    assert _totals(env, orders) == [6.0 + 10.0, 20.0, 200.0]
    env.invalidate_all()
    assert moved.id in orders[0].line_ids.ids
    assert orders[1].line_ids.mapped("price_unit") == [20.0]


def test_lines_without_parent_are_written(env):
    order = env["test_orm.comp.order"].create(
        {"name": "O", "line_ids": [Command.create({"price": 2.0}), Command.create({"price": 3.0})]}
    )
    orphan = env["test_orm.comp.line"].create({"price": 7.0})
    env.flush_all()
    env.invalidate_all()
    lines = env["test_orm.comp.line"].browse([*order.line_ids.ids, orphan.id])
    env.invalidate_all()
    lines.write({"quantity": 4})
    env.flush_all()
    assert order.total == 4 * 5.0
    assert orphan.amount == 28.0
    assert not orphan.order_id


def test_siblings_fetch_only_what_the_recomputation_reads(env, assert_query_count):
    """The lines fetched with their siblings bring the columns something depends on and the
    link, not the others (audit columns): nothing on the recomputation's path reads them."""
    orders = _orders(env)
    line_ids = orders[0].line_ids.ids
    env.invalidate_all()
    line_model = env[LINE]
    with assert_query_count(2):
        line_model.browse(line_ids[0]).write({"quantity": 4.0})
        env.flush_all()
    cache = env.transaction.cache
    fields = line_model._fields
    sibling = line_ids[2]
    for name in ("order_id", "quantity", "price_unit", "subtotal"):
        assert cache.contains(sibling, fields[name], env), name
    assert not cache.contains(sibling, fields["create_date"], env)
    assert _totals(env, orders) == [4.0 + 2.0 + 3.0, 30.0, 100.0]
    with assert_query_count(1):  # the audit column, read when asked for
        assert line_model.browse(sibling).create_uid.id == env.uid


def test_a_compute_assigning_one_record_pends_its_write(env):
    """A stored compute assigning one saved record (the shortcut of ``_set_field_value``) sets
    the cache and the pending write, and takes the record out of the records to compute, as
    the general path does for several records."""
    orders = _orders(env)
    line = orders[1].line_ids[0]
    line.price_unit = 7.0
    subtotal = env[LINE]._fields["subtotal"]
    assert line.id in env.transaction.tocompute.get(subtotal, ())
    assert line.subtotal == 7.0  # computed now: the shortcut
    assert line.id not in env.transaction.tocompute.get(subtotal, ())
    assert env.transaction.towrite[LINE][line.id]["subtotal"] == 7.0
    several = orders[2].line_ids | orders[0].line_ids
    several.write({"price_unit": 2.0})
    assert several.mapped("subtotal") == [2.0, 2.0, 2.0, 2.0]  # the general path
    env.flush_all()
    env.invalidate_all()
    assert line.subtotal == 7.0
    assert _totals(env, orders) == [6.0, 27.0, 2.0]
