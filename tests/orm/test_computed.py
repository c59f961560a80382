"""Computed fields: stored and not, dependencies through every relation type, related fields,
inverse, search, compute_sudo, precompute and depends_context."""

from __future__ import annotations

import pytest

from erplite.sql import SQL, count_queries

ORDER = "test_orm.comp.order"
LINE = "test_orm.comp.line"


def _db(env, record, column):
    env.flush_all()
    env.cr.execute(
        SQL(
            "SELECT %s FROM %s WHERE id = %s",
            SQL.identifier(column),
            SQL.identifier(record._table),
            record.id,
        )
    )
    return env.cr.fetchone()[0]


def _calls(calls, name):
    return [ids for fname, ids, _su in calls if fname == name]


@pytest.fixture
def orders(env):
    country = env["test_orm.comp.country"].create({"name": "Belgium"})
    partner = env["test_orm.comp.partner"].create(
        {"name": "Acme", "city": "Liège", "country_id": country.id}
    )
    tag = env["test_orm.comp.tag"].create({"name": "urgent"})
    records = env[ORDER].create(
        [
            {
                "name": f"o{i}",
                "partner_id": partner.id,
                "tag_ids": [(6, 0, tag.ids)],
                "line_ids": [
                    (0, 0, {"quantity": 1, "price": 10.0 * (i + 1)}),
                    (0, 0, {"quantity": 2, "price": 5.0}),
                ],
            }
            for i in range(3)
        ]
    )
    env.flush_all()
    return records


# ---------------------------------------------------------------------------------------------
# stored computed fields
# ---------------------------------------------------------------------------------------------


def test_stored_values_after_create(env, orders):
    assert orders.mapped("total") == [20.0, 30.0, 40.0]
    assert [_db(env, order, "total") for order in orders] == [20.0, 30.0, 40.0]
    assert orders.mapped("tag_names") == ["urgent"] * 3
    assert orders.mapped("partner_country") == ["Belgium"] * 3
    assert orders.mapped("partner_name") == ["Acme"] * 3
    assert orders.mapped("line_ids.order_partner_name") == ["Acme"] * 6
    assert orders.mapped("total_x2") == [40.0, 60.0, 80.0]
    assert orders.mapped("total_x3") == [60.0, 90.0, 120.0]


def test_recompute_through_one2many(env, orders, compute_calls):
    order = orders[1]
    line = order.line_ids[0]
    line.price = 100.0  # amount (line) then total (order): a chain of stored computes
    assert order.total == 110.0
    assert _db(env, order, "total") == 110.0
    assert _db(env, line, "amount") == 100.0
    assert _calls(compute_calls, "total") == [(order.id,)]  # only the order of the line
    assert order.total_x2 == 220.0  # and what depends on the total
    # adding and removing lines
    new = env[LINE].create({"order_id": order.id, "quantity": 3, "price": 1.0})
    assert order.total == 113.0
    new.unlink()
    assert order.total == 110.0
    order.write({"line_ids": [(5, 0, 0)]})
    assert order.total == 0.0
    assert _db(env, order, "total") == 0.0
    # moving a line from one order to another recomputes both
    moved = orders[0].line_ids[0]
    moved.order_id = orders[2]
    assert orders[0].total == 10.0
    assert orders[2].total == 50.0


def test_recompute_through_many2many(env, orders, compute_calls):
    tag = orders[0].tag_ids
    tag.name = "later"
    assert orders.mapped("tag_names") == ["later"] * 3
    assert _db(env, orders[2], "tag_names") == "later"
    other = env["test_orm.comp.tag"].create({"name": "alpha"})
    orders[0].write({"tag_ids": [(4, other.id)]})
    assert orders[0].tag_names == "alpha,later"
    assert orders[1].tag_names == "later"
    compute_calls.clear()
    other.name = "beta"
    assert orders[0].tag_names == "beta,later"
    assert _calls(compute_calls, "tag_names") == [(orders[0].id,)]
    orders[0].write({"tag_ids": [(3, tag.id)]})
    assert orders[0].tag_names == "beta"


