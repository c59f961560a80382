"""Walking relations over many records: one statement per hop and prefetch batch, whatever
the number of records, with the values of the database; records hold no instance dict."""

from __future__ import annotations

from typing import Any

import pytest

LINE = "test_orm.comp.line"
ORDER = "test_orm.comp.order"
PARTNER = "test_orm.comp.partner"
TAG = "test_orm.fields.tag"


def _fresh(records: Any) -> Any:
    records.env.flush_all()
    records.env.invalidate_all()
    return records.browse(records.ids)


def test_a_record_has_no_instance_dict(env: Any) -> None:
    record = env[TAG].create({"name": "slotted"})
    assert not hasattr(record, "__dict__")
    with pytest.raises(AttributeError):
        record.not_a_field = 1


def test_walking_two_many2ones_over_1100_lines_costs_one_statement_per_batch(
    env: Any, assert_query_count: Any
) -> None:
    """``line.order_id.partner_id.name`` over 1,100 lines: the lines' first batch of 1,000
    (too large to join their orders), their 10 orders in one statement that joins the
    partners (a small batch), then the last 100 lines (joining the cached orders)."""
    partners = env[PARTNER].create([{"name": f"Walk P{i}"} for i in range(10)])
    orders = env[ORDER].create(
        [{"name": f"Walk O{i}", "partner_id": partners[i].id} for i in range(10)]
    )
    lines = env[LINE].create([{"order_id": orders[i % 10].id, "price": i} for i in range(1100)])
    lines = _fresh(lines)
    with assert_query_count(3):
        names = [line.order_id.partner_id.name for line in lines]
    assert names == [f"Walk P{i % 10}" for i in range(1100)]
    with assert_query_count(0):
        assert [line.order_id.name for line in lines][:11] == [
            *(f"Walk O{i}" for i in range(10)),
            "Walk O0",
        ]


def test_a_batch_is_the_record_then_the_uncached_records_of_its_prefetch_set(
    env: Any, assert_query_count: Any
) -> None:
    """Reading one record of a set of 1,500 fetches it and the first 999 others not cached
    yet, in the order of the set: the 1,000th of those comes with the next batch."""
    records = _fresh(env[TAG].create([{"name": f"batch {i}"} for i in range(1500)]))
    with assert_query_count(1):
        assert records[1200].name == "batch 1200"
    with assert_query_count(0):
        assert records[998].name == "batch 998"
    with assert_query_count(1):
        assert records[999].name == "batch 999"
    with assert_query_count(0):
        assert [record.name for record in records[999:1499]] == [
            f"batch {i}" for i in range(999, 1499)
        ]


def test_the_targets_of_a_one2many_over_the_prefetch_set_are_fetched_together(
    env: Any, assert_query_count: Any
) -> None:
    """``order.line_ids`` on one of 5 orders fetches the lines of all 5 with their columns
    (one statement): reading the lines of the other orders and their fields costs nothing."""
    orders = env[ORDER].create([{"name": f"Many {i}"} for i in range(5)])
    env[LINE].create([{"order_id": orders[i % 5].id, "price": i} for i in range(20)])
    orders = _fresh(orders)
    with assert_query_count(1):
        prices = [line.price for order in orders for line in order.line_ids]
    assert sorted(prices) == [float(i) for i in range(20)]


def test_the_lines_of_one_prefetch_set_get_one_record_per_order(
    env: Any, assert_query_count: Any
) -> None:
    """A many2one gives the records of one prefetch set one target record per target (the
    same object, with one prefetch set of targets), so the next hop finds its records made
    too; a line whose link changes gives its new target."""
    partners = env[PARTNER].create([{"name": f"Kept P{i}"} for i in range(3)])
    orders = env[ORDER].create(
        [{"name": f"Kept O{i}", "partner_id": partners[i].id} for i in range(3)]
    )
    lines = _fresh(env[LINE].create([{"order_id": orders[i % 3].id} for i in range(30)]))
    with assert_query_count(1):  # the lines, their orders joined (a small batch)
        walked = [(line.order_id, line.order_id.partner_id) for line in lines]
    assert [order.name for order, _partner in walked[:4]] == [
        "Kept O0",
        "Kept O1",
        "Kept O2",
        "Kept O0",
    ]
    assert walked[0][0] is walked[3][0] and walked[0][1] is walked[3][1]
    assert len({id(order._prefetch_ids) for order, _partner in walked}) == 1
    assert len({id(partner._prefetch_ids) for _order, partner in walked}) == 1
    assert set(walked[0][0]._prefetch_ids) == set(orders.ids)
    # another environment gets records of its own
    assert lines.with_context(other=1)[0].order_id is not walked[0][0]
    lines[3].order_id = orders[1]
    assert lines[3].order_id == orders[1]
    assert lines[3].order_id.partner_id.name == "Kept P1"
