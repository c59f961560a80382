"""read_group and _read_group: aggregates, group-by fields and dates, lazy, orderby,
limit/offset, many2one display names, and the same domain as search."""

from __future__ import annotations

import datetime

import pytest

FIELDS = "test_orm.fields"


@pytest.fixture
def data(env):
    Target = env["test_orm.target"]
    t1, t2 = Target.create([{"name": "T1"}, {"name": "T2"}])
    records = env[FIELDS].create(
        [
            {
                "name": "a",
                "count": 1,
                "ratio": 1.5,
                "flag": True,
                "state": "draft",
                "target_id": t1.id,
                "day": "2024-01-02",
                "moment": "2024-01-02 10:00:00",
            },
            {
                "name": "b",
                "count": 2,
                "ratio": 2.5,
                "flag": True,
                "state": "draft",
                "target_id": t1.id,
                "day": "2024-01-20",
                "moment": "2024-01-20 23:59:59",
            },
            {
                "name": "c",
                "count": 3,
                "ratio": 0.5,
                "flag": False,
                "state": "done",
                "target_id": t2.id,
                "day": "2024-02-05",
                "moment": "2024-02-05 00:00:00",
            },
            {
                "name": "d",
                "count": 4,
                "ratio": 1.0,
                "flag": True,
                "state": "done",
                "day": "2024-05-01",
                "moment": "2024-05-01 12:00:00",
            },
            {
                "name": "e",
                "count": 5,
                "ratio": 4.0,
                "flag": False,
                "state": "done",
                "target_id": t2.id,
                "day": "2023-12-31",
                "moment": "2023-12-31 08:00:00",
            },
        ]
    )
    return {"records": records, "t1": t1, "t2": t2, "scope": [("id", "in", records.ids)]}


def _by(groups, key):
    return {group[key]: group for group in groups}


def test_aggregates(env, data):
    scope = data["scope"]
    [group] = env[FIELDS].read_group(
        scope,
        [
            "count:sum",
            "avg_count:avg(count)",
            "min_count:min(count)",
            "max_count:max(count)",
            "n:count(name)",
            "distinct_states:count_distinct(state)",
            "names:array_agg(name)",
            "all_flag:bool_and(flag)",
            "any_flag:bool_or(flag)",
            "ratio:sum",
        ],
        [],
    )
    assert group["__count"] == 5
    assert group["count"] == 15
    assert group["avg_count"] == 3.0 and isinstance(group["avg_count"], float)
    assert (group["min_count"], group["max_count"]) == (1, 5)
    assert group["n"] == 5
    assert group["distinct_states"] == 2
    assert sorted(group["names"]) == ["a", "b", "c", "d", "e"]
    assert group["all_flag"] is False and group["any_flag"] is True
    assert group["ratio"] == pytest.approx(9.5)


def test_group_by_a_field_with_default_aggregates(env, data):
    groups = env[FIELDS].read_group(data["scope"], ["count", "ratio"], ["state"])
    by_state = _by(groups, "state")
    assert set(by_state) == {"draft", "done"}
    assert by_state["draft"]["count"] == 3  # Integer's group operator: sum
    assert by_state["draft"]["state_count"] == 2  # lazy: <field>_count
    assert by_state["done"]["ratio"] == pytest.approx(5.5)
    assert by_state["done"]["__domain"] == [*data["scope"], ("state", "=", "done")]
    assert env[FIELDS].search(by_state["done"]["__domain"]) == data["records"][2:]


def test_group_by_many2one_with_display_names(env, data, assert_query_count):
    groups = env[FIELDS].read_group(data["scope"], ["count:sum"], ["target_id"])
    assert [g["target_id"] for g in groups] == [(data["t1"].id, "T1"), (data["t2"].id, "T2"), False]
    assert [g["count"] for g in groups] == [3, 8, 4]
    assert groups[2]["__domain"] == [*data["scope"], ("target_id", "=", False)]
    env.invalidate_all()
    with assert_query_count(2):  # the groups, then the display names in one batch
        env[FIELDS].read_group(data["scope"], ["count:sum"], ["target_id"])


