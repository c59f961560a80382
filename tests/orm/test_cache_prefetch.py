"""The cache: prefetching, batches of 1,000, buffered writes flushed before anything that could
see them, one UPDATE per set of columns, multi-row INSERTs, batched display names."""

from __future__ import annotations

import uuid

import pytest

from erplite import SUPERUSER_ID, api
from erplite.sql import SQL, count_queries

TAG = "test_orm.fields.tag"
FIELDS = "test_orm.fields"


def _text(statement) -> str:
    return statement.as_string(None) if hasattr(statement, "as_string") else str(statement)


def _fresh(records):
    records.env.flush_all()
    records.env.invalidate_all()
    return records.browse(records.ids)


@pytest.fixture
def tags(env):
    return env[TAG].create([{"name": f"t{i}", "color": i} for i in range(10)])


# ---------------------------------------------------------------------------------------------
# prefetching
# ---------------------------------------------------------------------------------------------


def test_one_field_fetches_every_stored_column_of_the_prefetch_set(env, tags, assert_query_count):
    records = _fresh(tags)
    with assert_query_count(1) as statements:
        assert records[3].name == "t3"
    text = _text(statements[0])
    for column in ("name", "color", "create_date", "write_uid"):
        assert f'"{column}"' in text
    with assert_query_count(0):
        assert [r.color for r in records] == list(range(10))
        assert records[7].create_uid == env.user


def test_non_prefetched_fields_are_fetched_alone(env, assert_query_count):
    records = env[FIELDS].create([{"name": f"r{i}", "data": b"blob"} for i in range(3)])
    records = _fresh(records)
    with assert_query_count(1) as statements:
        assert records[0].name == "r0"
    assert '"data"' not in _text(statements[0])  # binary: prefetch=False
    with assert_query_count(1):
        assert records[0].data == b"blob"


def test_prefetch_follows_relations(env, assert_query_count):
    targets = env["test_orm.target"].create([{"name": f"T{i}"} for i in range(5)])
    records = env[FIELDS].create([{"name": f"r{i}", "target_id": targets[i].id} for i in range(5)])
    records = _fresh(records)
    # the records, with every target at once (LEFT JOIN of the many2one being read)
    with assert_query_count(1):
        assert [r.target_id.name for r in records] == [f"T{i}" for i in range(5)]


def test_batches_of_1000(env, assert_query_count):
    records = env[TAG].create([{"name": f"b{i}"} for i in range(1500)])
    records = _fresh(records)
    with assert_query_count(2):
        names = [record.name for record in records]
    assert names == [f"b{i}" for i in range(1500)]


def test_mapped_on_1500_records_costs_one_query(env, assert_query_count):
    records = _fresh(env[TAG].create([{"name": f"m{i}"} for i in range(1500)]))
    with assert_query_count(1, at_most=True):
        assert len(records.mapped("name")) == 1500


def test_read_batches_many2one_display_names(env, assert_query_count):
    targets = env["test_orm.target"].create([{"name": f"T{i}"} for i in range(5)])
    records = env[FIELDS].create([{"name": f"r{i}", "target_id": targets[i].id} for i in range(5)])
    records = _fresh(records)
    with assert_query_count(2):
        rows = records.read(["name", "target_id"])
    assert [row["target_id"][1] for row in rows] == [f"T{i}" for i in range(5)]


# ---------------------------------------------------------------------------------------------
# buffered writes
# ---------------------------------------------------------------------------------------------


def test_writes_are_buffered_until_a_flush(env, tags, assert_query_count):
    records = _fresh(tags)
    records.mapped("name")
    with assert_query_count(0):
        records[0].name = "changed"
        records[1].write({"color": 99})
        assert records[0].name == "changed"
    # two sets of columns ({name}, {color}): two UPDATEs, sent as one statement
    with assert_query_count(1) as statements:
        env.flush_all()
    assert _text(statements[0]).count("UPDATE") == 2


def test_one_update_per_set_of_columns(env, tags, assert_query_count):
    records = _fresh(tags)
    records.mapped("name")
    for index, record in enumerate(records[:5]):
        record.name = f"renamed {index}"  # five different values, one set of columns
    records[5:].write({"color": 7})  # another set of columns, one value
    records[0].color = 1  # record 0 now writes {name, color}: a third set
    # three UPDATEs, in one statement (the first two as data-modifying CTEs)
    with assert_query_count(1) as statements:
        env.flush_all()
    assert _text(statements[0]).startswith("WITH")
    assert _text(statements[0]).count("UPDATE") == 3
    records = _fresh(records)
    assert records.mapped("name")[:5] == [f"renamed {i}" for i in range(5)]
    assert records.mapped("color") == [1, 1, 2, 3, 4, 7, 7, 7, 7, 7]


def test_same_value_on_many_records_is_one_update(env, assert_query_count):
    records = _fresh(env[TAG].create([{"name": f"s{i}"} for i in range(300)]))
    records.write({"color": 5})
    with assert_query_count(1):
        env.flush_all()


