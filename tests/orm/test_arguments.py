"""The ORM's argument checks (``erplite.orm.arguments``): each kind of mistake raises Odoo 17's
type (``ValueError`` for a domain, field, order, limit, offset, context key; ``ValidationError``
for a value) marked as the caller's, names the argument, and is refused before any SQL."""

from __future__ import annotations

import pytest

from erplite.exceptions import InvalidArgument, InvalidValue, ValidationError
from erplite.orm import arguments

FIELDS = "test_orm.fields"


def test_limit_offset_and_order_are_normalised_or_refused():
    assert arguments.check_limit(None) is None
    assert arguments.check_limit(False) is None
    assert arguments.check_limit(0) == 0
    assert arguments.check_limit(80) == 80
    for bad in (-1, "10", 1.5, True, [1]):
        with pytest.raises(InvalidArgument, match=rf"Invalid limit {bad!r}".replace("[", r"\[")):
            arguments.check_limit(bad)
    assert arguments.check_offset(None) == 0
    assert arguments.check_offset(False) == 0
    assert arguments.check_offset(7) == 7
    for bad in (-5, "5", 2.0, True):
        with pytest.raises(InvalidArgument, match="Invalid offset"):
            arguments.check_offset(bad)
    assert arguments.check_order("name desc") == "name desc"
    assert arguments.check_order(False) is None
    with pytest.raises(InvalidArgument, match="Invalid order 3"):
        arguments.check_order(3)


def test_the_exceptions_are_odoos_types():
    assert issubclass(InvalidArgument, ValueError)
    assert issubclass(InvalidValue, ValidationError) and issubclass(InvalidValue, ValueError)
    assert InvalidArgument.serialized_name == "builtins.ValueError"
    assert InvalidValue.serialized_name == "erplite.exceptions.ValidationError"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": -1}, r"Invalid limit -1"),
        ({"limit": "10"}, r"Invalid limit '10'"),
        ({"offset": -5}, r"Invalid offset -5"),
        ({"order": "id; DROP TABLE x"}, r"Invalid order 'id; DROP TABLE x' for model test_orm"),
        ({"order": 5}, r"Invalid order 5"),
        ({"order": "name:century"}, r"invalid date granularity|Invalid order"),
    ],
)
def test_search_refuses_bad_paging_before_sql(env, assert_query_count, kwargs, message):
    model = env[FIELDS]
    with assert_query_count(0):
        with pytest.raises(InvalidArgument, match=message):
            model.search([], **kwargs)
        with pytest.raises(InvalidArgument, match=message):
            model.search_read([], ["name"], **kwargs)


def test_read_group_refuses_bad_paging(env):
    with pytest.raises(InvalidArgument, match="Invalid offset -1"):
        env[FIELDS].read_group([], ["count:sum"], ["state"], offset=-1)
    with pytest.raises(InvalidArgument, match="Invalid limit 'x'"):
        env[FIELDS]._read_group([], ["state"], ["__count"], limit="x")


def test_paging_that_odoo_accepts_still_works(env):
    model = env[FIELDS]
    records = model.create([{"name": f"p{i}"} for i in range(3)])
    assert model.search([("id", "in", records.ids)], limit=False, offset=False) == records
    assert model.search([("id", "in", records.ids)], limit=0) == model.browse()
    assert model.search([("id", "in", records.ids)], order=False) == records


def test_field_names(env):
    model = env[FIELDS]
    record = model.create({"name": "x"})
    for names in (["nope"], ['name"'], [1], "name"):
        with pytest.raises(InvalidArgument, match="Invalid field"):
            record.read(names)
        with pytest.raises(InvalidArgument, match="Invalid field"):
            model.search_read([], names)