@pytest.mark.parametrize(
    "granularity, expected",
    [
        (
            "day",
            {
                "02 Jan 2024": 1,
                "20 Jan 2024": 1,
                "05 Feb 2024": 1,
                "01 May 2024": 1,
                "31 Dec 2023": 1,
            },
        ),
        # ISO weeks, starting on Monday: 2023-12-31 is a Sunday of 2023's last week
        ("week", {"W52 2023": 1, "W1 2024": 1, "W3 2024": 1, "W6 2024": 1, "W18 2024": 1}),
        ("month", {"January 2024": 2, "February 2024": 1, "May 2024": 1, "December 2023": 1}),
        ("quarter", {"Q1 2024": 3, "Q2 2024": 1, "Q4 2023": 1}),
        ("year", {"2024": 4, "2023": 1}),
    ],
)
def test_group_by_date_granularities(env, data, granularity, expected):
    groups = env[FIELDS].read_group(data["scope"], ["count:sum"], [f"day:{granularity}"])
    assert {g[f"day:{granularity}"]: g["day_count"] for g in groups} == expected
    for group in groups:  # each group's domain finds its records
        assert env[FIELDS].search_count(group["__domain"]) == group["day_count"]


def test_group_by_datetime(env, data):
    groups = env[FIELDS].read_group(data["scope"], ["count:sum"], ["moment:month"], lazy=False)
    assert {g["moment:month"]: g["__count"] for g in groups} == {
        "December 2023": 1,
        "January 2024": 2,
        "February 2024": 1,
        "May 2024": 1,
    }
    for group in groups:
        assert env[FIELDS].search_count(group["__domain"]) == group["__count"]


def test_read_group_date_granularity_returns_range(env, data):
    """Odoo 17's ``__range``: each date group gives its period as server-format strings,
    keyed by the group-by spec; the group of records without a date has ``False``; groups
    over other fields have no range."""
    data["records"][4].day = False
    groups = env[FIELDS].read_group(
        data["scope"], ["count:sum"], ["day:month", "state"], lazy=False
    )
    ranges = {(g["day:month"], g["state"]): g["__range"] for g in groups}
    assert ranges[("January 2024", "draft")] == {
        "day:month": {"from": "2024-01-01", "to": "2024-02-01"}
    }
    assert ranges[("February 2024", "done")] == {
        "day:month": {"from": "2024-02-01", "to": "2024-03-01"}
    }
    assert ranges[(False, "done")] == {"day:month": False}
    weeks = env[FIELDS].read_group(data["scope"], ["count:sum"], ["day:week"])
    week = next(g for g in weeks if g["day:week"] == "W3 2024")
    assert week["__range"] == {"day:week": {"from": "2024-01-15", "to": "2024-01-22"}}
    moments = env[FIELDS].read_group(data["scope"], ["count:sum"], ["moment:day"])
    day = next(g for g in moments if g["moment:day"] == "20 Jan 2024")
    assert day["__range"] == {
        "moment:day": {"from": "2024-01-20 00:00:00", "to": "2024-01-21 00:00:00"}
    }
    default = env[FIELDS].read_group(data["scope"], ["count:sum"], ["day"])
    assert {g["day"]: g["__range"]["day"]["from"] for g in default if g["day"]}["May 2024"] == (
        "2024-05-01"
    )
    assert all("__range" not in g for g in env[FIELDS].read_group(data["scope"], [], ["state"]))


def test_default_date_granularity_is_month(env, data):
    groups = env[FIELDS].read_group(data["scope"], ["count:sum"], ["day"])
    assert {g["day"] for g in groups} == {
        "January 2024",
        "February 2024",
        "May 2024",
        "December 2023",
    }