def test_recompute_through_many2one(env, orders, compute_calls):
    partner = orders[0].partner_id
    partner.country_id.name = "Netherlands"
    assert orders.mapped("partner_country") == ["Netherlands"] * 3
    assert _db(env, orders[0], "partner_country") == "Netherlands"
    partner.name = "Acme 2"
    # through two many2one hops (line -> order -> partner)
    assert orders.mapped("line_ids.order_partner_name") == ["Acme 2"] * 6
    assert orders.mapped("partner_name") == ["Acme 2"] * 3  # stored related
    other = env["test_orm.comp.partner"].create({"name": "Other"})
    orders[1].partner_id = other
    assert orders[1].partner_country is False
    assert orders[1].line_ids.mapped("order_partner_name") == ["Other", "Other"]
    assert orders[0].line_ids.mapped("order_partner_name") == ["Acme 2", "Acme 2"]
    assert _db(env, orders[1].line_ids[0], "order_partner_name") == "Other"
    compute_calls.clear()
    env.flush_all()
    orders[2].discount = 1.0
    env.flush_all()
    assert not _calls(compute_calls, "partner_country")  # unrelated change: no recompute
    assert _calls(compute_calls, "total") == [(orders[2].id,)]


def test_recompute_is_batched_before_the_flush(env, orders, compute_calls):
    for order in orders:
        order.line_ids[0].price = 1.0
    assert not _calls(compute_calls, "total")  # nothing computed yet
    env.flush_all()
    assert sorted(ids for ids in _calls(compute_calls, "total")) == [tuple(sorted(orders.ids))]


def test_unlink_of_a_dependency_recomputes(env, orders):
    orders[0].line_ids[1].unlink()
    assert orders[0].total == 10.0
    assert _db(env, orders[0], "total") == 10.0


def test_statements_of_a_recompute_do_not_grow_with_the_records(env):
    partner = env["test_orm.comp.partner"].create({"name": "P"})

    def write_all(count):
        records = env[ORDER].create(
            [
                {
                    "name": f"n{i}",
                    "partner_id": partner.id,
                    "line_ids": [(0, 0, {"quantity": 1, "price": 1.0}) for _ in range(3)],
                }
                for i in range(count)
            ]
        )
        env.flush_all()
        env.invalidate_all()
        lines = env[LINE].search([("order_id", "in", records.ids)])
        with count_queries() as statements:
            lines.write({"quantity": 2})
            env.flush_all()
        assert records.mapped("total") == [6.0] * count
        return len(statements)

    assert write_all(10) == write_all(40)


# ---------------------------------------------------------------------------------------------
# non-stored computed fields
# ---------------------------------------------------------------------------------------------


def test_non_stored_computed_for_the_prefetch_set(env, orders, compute_calls):
    """As Odoo 17: reading a non-stored computed field on a record computes it for the
    records of its prefetch set without a value, in one call; a record browsed alone is
    computed alone."""
    env.invalidate_all()
    assert orders.browse(orders[1].id).line_count == 2
    assert _calls(compute_calls, "line_count") == [(orders[1].id,)]
    compute_calls.clear()
    records = orders.browse(orders.ids)
    assert records[1].line_count == 2  # cached
    assert not _calls(compute_calls, "line_count")
    assert [r.line_count for r in records] == [2, 2, 2]
    assert _calls(compute_calls, "line_count") == [(orders[0].id, orders[2].id)]
    compute_calls.clear()
    env.invalidate_all()
    assert records.mapped("line_count") == [2, 2, 2]  # asked for all: one call
    assert _calls(compute_calls, "line_count") == [tuple(orders.ids)]


def test_non_stored_computed_in_batch_on_a_union(env, orders, compute_calls, assert_query_count):
    """Records of a union (``|``) share its prefetch set: reading a non-stored computed field
    on each computes it once for all of them (one query here, not one per record)."""
    env.invalidate_all()
    first, second, third = (orders.browse(i) for i in orders.ids)
    union = first | second | third
    union.mapped("line_ids")  # the dependencies in cache: what is counted is the compute
    compute_calls.clear()
    with assert_query_count(1):
        assert [order.line_query_count for order in union] == [2, 2, 2]
    assert _calls(compute_calls, "line_query_count") == [tuple(orders.ids)]
    # the records already computed are left out
    orders.invalidate_model(["line_query_count"])
    assert first.line_query_count == 2  # alone: its own prefetch set
    compute_calls.clear()
    with assert_query_count(1):
        assert [order.line_query_count for order in first | second | third] == [2, 2, 2]
    assert _calls(compute_calls, "line_query_count") == [(orders[1].id, orders[2].id)]


