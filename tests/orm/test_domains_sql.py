"""Domains against data: every operator, Odoo 17's NULL semantics, dotted paths through every
relation type, child_of/parent_of, active_test, ordering; and ``filtered_domain`` agreeing with
``search`` on the same domains."""

from __future__ import annotations

import datetime

import pytest

FIELDS = "test_orm.fields"


@pytest.fixture
def data(env):
    """Five records of ``test_orm.fields`` with values and holes (NULLs)."""
    Tag = env["test_orm.fields.tag"]
    tag_a, tag_b, tag_c = Tag.create([{"name": "a"}, {"name": "b"}, {"name": "c"}])
    Target = env["test_orm.target"]
    t1, t2 = Target.create([{"name": "T1", "sequence": 2}, {"name": "T2", "sequence": 1}])
    records = env[FIELDS].create(
        [
            {
                "name": "Alpha",
                "count": 1,
                "ratio": 1.5,
                "flag": True,
                "day": "2024-01-10",
                "moment": "2024-01-10 10:00:00",
                "state": "draft",
                "target_id": t1.id,
                "tag_ids": [(6, 0, [tag_a.id, tag_b.id])],
                "line_ids": [(0, 0, {"name": "l1", "value": 5, "tag_ids": [(6, 0, [tag_c.id])]})],
            },
            {
                "name": "beta",
                "count": 2,
                "ratio": 0.0,
                "flag": False,
                "day": "2024-02-10",
                "moment": "2024-02-10 23:30:00",
                "state": "done",
                "target_id": t2.id,
                "tag_ids": [(6, 0, [tag_b.id])],
                "line_ids": [
                    (0, 0, {"name": "l2", "value": 1}),
                    (0, 0, {"name": "l3", "value": 9}),
                ],
            },
            {"name": "Gamma_x%", "state": False},
            {"count": 0, "state": "done", "target_id": t1.id},
            {"name": "alphabet", "count": 5, "ratio": -2.0, "day": "2023-12-31", "state": "draft"},
        ]
    )
    env.flush_all()
    return {"records": records, "tags": (tag_a, tag_b, tag_c), "targets": (t1, t2)}


def _names(records):
    return [r.name for r in records]


def _search(env, data, domain, **kwargs):
    """Search restricted to the fixture's records; returns the set of their indexes."""
    records = data["records"]
    found = env[FIELDS].search([("id", "in", records.ids), *domain], **kwargs)
    return {records.ids.index(i) for i in found.ids}


# ---------------------------------------------------------------------------------------------
# every operator
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain, expected",
    [
        ([("name", "=", "Alpha")], {0}),
        ([("name", "!=", "Alpha")], {1, 2, 3, 4}),  # NULL included
        ([("count", "<", 2)], {0, 3}),  # NULL excluded
        ([("count", "<=", 2)], {0, 1, 3}),
        ([("count", ">", 1)], {1, 4}),
        ([("count", ">=", 1)], {0, 1, 4}),
        ([("ratio", ">", 0)], {0}),
        ([("name", "=?", False)], {0, 1, 2, 3, 4}),
        ([("name", "=?", "beta")], {1}),
        ([("name", "like", "lpha")], {0, 4}),
        ([("name", "like", "ALPHA")], set()),
        ([("name", "ilike", "ALPHA")], {0, 4}),
        ([("name", "not like", "lpha")], {1, 2, 3}),  # NULL included
        ([("name", "not ilike", "ALPHA")], {1, 2, 3}),
        ([("name", "=like", "Alph%")], {0}),
        ([("name", "=like", "alph_")], set()),
        ([("name", "=ilike", "alph_")], {0}),
        ([("name", "=ilike", "ALPHABET")], {4}),
        ([("name", "like", "a_x")], {2}),  # "_" is a wildcard, as in Odoo 17
        ([("name", "in", ["Alpha", "beta"])], {0, 1}),
        ([("name", "not in", ["Alpha", "beta"])], {2, 3, 4}),
        ([("state", "in", ["done"])], {1, 3}),
        ([("day", ">", "2024-01-01")], {0, 1}),
        ([("day", "<", datetime.date(2024, 1, 1))], {4}),
        ([("moment", "<=", "2024-02-10")], {0, 1}),  # a date covers the whole day
        ([("moment", ">", "2024-01-10")], {1}),
        ([("moment", "=", datetime.datetime(2024, 1, 10, 10, 0))], {0}),
        ([("flag", "=", True)], {0}),
        ([("flag", "=", False)], {1, 2, 3, 4}),  # an empty boolean is False
        ([("flag", "!=", True)], {1, 2, 3, 4}),
        ([("flag", "in", [False])], {1, 2, 3, 4}),
        ([("id", "!=", False)], {0, 1, 2, 3, 4}),
        # 0 is a number, not NULL, for ids too
        ([("id", ">", 0)], {0, 1, 2, 3, 4}),
        ([("id", ">=", 0)], {0, 1, 2, 3, 4}),
        ([("id", "!=", 0)], {0, 1, 2, 3, 4}),
        ([("id", "not in", [0])], {0, 1, 2, 3, 4}),
        ([("id", "=", 0)], set()),
        ([("id", "<", 0)], set()),
        (["|", ("id", ">", 0), ("id", "=", 0)], {0, 1, 2, 3, 4}),
    ],
)
def test_operators(env, data, domain, expected):
    assert _search(env, data, domain) == expected