def test_lazy_and_not_lazy(env, data):
    lazy = env[FIELDS].read_group(data["scope"], ["count:sum"], ["state", "flag"])
    assert len(lazy) == 2
    assert all("flag" not in group for group in lazy)
    assert {g["state"]: g["state_count"] for g in lazy} == {"draft": 2, "done": 3}
    assert lazy[0]["__context"] == {"group_by": ["flag"]}
    full = env[FIELDS].read_group(data["scope"], ["count:sum"], ["state", "flag"], lazy=False)
    assert {(g["state"], g["flag"]): g["__count"] for g in full} == {
        ("draft", True): 2,
        ("done", False): 2,
        ("done", True): 1,
    }
    for group in full:
        assert "__context" not in group
        assert env[FIELDS].search_count(group["__domain"]) == group["__count"]


def test_orderby_limit_offset(env, data):
    Model = env[FIELDS]
    scope = data["scope"]
    groups = Model.read_group(scope, ["count:sum"], ["name"], orderby="count desc")
    assert [g["name"] for g in groups] == ["e", "d", "c", "b", "a"]
    groups = Model.read_group(scope, ["count:sum"], ["state"], orderby="state desc")
    assert [g["state"] for g in groups] == ["draft", "done"]
    groups = Model.read_group(scope, ["count:sum"], ["state"], orderby="__count desc")
    assert [g["state"] for g in groups] == ["done", "draft"]
    groups = Model.read_group(scope, ["count:sum"], ["name"], orderby="name", limit=2, offset=1)
    assert [g["name"] for g in groups] == ["b", "c"]
    # the default order is the group-by's
    assert [g["name"] for g in Model.read_group(scope, ["count"], ["name"])] == list("abcde")


def test_same_domain_as_search(env, data):
    Model = env[FIELDS]
    domain = [*data["scope"], "|", ("target_id.name", "=", "T2"), ("count", ">", 3)]
    [group] = Model.read_group(domain, ["count:sum"], [])
    assert group["__count"] == Model.search_count(domain) == 3
    assert group["count"] == sum(Model.search(domain).mapped("count"))


def test_active_test_applies(env):
    records = env["test_orm.archivable"].create([{"name": "x"}, {"name": "x", "active": False}])
    scope = [("id", "in", records.ids)]
    [group] = env["test_orm.archivable"].read_group(scope, ["name"], ["name"])
    assert group["name_count"] == 1
    [group] = (
        env["test_orm.archivable"]
        .with_context(active_test=False)
        .read_group(scope, ["name"], ["name"])
    )
    assert group["name_count"] == 2


def test_pending_writes_are_seen(env, data):
    data["records"][0].count = 100
    [group] = env[FIELDS].read_group(data["scope"], ["count:sum"], [])
    assert group["count"] == 114


def test_internal_read_group(env, data):
    rows = env[FIELDS]._read_group(
        data["scope"],
        ["target_id", "day:year"],
        ["count:sum", "__count"],
        order="target_id, day:year",
    )
    t1, t2 = data["t1"], data["t2"]
    assert rows == [
        (t1, datetime.date(2024, 1, 1), 3, 2),
        (t2, datetime.date(2023, 1, 1), 5, 1),
        (t2, datetime.date(2024, 1, 1), 3, 1),
        (env["test_orm.target"], datetime.date(2024, 1, 1), 4, 1),
    ]


def test_empty_result(env):
    assert env[FIELDS].read_group([("id", "=", 0)], ["count:sum"], ["state"]) == []
    [group] = env[FIELDS].read_group([("id", "=", 0)], ["count:sum"], [])
    assert group["__count"] == 0


def test_many2one_groups_follow_the_comodel_order(env):
    Animal = env["test_orm.animal"]  # _order = "sequence, name desc, id"
    first, second, third = Animal.create(
        [{"name": "a", "sequence": 3}, {"name": "z", "sequence": 3}, {"name": "m", "sequence": 1}]
    )
    owners = env["test_orm.owner"].create(
        [
            {"animal_id": first.id, "leash": "x"},
            {"animal_id": second.id, "leash": "y"},
            {"animal_id": third.id, "leash": "z"},
            {"animal_id": third.id, "leash": "w"},
        ]
    )
    scope = [("id", "in", owners.ids)]
    groups = env["test_orm.owner"].read_group(scope, ["leash:count"], ["animal_id"])
    assert [g["animal_id"][0] for g in groups] == [third.id, second.id, first.id]
    assert [g["animal_id_count"] for g in groups] == [2, 1, 1]
    groups = env["test_orm.owner"].read_group(
        scope, ["leash:count"], ["animal_id"], orderby="animal_id desc"
    )
    assert [g["animal_id"][0] for g in groups] == [first.id, second.id, third.id]


