"""A record created with its lines (``Command.create``, one statement for both): its stored
fields computed from those lines only are computed before the INSERT, on temporary records,
and sent with it; no UPDATE follows (``CreateLinesMixin._early_fields``, issue 17's S2)."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import ValidationError
from erplite.orm.ids import NewId
from erplite.sql import SQL

ORDER = "test_orm.early.order"


@pytest.fixture
def calls():
    from erplite.addons.test_orm.models import early_totals

    early_totals.CALLS.clear()
    yield early_totals.CALLS
    early_totals.CALLS.clear()


def _text(statement) -> str:
    return statement.as_string(None) if hasattr(statement, "as_string") else str(statement)


def _stored(env, order) -> tuple:
    env.cr.execute(
        SQL(
            "SELECT total, quantity_sum, line_count, summary FROM test_orm_early_order "
            "WHERE id = %s",
            order.id,
        )
    )
    return env.cr.fetchone()


def _lines(*pairs: tuple[float, float]) -> list:
    return [Command.create({"quantity": q, "price": p}) for q, p in pairs]


def test_totals_of_new_lines_go_in_the_insert(env, calls, assert_query_count):
    partner = env["test_orm.partner"].create({"name": "Pat"})
    env.flush_all()
    with assert_query_count(2) as statements:
        order = env[ORDER].create(
            {
                "name": "O1",
                "discount": 1.5,
                "partner_id": partner.id,
                "line_ids": _lines((2, 3.0), (1, 10.0), (4, 0.25)),
            }
        )
        env.flush_all()
    insert, update = (_text(s) for s in statements)
    # the order's INSERT carries the totals; the one UPDATE is the summary's (it reads the
    # partner's name: another table, so it waits for the INSERT)
    assert '"total"' in insert and '"quantity_sum"' in insert and '"line_count"' in insert
    assert '"summary"' in update
    assert '"total"' not in update and '"quantity_sum"' not in update
    assert _stored(env, order) == (6.0 + 10.0 + 1.0 - 1.5, 7.0, 3, "Pat:3")
    # computed once each, on a temporary record, never again on the new one
    computed = [(name, ids) for name, ids in calls if name in ("total", "quantities")]
    assert [name for name, _ids in computed] == ["total", "quantities"]
    assert all(len(ids) == 1 and isinstance(ids[0], NewId) for _name, ids in computed)
    with assert_query_count(0):
        assert (order.total, order.quantity_sum, order.line_count) == (15.5, 7.0, 3)
        assert order.line_ids.mapped("subtotal") == [6.0, 10.0, 1.0]


def test_a_total_given_wins(env):
    order = env[ORDER].create({"name": "O2", "total": 99.0, "line_ids": _lines((1, 5.0))})
    env.flush_all()
    assert _stored(env, order)[:3] == (99.0, 1.0, 1)


def test_the_lines_change_the_total_afterwards(env):
    order = env[ORDER].create({"name": "O3", "line_ids": _lines((1, 5.0), (2, 1.0))})
    env.flush_all()
    order.line_ids[0].quantity = 3
    order.write({"line_ids": [Command.create({"quantity": 1, "price": 100.0})]})
    env.flush_all()
    assert _stored(env, order)[:3] == (15.0 + 2.0 + 100.0, 6.0, 3)
    env.invalidate_all()
    assert order.total == 117.0


def test_the_constraint_on_a_total_holds_before_anything_is_kept(env):
    with pytest.raises(ValidationError, match="^The total of Big is too large$"):
        with env.cr.savepoint():
            env[ORDER].create({"name": "Big", "line_ids": _lines((100, 200.0))})
    assert not env[ORDER].search([("name", "=", "Big")])


def test_created_by_a_user_the_totals_are_the_same(env, internal_user):
    order = (
        env[ORDER]
        .with_user(internal_user)
        .create({"name": "O4", "discount": 1.0, "line_ids": _lines((2, 2.5), (1, 1.0))})
    )
    env.flush_all()
    assert _stored(env, order) == (5.0, 3.0, 2, "-:2")


def test_several_records_at_once_are_computed_after_their_insert(env, calls):
    orders = env[ORDER].create(
        [
            {"name": "A", "line_ids": _lines((1, 2.0))},
            {"name": "B", "line_ids": _lines((3, 1.0), (1, 1.0))},
        ]
    )
    env.flush_all()
    assert [_stored(env, order)[:3] for order in orders] == [(2.0, 1.0, 1), (4.0, 4.0, 2)]
    assert ("total", tuple(sorted(orders.ids))) in calls


# -- the temporary records' ids, lent again by the cache (Cache.take_temporary) ----------------


def test_temporary_ids_are_lent_again_and_leave_no_stale_value(env):
    """Each create of an order with its lines computes its totals on temporary records whose
    ids the cache lends again: the dicts of the lines' values keep the same keys (none added
    and taken out per order, which left them twice their size), and nothing of an earlier
    order leaks into a later one (fewer lines, a column not given)."""
    quantity = env["test_orm.early.line"]._fields["quantity"]
    values = env.transaction.cache._data[quantity]

    def temporaries():
        return {key for key in values if isinstance(key, NewId)}

    first = env[ORDER].create(
        {"name": "three", "line_ids": [Command.create({"quantity": 2.0, "price": 5.0})] * 3}
    )
    lent = temporaries()
    assert len(lent) == 3  # kept, to be lent again
    second = env[ORDER].create({"name": "one", "line_ids": [Command.create({"quantity": 4.0})]})
    third = env[ORDER].create(
        {"name": "two", "line_ids": [Command.create({"quantity": 1.0, "price": 1.5})] * 2}
    )
    assert temporaries() == lent
    expected = [(30.0, 6.0, 3), (0.0, 4.0, 1), (3.0, 2.0, 2)]
    orders = [first, second, third]
    assert [(o.total, o.quantity_sum, o.line_count) for o in orders] == expected
    env.flush_all()
    env.invalidate_all()
    assert [_stored(env, o)[:3] for o in orders] == expected
    assert second.line_ids.mapped("subtotal") == [0.0]


def test_ids_lent_after_an_invalidation_get_their_values_again(env):
    env[ORDER].create({"name": "warm", "line_ids": [Command.create({"quantity": 1.0})]})
    env.invalidate_all()  # the values of the ids kept are gone too
    order = env[ORDER].create(
        {"name": "after", "line_ids": [Command.create({"quantity": 3.0, "price": 2.0})]}
    )
    assert (order.total, order.quantity_sum, order.line_count) == (6.0, 3.0, 1)
    env.flush_all()
    env.invalidate_all()
    assert _stored(env, order)[:3] == (6.0, 3.0, 1)


# -- what the new lines mark on their parent (CreateMixin._create_finish, _parent_marked) -----

BASKET = "test_orm.early.basket"


def _items(*pairs: tuple[float, float]) -> list:
    return [Command.create({"quantity": q, "price": p}) for q, p in pairs]


def _pending(env, model: str) -> dict:
    """The fields of ``model`` marked to compute, with their ids."""
    return {
        field.name: set(ids)
        for field, ids in env.transaction.tocompute.items()
        if field.model_name == model and ids
    }


def test_lines_leave_nothing_to_compute_on_a_parent_computed_before_its_insert(
    env, calls, assert_query_count
):
    with assert_query_count(1):
        basket = env[BASKET].create({"name": "B1", "item_ids": _items((2, 3.0), (1, 4.0))})
        assert _pending(env, BASKET) == {}
        assert _pending(env, "test_orm.early.item") == {}
        env.flush_all()
    with assert_query_count(0):
        assert (basket.total, basket.item_count) == (10.0, 2)
    assert [name for name, _ids in calls if name == "basket_total"] == ["basket_total"]


def test_lines_added_to_an_existing_parent_mark_it(env, calls):
    basket = env[BASKET].create({"name": "B2", "item_ids": _items((1, 5.0))})
    assert basket.item_count == 1
    env.flush_all()
    calls.clear()
    item = env["test_orm.early.item"].create({"basket_id": basket.id, "quantity": 2, "price": 1.5})
    assert _pending(env, BASKET) == {"total": {basket.id}}
    assert basket.item_count == 2  # the non-stored count was dropped from the cache
    env.flush_all()
    assert ("basket_total", (basket.id,)) in calls
    env.invalidate_all()
    assert basket.total == 8.0
    assert item in basket.item_ids


def test_a_parent_total_given_is_kept_and_its_lines_mark_nothing(env):
    basket = env[BASKET].create({"name": "B3", "total": 1.0, "item_ids": _items((3, 3.0))})
    assert _pending(env, BASKET) == {}
    env.flush_all()
    env.invalidate_all()
    assert basket.total == 1.0
    assert basket.item_ids.subtotal == 9.0


def test_a_parent_not_computed_before_its_insert_is_marked_by_its_lines(env):
    # the order's summary reads its partner's name (another table): it is not computed
    # before the INSERT, so the new lines' branch to their order is walked and marks it
    order = env[ORDER].create({"name": "O9", "line_ids": _lines((1, 2.0))})
    assert _pending(env, ORDER) == {"summary": {order.id}}
    env.flush_all()
    assert _stored(env, order) == (2.0, 1.0, 1, "-:1")