def test_search_flushes_what_it_reads(env, tags, assert_query_count):
    tags[0].name = "needle"
    with assert_query_count(2) as statements:  # the UPDATE, then the SELECT
        found = env[TAG].search([("name", "=", "needle")])
    assert found == tags[0]
    assert _text(statements[0]).startswith("UPDATE")


def test_read_group_flushes(env, tags):
    tags.write({"color": 1})
    [group] = env[TAG].read_group([("id", "in", tags.ids)], ["color:sum"], [])
    assert group["color"] == 10


def test_raw_sql_flushes(env, tags):
    tags[2].name = "raw"
    env.cr.execute(SQL("SELECT name FROM test_orm_fields_tag WHERE id = %s", tags[2].id))
    assert env.cr.fetchone()[0] == "raw"


def test_commit_flushes(registry):
    name = f"commit-{uuid.uuid4().hex[:8]}"
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tag = env[TAG].create({"name": name})
            cr.commit()
            tag.color = 42  # pending when the block ends: the commit sends it
        with registry.cursor() as check:
            check.execute(SQL("SELECT color FROM test_orm_fields_tag WHERE name = %s", name))
            assert check.fetchone()[0] == 42
    finally:
        with registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM test_orm_fields_tag WHERE name = %s", name))


# ---------------------------------------------------------------------------------------------
# multi-row INSERT
# ---------------------------------------------------------------------------------------------


def test_create_many_is_one_insert(env, assert_query_count):
    with assert_query_count(1) as statements:
        records = env[TAG].create([{"name": f"c{i}", "color": i} for i in range(200)])
    assert _text(statements[0]).startswith("INSERT")
    assert len(records) == 200
    with assert_query_count(0):  # what was inserted is in the cache
        assert records[150].name == "c150"
        assert records[150].color == 150


def test_create_with_different_columns_is_still_one_insert(env, assert_query_count):
    with assert_query_count(1):
        records = env[TAG].create([{"name": "only name"}, {"color": 3}, {}])
    assert records.mapped("name") == ["only name", False, False]
    assert records.mapped("color") == [0, 3, 0]


def test_statements_do_not_grow_with_records(env):
    def cost(count):
        with count_queries() as statements:
            records = env[TAG].create([{"name": f"g{i}"} for i in range(count)])
            records.write({"color": 3})
            env.flush_all()
            env.invalidate_all()
            records.browse(records.ids).mapped("color")
        return len(statements)

    assert cost(10) == cost(500)


def test_a_large_batch_fetches_its_many2one_targets_in_a_statement_of_their_own(env, monkeypatch):
    """A small batch reading a many2one joins the targets' columns (one statement); a batch
    beyond ``JOIN_MAX`` does not (the join would repeat them on every row): the targets come
    in a second statement, when first read."""
    from erplite.orm import model_fetch
    from erplite.sql import count_queries

    partners = env["test_orm.comp.partner"].create([{"name": f"JP{i}"} for i in range(3)])
    orders = env["test_orm.comp.order"].create(
        [{"name": f"JO{i}", "partner_id": partner.id} for i, partner in enumerate(partners)]
    )
    env.flush_all()
    for join_max, statements in ((100, 1), (2, 2)):
        monkeypatch.setattr(model_fetch, "JOIN_MAX", join_max)
        env.invalidate_all()
        with count_queries() as queries:
            names = [order.partner_id.name for order in orders.browse(orders.ids)]
        assert names == ["JP0", "JP1", "JP2"]
        assert len(queries) == statements, (join_max, queries)


def test_an_inherits_child_fetches_its_parents_columns_in_the_same_query(
    env, assert_query_count, monkeypatch
):
    """Whatever field of an ``_inherits`` child is read first, its parent's columns come with
    its row (one query for ``owner.leash`` then ``owner.name``); without the join (a batch
    over ``JOIN_MAX``) the parents are fetched apart, with the same values."""
    from erplite.orm import model_fetch

    owners = env["test_orm.owner"].create(
        [{"name": f"Rex {i}", "leash": f"red {i}"} for i in range(3)]
    )
    owners = _fresh(owners)
    with assert_query_count(1) as statements:
        assert [o.leash for o in owners] == ["red 0", "red 1", "red 2"]
        assert [o.name for o in owners] == ["Rex 0", "Rex 1", "Rex 2"]
    assert "LEFT JOIN" in _text(statements[0])
    monkeypatch.setattr(model_fetch, "JOIN_MAX", 2)
    owners = _fresh(owners)
    with assert_query_count(2) as statements:
        assert [o.leash for o in owners] == ["red 0", "red 1", "red 2"]
        assert [o.name for o in owners] == ["Rex 0", "Rex 1", "Rex 2"]
    assert "JOIN" not in _text(statements[0])