# ---------------------------------------------------------------------------------------------
# NULL semantics
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain, expected",
    [
        ([("name", "=", False)], {3}),  # IS NULL
        ([("name", "!=", False)], {0, 1, 2, 4}),
        ([("count", "=", False)], {2}),  # 0 is not NULL
        ([("count", "=", 0)], {3}),
        ([("count", "!=", 1)], {1, 2, 3, 4}),
        ([("count", "in", [1, False])], {0, 2}),
        ([("count", "not in", [1])], {1, 2, 3, 4}),
        ([("count", "not in", [1, False])], {1, 3, 4}),
        ([("name", "like", "")], {0, 1, 2, 3, 4}),
        ([("name", "not like", "")], {3}),
        ([("target_id", "=", False)], {2, 4}),
        ([("target_id", "!=", False)], {0, 1, 3}),
        ([("day", "in", [False])], {2, 3}),
        (["!", ("count", "<", 2)], {1, 4}),  # negation pushed: ">= 2", NULL excluded
        (["!", ("name", "=", "Alpha")], {1, 2, 3, 4}),
    ],
)
def test_null_semantics(env, data, domain, expected):
    assert _search(env, data, domain) == expected


# ---------------------------------------------------------------------------------------------
# relations and paths
# ---------------------------------------------------------------------------------------------


def test_many2one_conditions(env, data):
    t1, t2 = data["targets"]
    assert _search(env, data, [("target_id", "=", t1.id)]) == {0, 3}
    assert _search(env, data, [("target_id", "=", t1)]) == {0, 3}
    assert _search(env, data, [("target_id", "in", [t2.id, False])]) == {1, 2, 4}
    assert _search(env, data, [("target_id", "not in", [t1.id])]) == {1, 2, 4}
    assert _search(env, data, [("target_id", "!=", t1.id)]) == {1, 2, 4}
    assert _search(env, data, [("target_id", "ilike", "t2")]) == {1}  # by name
    assert _search(env, data, [("target_id", "not ilike", "t2")]) == {0, 2, 3, 4}


def test_many2one_paths(env, data):
    assert _search(env, data, [("target_id.name", "=", "T1")]) == {0, 3}
    assert _search(env, data, [("target_id.sequence", ">", 1)]) == {0, 3}
    # a negative operator on a path: some target whose name differs (no NULL target)
    assert _search(env, data, [("target_id.name", "!=", "T1")]) == {1}
    assert _search(env, data, [("target_id", "any", [("name", "=", "T2")])]) == {1}
    assert _search(env, data, [("target_id", "not any", [("name", "=", "T2")])]) == {0, 2, 3, 4}