def test_non_stored_depending_on_itself_is_computed_record_by_record(env):
    """A field depending on its own value through the parent (a menu's full path) is not
    computed for the prefetch set: the batch would read the values it is computing."""
    Menu = env["ir.ui.menu"]
    top = Menu.create({"name": "Top"})
    middle = Menu.create({"name": "Middle", "parent_id": top.id})
    leaf = Menu.create({"name": "Leaf", "parent_id": middle.id})
    env.flush_all()
    env.invalidate_all()
    menus = Menu.browse(leaf.id) | Menu.browse(middle.id) | Menu.browse(top.id)
    assert [menu.complete_name for menu in menus] == ["Top/Middle/Leaf", "Top/Middle", "Top"]


def test_non_stored_invalidated_by_dependencies(env, orders):
    order = orders[0]
    assert order.line_count == 2
    env[LINE].create({"order_id": order.id, "price": 1})
    assert order.line_count == 3
    assert order.upper_name == "O0"
    order.name = "changed"
    assert order.upper_name == "CHANGED"


def test_write_invalidates_non_stored_compute_through_relation(
    env, compute_calls, assert_query_count
):
    """A write drops the cached values of the non-stored computed fields depending on the
    written fields, on the record itself and through a many2one, so the next read recomputes
    them (a label from ``name`` and ``email`` shows ``email`` emptied). Dropping them costs
    no statement on the record itself; through the many2one, the one query finding the
    records that point to it."""
    Contact, Card = env["test_orm.comp.contact"], env["test_orm.comp.card"]
    ada, bob = Contact.create([{"name": "Ada", "email": "ada@x"}, {"name": "Bob"}])
    cards = Card.create([{"contact_id": ada.id}, {"contact_id": ada.id}, {"contact_id": bob.id}])
    env.flush_all()
    assert ada.label == "Ada <ada@x>"
    assert cards.mapped("contact_label") == ["Ada/ada@x", "Ada/ada@x", "Bob/"]
    compute_calls.clear()
    with assert_query_count(0):
        ada.write({"email": False})
        assert ada.label == "Ada <>"
    assert _calls(compute_calls, "label") == [(ada.id,)]
    with assert_query_count(0):  # the cards are found in the cache
        ada.write({"email": "ada@y", "name": "Ada L"})
    assert cards.mapped("contact_label") == ["Ada L/ada@y", "Ada L/ada@y", "Bob/"]
    assert ada.label == "Ada L <ada@y>"
    # moving a card to another contact recomputes it from the new one
    cards[1].contact_id = bob
    assert cards.mapped("contact_label") == ["Ada L/ada@y", "Bob/", "Bob/"]
    bob.email = "bob@x"
    assert cards.mapped("contact_label") == ["Ada L/ada@y", "Bob/bob@x", "Bob/bob@x"]
    env.flush_all()
    env.invalidate_all()
    assert cards.mapped("contact_label") == ["Ada L/ada@y", "Bob/bob@x", "Bob/bob@x"]
    # through a many2many
    red, blue = env["test_orm.comp.tag"].create([{"name": "red"}, {"name": "blue"}])
    cards[0].tag_ids = red | blue
    cards[1].tag_ids = blue
    assert cards.mapped("tag_label") == ["red,blue", "blue", False]
    with assert_query_count(1):  # the orders whose stored tag_names depend on it; no card
        blue.name = "navy"
    assert cards.mapped("tag_label") == ["red,navy", "navy", False]


def test_inverse(env, orders, compute_calls):
    order = orders[0]
    order.upper_name = "SHOUT"
    assert order.name == "shout"
    assert _calls(compute_calls, "inverse_upper_name") == [(order.id,)]
    assert _db(env, order, "name") == "shout"
    created = env[ORDER].create({"upper_name": "NEW"})
    assert created.name == "new"


def test_related_fields(env, orders):
    order = orders[0]
    partner = order.partner_id
    assert order.partner_city == "Liège"
    partner.city = "Namur"
    assert order.partner_city == "Namur"
    order.partner_city = "Gent"  # readonly=False: written through to the partner
    assert partner.city == "Gent"
    assert orders[1].partner_city == "Gent"
    assert env[ORDER]._fields["partner_name"].store
    assert env[ORDER].search([("id", "in", orders.ids), ("partner_city", "=", "Gent")]) == orders


