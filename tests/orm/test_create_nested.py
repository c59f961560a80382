"""create() of a record with its lines (``Command.create`` on a one2many): the superuser's single
record and its lines go in one statement (a CTE), several records' lines in one INSERT; the
lines get the same values, caches, computations, constraints and errors as a separate
``create`` of the lines would give them."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import ValidationError
from erplite.sql import SQL

ORDER = "test_orm.bench.order"


@pytest.fixture
def note_creates():
    """The values each ``test_orm.nested.note`` create received (its model overrides create)."""
    from erplite.addons.test_orm.models import nested_create

    nested_create.NOTE_CREATES.clear()
    yield nested_create.NOTE_CREATES
    nested_create.NOTE_CREATES.clear()


def _rows(env, query: str, *params):
    env.cr.execute(SQL(query, *params))
    return env.cr.fetchall()


def test_record_and_lines_are_one_statement_with_the_lines_in_order(env, assert_query_count):
    env.flush_all()
    with assert_query_count(1):
        order = env[ORDER].create(
            {
                "name": "SO1",
                "line_ids": [
                    Command.create({"quantity": 2.0, "price_unit": 1.5}),
                    Command.create({"quantity": 1.0, "price_unit": 4.0}),
                    Command.create({"quantity": 3.0, "price_unit": 0.5}),
                ],
            }
        )
    # the caches are filled as by a separate create of the lines: no query to read them
    with assert_query_count(0):
        lines = order.line_ids
        assert lines.mapped("quantity") == [2.0, 1.0, 3.0]
        assert lines.mapped("order_id") == order
        assert list(lines._ids) == sorted(lines._ids)
    env.flush_all()
    assert _rows(
        env,
        "SELECT order_id, quantity, price_unit, subtotal FROM test_orm_bench_order_line"
        " WHERE id = ANY(%s) ORDER BY id",
        list(lines._ids),
    ) == [(order.id, 2.0, 1.5, 3.0), (order.id, 1.0, 4.0, 4.0), (order.id, 3.0, 0.5, 1.5)]
    assert _rows(env, "SELECT amount_total FROM test_orm_bench_order WHERE id = %s", order.id) == [
        (8.5,)
    ]


def test_one_line_and_identical_lines_are_inserted_too(env):
    single = env[ORDER].create({"name": "one", "line_ids": [Command.create({"quantity": 1.0})]})
    same = env[ORDER].create(
        {"name": "same", "line_ids": [Command.create({"quantity": 1.0}) for _i in range(3)]}
    )
    env.flush_all()
    counts = _rows(
        env,
        "SELECT order_id, count(*) FROM test_orm_bench_order_line WHERE order_id = ANY(%s)"
        " GROUP BY order_id ORDER BY order_id",
        [single.id, same.id],
    )
    assert counts == [(single.id, 1), (same.id, 3)]
    assert len(same.line_ids) == 3


def test_several_records_get_their_lines_in_one_insert(env, assert_query_count):
    env.flush_all()
    with assert_query_count(2):  # the orders, then the lines of all of them
        orders = env[ORDER].create(
            [
                {
                    "name": f"SO{index}",
                    "line_ids": [Command.create({"quantity": float(q)}) for q in range(index + 1)],
                }
                for index in range(3)
            ]
        )
    assert [len(order.line_ids) for order in orders] == [1, 2, 3]
    assert [order.line_ids.mapped("quantity") for order in orders] == [
        [0.0],
        [0.0, 1.0],
        [0.0, 1.0, 2.0],
    ]
    env.flush_all()
    assert _rows(
        env,
        "SELECT order_id, count(*) FROM test_orm_bench_order_line WHERE order_id = ANY(%s)"
        " GROUP BY order_id ORDER BY order_id",
        list(orders._ids),
    ) == [(orders[0].id, 1), (orders[1].id, 2), (orders[2].id, 3)]


def test_line_computations_through_the_new_parent(env):
    """A stored compute of the lines reading their parent (``parent_id.factor``) sees it."""
    parent = env["test_orm.constrained.parent"].create(
        {
            "name": "P",
            "factor": 5,
            "child_ids": [Command.create({"name": "a", "low": 3}), Command.create({"name": "b"})],
        }
    )
    assert parent.child_ids.mapped("doubled") == [15, 0]
    env.flush_all()
    assert _rows(
        env,
        "SELECT name, doubled FROM test_orm_constrained WHERE parent_id = %s ORDER BY id",
        parent.id,
    ) == [("a", 15), ("b", 0)]


def test_line_constraints_refuse_the_creation(env):
    from erplite.addons.test_orm.models import constraints

    constraints.CHECKED.clear()
    with pytest.raises(ValidationError, match="forbidden"):
        env["test_orm.constrained.parent"].create(
            {"name": "P", "child_ids": [Command.create({"name": "forbidden"})]}
        )
    assert constraints.CHECKED and constraints.CHECKED[0][0] == "name"
    constraints.CHECKED.clear()


def test_database_constraints_of_lines_become_validation_errors(env):
    with pytest.raises(ValidationError):
        env["test_orm.constrained.parent"].create(
            {
                "name": "P",
                "child_ids": [
                    Command.create({"name": "a", "code": "SAME"}),
                    Command.create({"name": "b", "code": "SAME"}),
                ],
            }
        )


def test_missing_required_value_of_a_line_is_refused(env):
    with pytest.raises(ValidationError, match="required"):
        env["test_orm.constrained.parent"].create(
            {"name": "P", "child_ids": [Command.create({"low": 1})]}
        )


def test_lines_precomputed_from_their_parent_are_created_after_it(env, assert_query_count):
    """A ``precompute`` field of the lines depending on the parent needs the parent's id
    before the lines' INSERT: two statements, and the value reads the real parent."""
    env.flush_all()
    with assert_query_count(2):
        order = env["test_orm.nested.order"].create(
            {
                "code": "ORD",
                "line_ids": [Command.create({"name": "x"}), Command.create({"name": "y"})],
            }
        )
    assert order.line_ids.mapped("label") == ["ORD/x", "ORD/y"]
    env.flush_all()
    assert _rows(
        env, "SELECT label FROM test_orm_nested_line WHERE order_id = %s ORDER BY id", order.id
    ) == [("ORD/x",), ("ORD/y",)]


def test_an_overridden_create_of_the_lines_runs(env, note_creates):
    order = env["test_orm.nested.order"].create(
        {"code": "N", "note_ids": [Command.create({"text": "hello"})]}
    )
    assert note_creates == [[{"text": "hello", "order_id": order.id}]]
    assert order.note_ids.mapped("text") == ["HELLO"]


def test_mixed_commands_keep_their_meaning(env):
    """Lines given with other commands than ``Command.create`` are applied one by one."""
    existing = env[ORDER].create({"name": "old", "line_ids": [Command.create({"quantity": 7.0})]})
    line = existing.line_ids
    order = env[ORDER].create(
        {"name": "new", "line_ids": [Command.link(line.id), Command.create({"quantity": 1.0})]}
    )
    assert sorted(order.line_ids.mapped("quantity")) == [1.0, 7.0]
    assert not existing.line_ids
