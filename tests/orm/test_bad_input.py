"""Bad input gets a precise error, and no text built from input ever reaches PostgreSQL."""

from __future__ import annotations

import pytest

from erplite.exceptions import ValidationError
from erplite.sql import SQL

FIELDS = "test_orm.fields"
NAMED = r"test_orm\.fields.*nope|nope.*test_orm\.fields"


# ---------------------------------------------------------------------------------------------
# unknown fields name the model and the field
# ---------------------------------------------------------------------------------------------


def test_unknown_field_in_a_domain(env):
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].search([("nope", "=", 1)])
    with pytest.raises(ValueError, match=r"test_orm\.target.*nope|nope.*test_orm\.target"):
        env[FIELDS].search([("target_id.nope", "=", 1)])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].search_count([("nope", "=", 1)])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].read_group([("nope", "=", 1)], ["count"], [])


def test_unknown_field_in_values(env):
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].create({"name": "x", "nope": 1})
    record = env[FIELDS].create({"name": "x"})
    with pytest.raises(ValueError, match=NAMED):
        record.write({"nope": 1})
    with pytest.raises(ValueError, match=NAMED):
        record.read(["name", "nope"])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].search_read([], ["nope"])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].default_get(["nope"])


def test_unknown_field_in_an_order(env):
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].search([], order="nope desc")
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].search([], order="name, nope")
    with pytest.raises(ValueError, match=r"test_orm\.target.*nope|nope.*test_orm\.target"):
        env[FIELDS].search([], order="target_id.nope")


def test_unknown_field_in_a_groupby(env):
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].read_group([], ["count:sum"], ["nope"])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS].read_group([], ["nope:sum"], ["state"])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS]._read_group([], ["nope"], ["__count"])
    with pytest.raises(ValueError, match=NAMED):
        env[FIELDS]._read_group([], ["state"], ["nope:sum"])


# ---------------------------------------------------------------------------------------------
# unknown operators, aggregates and granularities are named
# ---------------------------------------------------------------------------------------------


def test_unknown_operator_is_named(env):
    with pytest.raises(ValueError, match="'bogus'"):
        env[FIELDS].search([("name", "bogus", 1)])
    with pytest.raises(ValueError, match="'=='"):
        env[FIELDS].search([("name", "==", 1)])
    with pytest.raises(ValueError, match="'any'"):
        env[FIELDS].search([("name", "any", [])])


def test_unknown_aggregate_and_granularity_are_named(env):
    with pytest.raises(ValueError, match="'median'"):
        env[FIELDS].read_group([], ["count:median"], ["state"])
    with pytest.raises(ValueError, match="'century'"):
        env[FIELDS].read_group([], ["count:sum"], ["day:century"])
    with pytest.raises(ValueError, match="granularity|Granularity"):
        env[FIELDS].read_group([], ["count:sum"], ["name:month"])


# ---------------------------------------------------------------------------------------------
# values of the wrong type
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vals",
    [
        {"count": "twelve"},
        {"count": [1]},
        {"ratio": "x"},
        {"day": "2024-13-45"},
        {"day": 12},
        {"moment": "yesterday"},
        {"state": "unknown"},
        {"target_id": "T1"},
        {"target_id": 1.5},
        {"tag_ids": "a,b"},
        {"tag_ids": [("x",)]},
        {"payload": {1, 2}},
        {"code": "TOO LONG"},
        {"name": object()},
        {"data": 12},
    ],
)
def test_wrong_value_types_are_refused(env, vals):
    with pytest.raises((ValueError, ValidationError)):
        env[FIELDS].create(vals)


@pytest.mark.parametrize(
    "domain",
    [
        [("count", "=", "twelve")],
        [("count", "in", ["a"])],
        [("day", ">", "not a date")],
        [("moment", "<", "soon")],
        [("ratio", ">", "big")],
        [("id", "in", ["x"])],
    ],
)
def test_wrong_value_types_in_domains_are_refused_before_sql(env, domain, assert_query_count):
    with assert_query_count(0):
        with pytest.raises(ValueError):
            env[FIELDS].search(domain)


def test_required_value_missing(env):
    with pytest.raises(ValidationError, match="test_orm.required"):
        env["test_orm.required"].create({})


# ---------------------------------------------------------------------------------------------
# order strings are parsed, never spliced
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        "name; DROP TABLE test_orm_fields",
        "name desc, (select 1)",
        "(select 1)",
        "name desc; --",
        "id desc limit 1",
        "name asc asc",
        'name collate "C"',
        "name nulls",
        "name desc nulls sideways",
        "name, ",
        "1",
        "name desc,id) --",
        "count:month",
        "target_id.name.x",
    ],
)
def test_malicious_or_malformed_orders_are_refused(env, assert_query_count, order):
    with assert_query_count(0):
        with pytest.raises(ValueError):
            env[FIELDS].search([], order=order)
    env.cr.execute(SQL("SELECT count(*) FROM test_orm_fields"))  # still there


@pytest.mark.parametrize("orderby", ["count desc; DROP TABLE x", "(select 1)", "state, nope"])
def test_malicious_read_group_orders_are_refused(env, assert_query_count, orderby):
    with assert_query_count(0):
        with pytest.raises(ValueError):
            env[FIELDS].read_group([], ["count:sum"], ["state"], orderby=orderby)


@pytest.mark.parametrize("groupby", ["state; DROP TABLE x", "day:month'); --", "(select 1)"])
def test_malicious_groupbys_are_refused(env, assert_query_count, groupby):
    with assert_query_count(0):
        with pytest.raises(ValueError):
            env[FIELDS].read_group([], ["count:sum"], [groupby])


@pytest.mark.parametrize("spec", ["count:sum); DROP TABLE x; --", "count:sum(count)", "(select 1)"])
def test_malicious_aggregates_are_refused(env, assert_query_count, spec):
    with assert_query_count(0):
        with pytest.raises(ValueError):
            env[FIELDS]._read_group([], ["state"], [spec])


def test_field_names_from_input_are_refused(env, assert_query_count):
    with assert_query_count(0):
        with pytest.raises(ValueError):
            env[FIELDS].search([('name" = name OR 1=1 --', "=", "x")])


def test_values_are_parameters(env):
    hostile = "x'); DROP TABLE test_orm_fields; --"
    record = env[FIELDS].create({"name": hostile})
    assert env[FIELDS].search([("name", "=", hostile)]) == record
    assert env[FIELDS].search([("name", "ilike", "'); DROP")]) == record
    env.invalidate_all()
    assert record.name == hostile
    env.cr.execute(SQL("SELECT count(*) FROM test_orm_fields WHERE name = %s", hostile))
    assert env.cr.fetchone()[0] == 1