def test_domains(env, assert_query_count):
    model = env[FIELDS]
    with assert_query_count(0):
        with pytest.raises(InvalidArgument, match=r"Invalid domain 'bad'"):
            model.search("bad")
        with pytest.raises(InvalidArgument, match=r"Invalid domain term 42"):
            model.search([42])
        with pytest.raises(InvalidArgument, match=r"Invalid domain: Wrong value for .*count"):
            model.search([("count", "=", "twelve")])
        with pytest.raises(InvalidArgument, match=r"NUL"):
            model.search([("name", "=", "a\x00b")])
        with pytest.raises(InvalidArgument, match=r"NUL"):
            model.search([("name", "not ilike", "a\x00b")])


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ([("state", "=", {})], r"Invalid value \{\} for field 'state' in domain term \('state', '=', \{\}\)"),
        ([("name", "in", [{"a": 1}])], r"Invalid value \{'a': 1\} for field 'name' in domain term"),
        ([("target_id", "=", {"id": 1})], r"Invalid value \{'id': 1\} for field 'target_id'"),
        ([("target_id.name", "!=", {})], r"Invalid value \{\} for field 'name'"),
        ([("name", "=", b"x")], r"Invalid value b'x' for field 'name'"),
        ([("id", "=", "\u00e9")], r"Invalid domain: Wrong value for test_orm.fields.id: '\u00e9'"),
        ([("id", "in", [{}])], r"Invalid value \{\} for field 'id'"),
        ([("id", "in", [[1]])], r"Invalid domain: Wrong value for test_orm.fields.id: \[1\]"),
    ],
)  # fmt: skip
def test_domain_values_no_field_takes_are_refused_before_sql(
    env, assert_query_count, domain, message
):
    model = env[FIELDS]
    with assert_query_count(0):
        with pytest.raises(InvalidArgument, match=message):
            model.search(domain)


def test_domain_values_fields_take_still_work(env):
    model = env[FIELDS]
    target = env["test_orm.target"].create({"name": "t"})
    record = model.create({"name": "x", "target_id": target.id, "payload": {"a": 1}})
    assert model.search([("target_id", "in", [[target.id, "t"]])]) == record
    assert model.search([("target_id", "=", target)]) == record
    assert model.search([("id", "in", [record.id, False])]) == record
    assert model.search([("payload", "=", {"a": 1})]) == record


def test_default_get_needs_a_list_of_field_names(env):
    model = env[FIELDS]
    assert model.default_get(["greeting"]) == {"greeting": "hello"}
    assert model.default_get({"greeting"}) == {"greeting": "hello"}
    for bad, message in (
        (None, r"Invalid fields_list None for model 'test_orm.fields'"),
        ("greeting", r"Invalid fields_list 'greeting'"),
        ([{}], r"Invalid field \{\} on model 'test_orm.fields' in fields_list"),
        (["nope"], r"Invalid field 'nope' on model 'test_orm.fields' in fields_list"),
    ):
        with pytest.raises(InvalidArgument, match=message):
            model.default_get(bad)


def test_child_of_needs_a_parent_field(env):
    model = env[FIELDS]
    record = model.create({"name": "x"})
    with pytest.raises(InvalidArgument, match=r"'child_of' on model 'test_orm.fields'.*parent_id"):
        model.search([("id", "child_of", record.id)])
    with pytest.raises(InvalidArgument, match=r"'parent_of' on model 'test_orm.fields'"):
        record.filtered_domain([("id", "parent_of", record.id)])


def test_allowed_company_ids_must_be_a_list_of_ids(env):
    user = env["res.users"].create({"name": "Arg", "login": "arguments_user"})
    for bad in ("abc", 5, [[1]], [None], {"a": 1}):
        with pytest.raises(InvalidArgument, match="allowed_company_ids"):
            env[FIELDS].with_user(user).with_context(allowed_company_ids=bad)


@pytest.mark.parametrize(
    ("vals", "message"),
    [
        ({"count": "twelve"}, r"test_orm.fields.count: 'twelve'"),
        ({"count": 2**40}, r"test_orm.fields.count: 1099511627776 \(out of the range"),
        ({"name": "a\x00b"}, r"test_orm.fields.name: .* \(text cannot contain NUL"),
        ({"code": "TOO LONG"}, r"test_orm.fields.code: 'TOO LONG' \(value too long"),
        ({"tag_ids": [("x",)]}, r"test_orm.fields.tag_ids: .*invalid command"),
        ({"tag_ids": [(4, 2**40)]}, r"test_orm.fields.tag_ids: \(4, 1099511627776\)"),
        ({"target_id": 2**40}, r"test_orm.fields.target_id: 1099511627776 \(out of the range"),
        ({"state": "unknown"}, r"test_orm.fields.state: 'unknown'"),
    ],
)
def test_wrong_values_are_validation_errors(env, vals, message):
    with pytest.raises(InvalidValue, match=rf"Wrong value for {message}"):
        env[FIELDS].create(vals)
    record = env[FIELDS].create({"name": "ok"})
    with pytest.raises(ValidationError, match=message):
        record.write(vals)


def test_create_and_write_need_dicts(env):
    with pytest.raises(InvalidArgument, match=r"create\(\) on test_orm.fields expects dicts"):
        env[FIELDS].create(["name"])
    record = env[FIELDS].create({"name": "x"})
    with pytest.raises(InvalidArgument, match=r"write\(\) on test_orm.fields expects a dict"):
        record.write([("name", "y")])