def test_group_by_and_aggregate_inherited_fields(env):
    owners = env["test_orm.owner"].create(
        [
            {"name": "Rex", "legs": 4, "leash": "a"},
            {"name": "Rex", "legs": 3, "leash": "b"},
            {"name": "Tom", "legs": 2, "leash": "c"},
        ]
    )
    groups = env["test_orm.owner"].read_group([("id", "in", owners.ids)], ["legs:sum"], ["name"])
    assert {g["name"]: (g["legs"], g["name_count"]) for g in groups} == {
        "Rex": (7, 2),
        "Tom": (2, 1),
    }
    for group in groups:
        assert env["test_orm.owner"].search_count(group["__domain"]) == group["name_count"]


# -- group_expand: the empty groups a field's method names ------------------------------------


@pytest.fixture
def stage_tasks(env):
    Target = env["test_orm.target"]
    backlog, doing, done, hidden = Target.create(
        [{"name": "1 Backlog"}, {"name": "2 Doing"}, {"name": "3 Done"}, {"name": "Hidden"}]
    )
    tasks = env["test_orm.stage_task"].create(
        [
            {"name": "a", "stage_id": doing.id, "state": "doing", "hours": 2},
            {"name": "b", "stage_id": doing.id, "state": "doing", "hours": 3},
            {"name": "c", "stage_id": hidden.id, "state": "cancel", "hours": 1},
            {"name": "d", "state": "new", "hours": 4},
        ]
    )
    return {"backlog": backlog, "doing": doing, "done": done, "hidden": hidden, "tasks": tasks}


def test_group_expand_adds_the_empty_stages_in_the_methods_order(env, stage_tasks) -> None:
    s = stage_tasks
    ids = s["tasks"].ids
    groups = env["test_orm.stage_task"].read_group(
        [("id", "in", ids)], ["hours:sum"], ["stage_id"], lazy=True
    )
    # the method's order (name desc), its stages without records included with a count of 0
    # (a "Hidden" stage only when it has records); the records without a stage follow
    assert [(g["stage_id"], g["stage_id_count"], g["hours"]) for g in groups] == [
        ((s["hidden"].id, "Hidden"), 1, 1.0),
        ((s["done"].id, "3 Done"), 0, False),
        ((s["doing"].id, "2 Doing"), 2, 5.0),
        ((s["backlog"].id, "1 Backlog"), 0, False),
        (False, 1, 4.0),
    ]
    s["tasks"][2].stage_id = s["doing"]
    again = env["test_orm.stage_task"].read_group([("id", "in", ids)], [], ["stage_id"])
    assert s["hidden"].id not in [g["stage_id"] and g["stage_id"][0] for g in again]
    empty = groups[1]
    assert empty["__domain"] == [("id", "in", ids), ("stage_id", "=", s["done"].id)]
    assert env["test_orm.stage_task"].search_count(empty["__domain"]) == 0


def test_group_expand_of_a_selection_and_where_it_does_not_apply(env, stage_tasks) -> None:
    Task = env["test_orm.stage_task"]
    ids = stage_tasks["tasks"].ids
    groups = Task.read_group([("id", "in", ids)], [], ["state"], lazy=True)
    assert [(g["state"], g["state_count"]) for g in groups] == [
        ("new", 1),
        ("doing", 2),
        ("done", 0),
        ("cancel", 1),
    ]
    # eager grouping (lazy=False) shows only the groups with records, as in Odoo 17
    eager = Task.read_group([("id", "in", ids)], [], ["state", "stage_id"], lazy=False)
    assert all(g["__count"] > 0 for g in eager)
    # a field without group_expand is left as it is
    plain = Task.read_group([("id", "in", ids)], [], ["name"], lazy=True)
    assert len(plain) == 4