def test_many2one_any_is_a_join_that_needs_a_target(env, data):
    """``any`` on a many2one joins the comodel (as ``auto_join``): a record without target
    matches nothing, even a condition true for empty values, and nothing is duplicated."""
    t1, t2 = data["targets"]
    t2.name = False
    env.flush_all()
    assert _search(env, data, [("target_id.name", "=", False)]) == {1}
    assert _search(env, data, [("target_id", "any", [])]) == {0, 1, 3}
    # the negation of a path is "not any" (Odoo 17's distribute_not): no target named T1
    assert _search(env, data, ["!", ("target_id.name", "=", "T1")]) == {1, 2, 4}
    assert _search(env, data, ["!", ("target_id", "any", [("name", "=", "T1")])]) == {1, 2, 4}
    assert _search(env, data, ["|", ("target_id.name", "=", "T1"), ("count", "=", 2)]) == {0, 1, 3}
    assert env[FIELDS].search_count([("target_id.sequence", ">=", 1)]) == 3
    # the join is the one ordering by the many2one uses: one join, right order
    found = env[FIELDS].search([("target_id.sequence", ">=", 1)], order="target_id, id")
    assert [r.target_id for r in found] == [t1, t1, t2]  # the targets' _order: id


def test_negated_path_is_not_any_keeping_empty_many2ones(env, data, assert_query_count):
    """``!`` over a dotted path is Odoo 17's ``not any`` on the path's first relation: the
    records whose many2one is empty match it (``!=`` along the path does not), a target whose
    value is NULL does not match the inner condition; the comodel is still joined, in the one
    statement of the search."""
    t1, t2 = data["targets"]
    # records: 0 -> T1, 1 -> T2, 2 -> none, 3 -> T1, 4 -> none
    assert _search(env, data, ["!", ("target_id.name", "=", "T1")]) == {1, 2, 4}
    assert _search(env, data, [("target_id.name", "!=", "T1")]) == {1}
    assert _search(env, data, ["!", ("target_id.sequence", ">", 1)]) == {1, 2, 4}
    t2.name = False  # a NULL in the comodel: "name = T1" is not true for it
    env.flush_all()
    assert _search(env, data, ["!", ("target_id.name", "=", "T1")]) == {1, 2, 4}
    assert _search(env, data, ["!", ("target_id.name", "ilike", "t")]) == {1, 2, 4}
    # through a one2many: no line with value 9 (records without lines included)
    assert _search(env, data, ["!", ("line_ids.value", "=", 9)]) == {0, 2, 3, 4}
    # nested under other operators
    assert _search(env, data, ["|", ("count", "=", 1), "!", ("target_id.name", "=", "T1")]) == {
        0,
        1,
        2,
        4,
    }
    records = data["records"]
    domain = [("id", "in", records.ids), "!", ("target_id.name", "=", "T1")]
    with assert_query_count(1) as statements:
        env[FIELDS].search(domain)
    assert "LEFT JOIN" in str(statements[0])
    assert (
        records.filtered_domain(["!", ("target_id.name", "=", "T1")]) == records[1:3] | records[4]
    )


def test_one2many_paths_and_values(env, data):
    assert _search(env, data, [("line_ids.value", ">", 4)]) == {0, 1}
    assert _search(env, data, [("line_ids.value", "<", 4)]) == {1}
    assert _search(env, data, [("line_ids.name", "=", "l3")]) == {1}
    assert _search(env, data, [("line_ids", "=", False)]) == {2, 3, 4}
    assert _search(env, data, [("line_ids", "!=", False)]) == {0, 1}
    line = env["test_orm.fields.line"].search([("name", "=", "l1")])
    assert _search(env, data, [("line_ids", "in", line.ids)]) == {0}
    assert _search(env, data, [("line_ids", "not in", line.ids)]) == {1, 2, 3, 4}
    assert _search(env, data, [("line_ids", "any", [("value", "=", 9)])]) == {1}
    assert _search(env, data, [("line_ids", "any", [])]) == {0, 1}
    assert _search(env, data, [("line_ids", "not any", [])]) == {2, 3, 4}
    assert _search(env, data, [("line_ids", "not any", [("value", "=", 9)])]) == {0, 2, 3, 4}


