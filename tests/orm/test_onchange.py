"""``onchange(values, field_names, fields_spec)`` (Odoo 17): computed fields and ``@api.onchange``
methods evaluated on temporary records, warnings passed back, nothing written."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError, InvalidArgument, InvalidValue
from erplite.sql import count_queries

ORDER = "test_orm.onchange.order"
SPEC = {
    "name": {},
    "reference": {},
    "discount": {},
    "total": {},
    "line_count": {},
    "line_ids": {"fields": {"quantity": {}, "price": {}, "subtotal": {}}},
}


def _text(statement) -> str:
    return statement.as_string(None) if hasattr(statement, "as_string") else str(statement)


def _writes(statements) -> list[str]:
    return [
        _text(s)
        for s in statements
        if _text(s).lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_new_form_gives_defaults_and_computed_values(env):
    result = env[ORDER].onchange({}, [], SPEC)
    value = result["value"]
    assert value["name"] == "New"
    assert value["total"] == 0.0
    assert value["line_count"] == 0
    assert value["line_ids"] == [(5,)]
    assert "warning" not in result


def test_lines_compute_subtotals_and_the_total_without_writing(env):
    env.flush_all()
    lines = [(0, 0, {"quantity": 2, "price": 10.0}), (0, 0, {"quantity": 3, "price": 5.0})]
    with count_queries() as statements:
        result = env[ORDER].onchange(
            {"name": "A", "discount": 10.0, "line_ids": lines}, ["line_ids"], SPEC
        )
    assert _writes(statements) == []
    value = result["value"]
    assert value["total"] == pytest.approx(31.5)  # (20 + 15) * 0.9
    assert value["line_count"] == 2
    assert value["line_ids"] == [
        (5,),
        (0, 0, {"quantity": 2.0, "price": 10.0, "subtotal": 20.0}),
        (0, 0, {"quantity": 3.0, "price": 5.0, "subtotal": 15.0}),
    ]
    # the values sent and unchanged are not sent back
    assert "name" not in value and "discount" not in value
    assert env[ORDER].search_count([]) == 0
    assert env["test_orm.onchange.line"].search_count([]) == 0
    assert not env.transaction.towrite and not env.transaction.tocompute


def test_onchange_method_fills_a_field(env):
    result = env[ORDER].onchange({"name": "spring sale", "reference": False}, ["name"], SPEC)
    assert result["value"]["reference"] == "SPRING SALE"


def test_warning_of_an_onchange_method_is_passed_back(env):
    result = env[ORDER].onchange({"discount": 60.0, "line_ids": []}, ["discount"], SPEC)
    assert result["warning"] == {
        "title": "Large discount",
        "message": "More than half off?",
        "type": "dialog",
    }
    calm = env[ORDER].onchange({"discount": 20.0}, ["discount"], SPEC)
    assert "warning" not in calm


def test_existing_record_with_an_updated_line(env):
    order = env[ORDER].create(
        {
            "name": "B",
            "line_ids": [
                (0, 0, {"quantity": 1, "price": 7.0}),
                (0, 0, {"quantity": 1, "price": 3.0}),
            ],
        }
    )
    first, second = order.line_ids
    env.flush_all()
    with count_queries() as statements:
        result = order.onchange({"line_ids": [(1, first.id, {"quantity": 4})]}, ["line_ids"], SPEC)
    assert _writes(statements) == []
    value = result["value"]
    assert value["total"] == pytest.approx(31.0)
    assert value["line_ids"][1] == (1, first.id, {"quantity": 4.0, "price": 7.0, "subtotal": 28.0})
    order.invalidate_recordset()
    first.invalidate_recordset()
    assert order.total == 10.0 and first.quantity == 1.0


@pytest.mark.parametrize(
    ("values", "names", "spec", "error", "text"),
    [
        ({"nope": 1}, ["nope"], SPEC, InvalidArgument, "nope"),
        ({}, ["name"], {"bogus": {}}, InvalidArgument, "bogus"),
        ("name", [], SPEC, InvalidArgument, "values"),
        ({}, "name", SPEC, InvalidArgument, "field_names"),
        ({"line_ids": 5}, ["line_ids"], SPEC, InvalidArgument, "line_ids"),
        ({"line_ids": [(9, 1)]}, ["line_ids"], SPEC, InvalidArgument, "unknown command"),
        ({"discount": "lots"}, ["discount"], SPEC, InvalidValue, "discount"),
    ],
)
def test_invalid_arguments_are_client_errors(env, values, names, spec, error, text):
    with pytest.raises(error, match=text):
        env[ORDER].onchange(values, names, spec)
    assert not env.transaction.tocompute


def test_onchange_needs_read_access(env):
    nobody = env["res.users"].create(
        {"name": "No Groups", "login": "no.groups", "groups_id": [(6, 0, [])]}
    )
    with pytest.raises(AccessError):
        env[ORDER].with_user(nobody).onchange({}, [], SPEC)


def test_internal_user_may_call_it(env, internal_user):
    result = (
        env[ORDER]
        .with_user(internal_user)
        .onchange({"line_ids": [(0, 0, {"quantity": 2, "price": 4.0})]}, ["line_ids"], SPEC)
    )
    assert result["value"]["total"] == 8.0


def test_an_onchange_method_proposes_lines_as_commands(env):
    """An ``@api.onchange`` method assigning commands to a one2many of a new record: the
    answer has the new lines as ``CREATE`` commands with their computed values, the total
    follows them, nothing is written (Odoo 17's ``onchange`` returns them in ``value``)."""
    env.flush_all()
    spec = {**SPEC, "preset": {}}
    with count_queries() as statements:
        result = env[ORDER].onchange({"preset": "pair", "line_ids": []}, ["preset"], spec)
    assert _writes(statements) == []
    value = result["value"]
    assert value["line_ids"] == [
        (5,),
        (0, 0, {"quantity": 2.0, "price": 3.0, "subtotal": 6.0}),
        (0, 0, {"quantity": 1.0, "price": 10.0, "subtotal": 10.0}),
    ]
    assert value["total"] == pytest.approx(16.0)
    assert value["line_count"] == 2
    assert env["test_orm.onchange.line"].search_count([]) == 0
    assert not env.transaction.towrite and not env.transaction.tocompute
    # on an existing order: its lines replaced in the answer only
    order = env[ORDER].create({"line_ids": [(0, 0, {"quantity": 5, "price": 1.0})]})
    old = order.line_ids
    answer = order.onchange({"preset": "none"}, ["preset"], spec)["value"]
    assert answer["line_ids"] == [(5,)] and answer["total"] == 0.0
    assert order.line_ids == old and order.total == 5.0