def test_search_on_a_non_stored_compute(env, orders):
    orders[2].line_ids[0].price = 95.0
    scope = [("id", "in", orders.ids)]
    assert env[ORDER].search([*scope, ("is_big", "=", True)]) == orders[2]
    assert env[ORDER].search([*scope, ("is_big", "=", False)]) == orders[:2]
    assert env[ORDER].search([*scope, ("is_big", "!=", True)]) == orders[:2]
    with pytest.raises(ValueError):
        env[ORDER].search([("line_count", "=", 2)])  # no search method


def test_compute_sudo(env, orders, internal_user, compute_calls):
    as_user = orders[0].with_user(internal_user)
    assert as_user.sudo_flag is True
    assert as_user.user_flag is False
    assert [
        (name, su) for name, _ids, su in compute_calls if name in ("sudo_flag", "user_flag")
    ] == [("sudo_flag", True), ("user_flag", False)]
    assert env[ORDER]._fields["total"].compute_sudo is True  # stored computes default to sudo
    assert env[ORDER]._fields["line_count"].compute_sudo is False


def test_precompute_is_sent_with_the_insert(env, compute_calls):
    with count_queries() as statements:
        order = env[ORDER].create({"name": "pre"})
        env.flush_all()
    rendered = [s.as_string(None) if hasattr(s, "as_string") else str(s) for s in statements]
    inserts = [s for s in rendered if s.startswith('INSERT INTO "test_orm_comp_order"')]
    updates = [s for s in rendered if s.startswith('UPDATE "test_orm_comp_order"')]
    assert len(inserts) == 1 and '"reference"' in inserts[0]
    assert not any('"reference"' in s for s in updates)
    assert order.reference == "REF-pre"
    assert _db(env, order, "reference") == "REF-pre"
    order.name = "post"
    assert order.reference == "REF-post"


def test_depends_context(env, orders, compute_calls):
    order = orders[0]
    assert order.with_context(lang="fr_FR").greeting == "fr_FR:o0"
    assert order.with_context(lang="nl_BE").greeting == "nl_BE:o0"
    assert order.greeting == "none:o0"
    compute_calls.clear()
    assert order.with_context(lang="fr_FR").greeting == "fr_FR:o0"  # cached per context value
    assert order.with_context(lang="fr_FR", other=1).greeting == "fr_FR:o0"
    assert not _calls(compute_calls, "greeting")


def test_written_value_of_a_stored_compute_is_kept(env, orders):
    order = env[ORDER].create({"name": "given", "total": 12.5})
    assert order.total == 12.5
    assert _db(env, order, "total") == 12.5


def test_deleting_a_dependency_target_recomputes(env):
    partner = env["test_orm.comp.partner"].create({"name": "P"})
    tag = env["test_orm.comp.tag"].create({"name": "t"})
    order = env[ORDER].create(
        {
            "name": "o",
            "partner_id": partner.id,
            "tag_ids": [(4, tag.id)],
            "line_ids": [(0, 0, {"price": 1})],
        }
    )
    env.flush_all()
    assert (order.partner_name, order.tag_names) == ("P", "t")
    partner.unlink()  # the database nullifies the many2one: what depended on it follows
    tag.unlink()  # the relation row goes by cascade
    assert not order.partner_id
    assert order.partner_name is False
    assert order.tag_names is False
    assert order.line_ids.order_partner_name is False
    assert _db(env, order, "partner_name") is None
    assert _db(env, order.line_ids, "order_partner_name") is None


def test_related_inverse_on_several_records(env):
    p1, p2 = env["test_orm.comp.partner"].create([{"name": "P1"}, {"name": "P2"}])
    orders = env[ORDER].create([{"partner_id": p1.id}, {"partner_id": p2.id}])
    orders.write({"partner_city": "X"})
    assert (p1.city, p2.city) == ("X", "X")
    orders[0].partner_id = p2
    assert orders[0].partner_name == "P2"


def test_precompute_waits_for_lines_given_at_create(env, compute_calls):
    with_lines, without = env[ORDER].create(
        [{"name": "l", "line_ids": [(0, 0, {"price": 2.0}), (0, 0, {"price": 3.0})]}, {"name": "n"}]
    )
    assert with_lines.line_price_sum == 5.0
    assert without.line_price_sum == 0.0
    assert _db(env, with_lines, "line_price_sum") == 5.0
    # the row without lines was computed before the INSERT, the other after it
    assert _calls(compute_calls, "line_price_sum")[-1] == (with_lines.id,)