def test_many2many_paths_and_values(env, data):
    tag_a, tag_b, tag_c = data["tags"]
    assert _search(env, data, [("tag_ids", "in", [tag_a.id])]) == {0}
    assert _search(env, data, [("tag_ids", "=", tag_b.id)]) == {0, 1}
    assert _search(env, data, [("tag_ids", "not in", [tag_a.id])]) == {1, 2, 3, 4}
    assert _search(env, data, [("tag_ids", "=", False)]) == {2, 3, 4}
    assert _search(env, data, [("tag_ids", "!=", False)]) == {0, 1}
    assert _search(env, data, [("tag_ids.name", "=", "b")]) == {0, 1}
    assert _search(env, data, [("tag_ids", "ilike", "A")]) == {0}
    assert _search(env, data, [("tag_ids", "any", [("name", "in", ["a", "c"])])]) == {0}
    assert _search(env, data, [("tag_ids", "not any", [("name", "=", "a")])]) == {1, 2, 3, 4}


def test_paths_of_several_hops(env, data):
    assert _search(env, data, [("line_ids.tag_ids.name", "=", "c")]) == {0}
    lines = env["test_orm.fields.line"].search([("parent_id.target_id.name", "=", "T2")])
    assert sorted(lines.mapped("name")) == ["l2", "l3"]
    assert env["test_orm.fields.tag"].search(
        [("name", "in", ["a", "b", "c"]), ("id", "in", [t.id for t in data["tags"]])]
    ).mapped("name") == ["a", "b", "c"]


def test_prefix_operators_against_data(env, data):
    assert _search(env, data, ["|", ("name", "=", "Alpha"), ("count", "=", 5)]) == {0, 4}
    assert _search(env, data, ["&", ("state", "=", "done"), ("count", "=", 0)]) == {3}
    assert _search(env, data, ["!", "|", ("state", "=", "done"), ("count", "=", 1)]) == {2, 4}
    assert _search(
        env, data, ["|", "&", ("flag", "=", True), ("count", "=", 1), ("name", "=", False)]
    ) == {0, 3}


# ---------------------------------------------------------------------------------------------
# hierarchies
# ---------------------------------------------------------------------------------------------


def _hierarchy(env, model):
    Model = env[model]
    root = Model.create({"name": "root"})
    child = Model.create({"name": "child", "parent_id": root.id})
    leaf = Model.create({"name": "leaf", "parent_id": child.id})
    other = Model.create({"name": "other"})
    return root, child, leaf, other


@pytest.mark.parametrize("model", ["test_orm.category", "test_orm.node"])
def test_child_of_and_parent_of(env, model):
    root, child, leaf, other = _hierarchy(env, model)
    Model = env[model]
    scope = [("id", "in", (root | child | leaf | other).ids)]
    assert Model.search([*scope, ("id", "child_of", root.id)]) == root | child | leaf
    assert Model.search([*scope, ("id", "child_of", child.ids)]) == child | leaf
    assert Model.search([*scope, ("id", "parent_of", leaf.id)]) == root | child | leaf
    assert Model.search([*scope, ("id", "parent_of", [child.id, other.id])]) == root | child | other
    # along the many2one itself, as Odoo
    assert Model.search([*scope, ("parent_id", "child_of", root.id)]) == root | child | leaf
    assert Model.search([*scope, ("child_ids", "child_of", leaf.id)]) == child
    assert Model.search([*scope, ("id", "child_of", "child")]) == child | leaf  # by name
    assert Model.search([*scope, ("id", "child_of", [])]) == Model
    assert Model.search([*scope, "!", ("id", "child_of", root.id)]) == other


def test_child_of_through_a_relation(env):
    root, child, leaf, other = _hierarchy(env, "test_orm.category")
    Archivable = env["test_orm.archivable"]
    items = Archivable.create(
        [
            {"name": "in leaf", "category_id": leaf.id},
            {"name": "in other", "category_id": other.id},
            {"name": "nowhere"},
        ]
    )
    assert (
        Archivable.search([("id", "in", items.ids), ("category_id", "child_of", root.id)])
        == items[0]
    )
    assert (
        Archivable.search([("id", "in", items.ids), ("category_id", "parent_of", other.id)])
        == items[1]
    )


# ---------------------------------------------------------------------------------------------
# active_test
# ---------------------------------------------------------------------------------------------


