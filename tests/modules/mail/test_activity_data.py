"""``mail.activity.get_activity_data``: the activity view's grid as a model method (Odoo 17's),
its statements constant in the number of records, and only what the user may read."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from erplite.exceptions import AccessError

TODAY = datetime.date.today()


def _plan(env: Any, order: Any, days: int, xml_id: str = "mail.mail_activity_data_call", **values):
    return env["mail.activity"].create(
        {
            "res_model": "sale.order",
            "res_id": order.id,
            "activity_type_id": env.ref(xml_id).id if xml_id else False,
            "summary": values.pop("summary", "Follow up"),
            "date_deadline": TODAY + datetime.timedelta(days=days),
            "user_id": values.pop("user_id", env.uid),
            **values,
        }
    )


def test_one_row_per_record_with_activities_most_urgent_first(env: Any, make_order: Any) -> None:
    calm, urgent, idle = make_order(), make_order(), make_order()
    call = env.ref("mail.mail_activity_data_call")
    email = env.ref("mail.mail_activity_data_email")
    late = _plan(env, urgent, -2)
    soon = _plan(env, urgent, 3)
    mail = _plan(env, urgent, 0, "mail.mail_activity_data_email")
    later = _plan(env, calm, 5)
    ids = [calm.id, urgent.id, idle.id]

    data = env["mail.activity"].get_activity_data("sale.order", [("id", "in", ids)])

    assert data["activity_res_ids"] == [urgent.id, calm.id]  # idle has none: no row
    assert data["activity_res_count"] == 2
    assert data["grouped_activities"][urgent.id][call.id] == {
        "count": 2,
        "ids": [late.id, soon.id],
        "state": "overdue",
        "o_closest_deadline": TODAY - datetime.timedelta(days=2),
        "count_by_state": {"overdue": 1, "planned": 1},
        "user_assigned_ids": [env.uid],
    }
    assert data["grouped_activities"][urgent.id][email.id]["state"] == "today"
    assert data["grouped_activities"][urgent.id][email.id]["ids"] == [mail.id]
    assert data["grouped_activities"][calm.id] == {
        call.id: {
            "count": 1,
            "ids": [later.id],
            "state": "planned",
            "o_closest_deadline": TODAY + datetime.timedelta(days=5),
            "count_by_state": {"planned": 1},
            "user_assigned_ids": [env.uid],
        }
    }


def test_columns_are_the_generic_and_model_types_plus_those_used(env: Any, make_order: Any) -> None:
    Type = env["mail.activity.type"]
    for_orders = Type.create({"name": "Check the quote", "res_model": "sale.order"})
    for_partners = Type.create({"name": "Visit", "res_model": "res.partner"})
    archived_used = Type.create({"name": "Old habit", "sequence": 99})
    archived_unused = Type.create({"name": "Forgotten", "sequence": 99})
    order = make_order()
    activity = _plan(env, order, 1, xml_id="")
    activity.activity_type_id = archived_used
    archived_used.active = archived_unused.active = False

    data = env["mail.activity"].get_activity_data("sale.order", [("id", "=", order.id)])

    names = [name for _id, name, _templates in data["activity_types"]]
    generic = Type.search([("res_model", "=", False)]).mapped("name")
    assert set(generic) <= set(names)
    assert "Check the quote" in names and "Old habit" in names
    assert "Visit" not in names and "Forgotten" not in names
    assert names[-1] == "Old habit"  # in the types' order (sequence 99)
    assert [t[0] for t in data["activity_types"]].count(for_orders.id) == 1
    assert for_partners.id not in data["grouped_activities"][order.id]


def test_activities_without_a_type_have_the_key_false(env: Any, make_order: Any) -> None:
    order = make_order()
    untyped = _plan(env, order, 1, xml_id="")
    data = env["mail.activity"].get_activity_data("sale.order", [("id", "=", order.id)])
    assert data["grouped_activities"][order.id][False]["ids"] == [untyped.id]


def test_pages_of_records_are_counted_whole(env: Any, make_order: Any) -> None:
    orders = [make_order() for _ in range(5)]
    for index, order in enumerate(orders):
        _plan(env, order, index)
    domain = [("id", "in", [o.id for o in orders])]
    Activity = env["mail.activity"]
    first = Activity.get_activity_data("sale.order", domain, limit=2, offset=0)
    second = Activity.get_activity_data("sale.order", domain, limit=2, offset=2)
    beyond = Activity.get_activity_data("sale.order", domain, limit=2, offset=10)
    assert first["activity_res_count"] == second["activity_res_count"] == 5
    assert beyond["activity_res_count"] == 5 and beyond["activity_res_ids"] == []
    pages = first["activity_res_ids"] + second["activity_res_ids"]
    assert len(set(pages)) == 4
    # the pages follow the model's order (sale.order: newest first)
    in_order = env["sale.order"].search(domain).ids
    assert set(first["activity_res_ids"]) == set(in_order[:2])
    assert set(second["activity_res_ids"]) == set(in_order[2:4])


def test_statements_do_not_grow_with_the_records(
    env: Any, make_order: Any, assert_query_count: Any
) -> None:
    def measure(count: int) -> int:
        orders = [make_order() for _ in range(count)]
        for index, order in enumerate(orders):
            _plan(env, order, index - 1)
            _plan(env, order, index, "mail.mail_activity_data_email")
        env.flush_all()
        env.invalidate_all()
        domain = [("id", "in", [o.id for o in orders])]
        # the page's ids and count, their activities, the user's time zone (for "today":
        # a cold cache), the activity types
        with assert_query_count(4) as statements:
            data = env["mail.activity"].get_activity_data("sale.order", domain, limit=80)
        assert len(data["activity_res_ids"]) == count
        return len(statements)

    assert measure(3) == measure(30) == 4


def test_a_salesman_sees_only_his_records_and_their_activities(
    env: Any, make_order: Any, salesman: Any, make_user: Any
) -> None:
    other = make_user("other", "sales_team.group_sale_salesman")
    mine, theirs = make_order(user_id=salesman.id), make_order(user_id=other.id)
    mine_activity = _plan(env, mine, 1, user_id=salesman.id)
    _plan(env, theirs, 1, user_id=salesman.id)  # assigned to him, on a record he cannot read
    _plan(env, theirs, 2, user_id=other.id)
    env.flush_all()
    as_him = env["mail.activity"].with_user(salesman)

    data = as_him.get_activity_data("sale.order", [("id", "in", [mine.id, theirs.id])])
    assert data["activity_res_ids"] == [mine.id]
    assert data["activity_res_count"] == 1
    cells = data["grouped_activities"]
    assert list(cells) == [mine.id]
    assert [i for cell in cells[mine.id].values() for i in cell["ids"]] == [mine_activity.id]
    # without a domain either: the rules decide
    assert as_him.get_activity_data("sale.order", [])["activity_res_ids"] == [mine.id]


def test_no_read_right_on_the_model_is_refused(env: Any, make_order: Any, make_user: Any) -> None:
    _plan(env, make_order(), 1)
    stranger = make_user("stranger", "base.group_user")  # an employee without sales rights
    with pytest.raises(AccessError):
        env["mail.activity"].with_user(stranger).get_activity_data("sale.order", [])


def test_a_model_without_activities_is_a_bad_argument(env: Any) -> None:
    with pytest.raises(ValueError, match="res.partner.*mail.activity.mixin"):
        env["mail.activity"].get_activity_data("res.partner", [])
    with pytest.raises(ValueError, match="not a model"):
        env["mail.activity"].get_activity_data("no.such.model", [])