def test_active_test(env):
    Archivable = env["test_orm.archivable"]
    category = env["test_orm.category"].create({"name": "cat"})
    on, off = Archivable.create(
        [
            {"name": "on", "category_id": category.id},
            {"name": "off", "active": False, "category_id": category.id},
        ]
    )
    scope = [("id", "in", [on.id, off.id])]
    assert Archivable.search(scope) == on
    assert Archivable.search([*scope, ("active", "=", False)]) == off
    assert Archivable.search([*scope, ("active", "in", [True, False])]) == on | off
    assert Archivable.with_context(active_test=False).search(scope) == on | off
    assert Archivable.search_count(scope) == 1
    # through a many2one, archived targets are found (as Odoo)
    category.active = False
    assert Archivable.search([*scope, ("category_id.name", "=", "cat")]) == on
    assert env["test_orm.category"].search([("name", "=", "cat")]) == env["test_orm.category"]
    assert (
        env["test_orm.category"].with_context(active_test=False).search([("name", "=", "cat")])
        == category
    )


def test_active_test_in_one2many_paths(env):
    Category = env["test_orm.category"]
    parent = Category.create({"name": "p"})
    Category.create({"name": "archived child", "parent_id": parent.id, "active": False})
    assert not Category.search([("id", "=", parent.id), ("child_ids.name", "=", "archived child")])
    assert (
        Category.with_context(active_test=False).search(
            [("id", "=", parent.id), ("child_ids.name", "=", "archived child")]
        )
        == parent
    )


# ---------------------------------------------------------------------------------------------
# ordering
# ---------------------------------------------------------------------------------------------


def test_order_by_fields(env, data):
    records = data["records"]
    scope = [("id", "in", records.ids)]
    Model = env[FIELDS]
    # ascending puts NULLs last (PostgreSQL's default), descending first
    assert Model.search(scope, order="count asc, id").ids == [
        records[3].id,
        records[0].id,
        records[1].id,
        records[4].id,
        records[2].id,
    ]
    assert Model.search(scope, order="count desc, id").ids == [
        records[2].id,
        records[4].id,
        records[1].id,
        records[0].id,
        records[3].id,
    ]
    assert Model.search(scope, order="count desc nulls last, id").ids == [
        records[4].id,
        records[1].id,
        records[0].id,
        records[3].id,
        records[2].id,
    ]
    assert Model.search(scope, order="count asc nulls first, id").ids == [
        records[2].id,
        records[3].id,
        records[0].id,
        records[1].id,
        records[4].id,
    ]
    assert Model.search(scope, order="day desc nulls last, id").ids[:3] == [
        records[1].id,
        records[0].id,
        records[4].id,
    ]
    assert (
        Model.search(scope, order="name").ids[:4] == Model.search(scope, order="name asc").ids[:4]
    )
    assert Model.search(scope, limit=2, offset=1, order="id").ids == records.ids[1:3]


def test_order_by_many2one_uses_the_comodel_order(env):
    Animal = env["test_orm.animal"]
    # animal _order: "sequence, name desc, id"
    a1 = Animal.create({"name": "a", "sequence": 5})
    a2 = Animal.create({"name": "z", "sequence": 5})
    a3 = Animal.create({"name": "m", "sequence": 1})
    Owner = env["test_orm.owner"]
    owners = Owner.create(
        [{"animal_id": a.id, "leash": leash} for a, leash in ((a1, "1"), (a2, "2"), (a3, "3"))]
    )
    scope = [("id", "in", owners.ids)]
    assert Owner.search(scope, order="animal_id").mapped("leash") == ["3", "2", "1"]
    assert Owner.search(scope, order="animal_id desc").mapped("leash") == ["1", "2", "3"]


def test_order_by_a_many2one_to_a_model_ordered_by_its_own_many2one(env):
    Chain = env["test_orm.chain"]  # _order = "parent_id, name": no endless recursion
    root_b = Chain.create({"name": "b"})
    root_a = Chain.create({"name": "a"})
    child = Chain.create({"name": "c", "parent_id": root_b.id})
    found = Chain.search([("id", "in", [root_a.id, root_b.id, child.id])])
    # parent_id orders by the parent's order, whose own parent_id is skipped: by the parent's
    # name (the child of "b" first, roots have none and come last), then by name
    assert found.mapped("name") == ["c", "a", "b"]
    assert Chain.search([("id", "in", [root_a.id, root_b.id, child.id])], order="name").mapped(
        "name"
    ) == ["a", "b", "c"]


# ---------------------------------------------------------------------------------------------
# filtered_domain agrees with search
# ---------------------------------------------------------------------------------------------

CONSISTENCY_DOMAINS = [
    [("name", "=", "Alpha")],
    [("name", "!=", "Alpha")],
    [("name", "=", False)],
    [("name", "!=", False)],
    [("count", "<", 2)],
    [("count", ">=", 1)],
    [("count", "=", 0)],
    [("count", "in", [1, False])],
    [("count", "not in", [1])],
    [("count", "not in", [1, False])],
    [("name", "like", "lpha")],
    [("name", "ilike", "ALPHA")],
    [("name", "not ilike", "ALPHA")],
    [("name", "=like", "Alph%")],
    [("name", "=ilike", "alph_")],
    [("name", "like", "")],
    [("name", "not like", "")],
    [("name", "like", "a_x")],
    [("name", "=?", False)],
    [("day", ">", "2024-01-01")],
    [("moment", "<=", "2024-02-10")],
    [("moment", ">", "2024-01-10")],
    [("flag", "=", True)],
    [("flag", "=", False)],
    [("flag", "!=", True)],
    [("flag", "in", [False])],
    [("state", "in", ["done"])],
    [("state", "=", False)],
    [("target_id", "=", False)],
    [("target_id.name", "=", "T1")],
    [("target_id.name", "!=", "T1")],
    [("target_id", "ilike", "t2")],
    [("target_id", "not ilike", "t2")],
    [("target_id", "not any", [("name", "=", "T2")])],
    [("line_ids.value", ">", 4)],
    [("line_ids", "=", False)],
    [("line_ids", "!=", False)],
    [("line_ids", "not any", [("value", "=", 9)])],
    [("tag_ids.name", "=", "b")],
    [("tag_ids", "=", False)],
    [("tag_ids", "ilike", "A")],
    [("line_ids.tag_ids.name", "=", "c")],
    ["|", ("name", "=", "Alpha"), ("count", "=", 5)],
    ["!", ("count", "<", 2)],
    ["!", "|", ("state", "=", "done"), ("count", "=", 1)],
    ["!", ("name", "=like", "A%")],
    ["!", ("target_id.name", "=", "T1")],
    ["!", ("target_id.name", "!=", "T1")],
    ["!", ("line_ids.value", "=", 9)],
    [("ratio", ">", 0)],
    [("id", "!=", False)],
    [("id", ">", 0)],
    ["|", ("id", ">", 0), ("id", "=", 0)],
    [("id", "not in", [0])],
    [],
]


@pytest.mark.parametrize("domain", CONSISTENCY_DOMAINS, ids=[str(d) for d in CONSISTENCY_DOMAINS])
def test_filtered_domain_agrees_with_search(env, data, domain):
    records = data["records"]
    searched = env[FIELDS].search([("id", "in", records.ids), *domain], order="id")
    filtered = records.filtered_domain(domain)
    assert filtered.ids == searched.ids


def test_filtered_domain_keeps_order_and_evaluates_non_stored_fields(env, data):
    records = data["records"]
    reversed_records = records.browse(list(reversed(records.ids)))
    assert reversed_records.filtered_domain([("count", ">", 0)]).mapped("count") == [5, 2, 1]
    # display_name is computed, not stored: evaluated on its values
    assert records.filtered_domain([("display_name", "ilike", "alpha")]) == records[0] | records[4]


def test_filtered_domain_hierarchies(env):
    root, child, leaf, other = _hierarchy(env, "test_orm.node")
    nodes = root | child | leaf | other
    assert nodes.filtered_domain([("id", "child_of", child.id)]) == child | leaf
    assert nodes.filtered_domain([("id", "parent_of", leaf.id)]) == root | child | leaf
    categories = _hierarchy(env, "test_orm.category")
    everything = categories[0] | categories[1] | categories[2] | categories[3]
    assert (
        everything.filtered_domain([("id", "child_of", categories[0].id)])
        == categories[0] | categories[1] | categories[2]
    )


def test_filtered_domain_errors(env, data):
    with pytest.raises(ValueError, match=r"test_orm\.fields\.nope"):
        data["records"].filtered_domain([("nope", "=", 1)])
    with pytest.raises(ValueError, match="bogus"):
        data["records"].filtered_domain([("name", "bogus", 1)])
