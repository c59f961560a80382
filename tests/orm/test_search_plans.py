"""Search plans (``erplite.orm.search_plans``): a domain's shape compiled once, reused with
new values, and never reused where the SQL would depend on more than the shape."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.orm import search_plans
from erplite.sql import count_queries

ORDER = "test_orm.comp.order"


@pytest.fixture
def orders(env: Any) -> Any:
    partners = env["test_orm.comp.partner"].create(
        [{"name": "Acme Corp"}, {"name": "Bolt Ltd"}, {"name": "Acme Bis"}]
    )
    Order = env[ORDER]
    return Order.create(
        [
            {"name": "A1", "partner_id": partners[0].id, "discount": 5.0},
            {"name": "A2", "partner_id": partners[0].id, "discount": 50.0},
            {"name": "B1", "partner_id": partners[1].id, "discount": 5.0},
            {"name": "C1", "partner_id": partners[2].id, "discount": 70.0},
            {"name": "N1", "discount": 20.0},
        ]
    )


def _plans(env: Any) -> dict:
    return {key: plan for key, plan in search_plans.plans(env).items() if key[0] == ORDER}


def test_one_plan_serves_every_value_of_a_shape(env: Any, orders: Any) -> None:
    env.flush_all()
    Order = env[ORDER]
    domain = [("partner_id.name", "ilike", "acme"), ("discount", ">", 10)]
    assert Order.search(domain).mapped("name") == ["A2", "C1"]
    plans = _plans(env)
    assert len(plans) == 1
    [plan] = plans.values()
    assert plan is not None
    assert [entry[2] for entry in plan.entries] == ["name", "discount"]
    # same shape, other values: the same plan, the right answers
    assert Order.search([("partner_id.name", "ilike", "bolt"), ("discount", ">", 1)]).mapped(
        "name"
    ) == ["B1"]
    assert Order.search([("partner_id.name", "ilike", "acme"), ("discount", ">", 60)]).mapped(
        "name"
    ) == ["C1"]
    assert len(_plans(env)) == 1
    # a float where an int was: a shape of its own
    Order.search([("partner_id.name", "ilike", "acme"), ("discount", ">", 60.5)])
    assert len(_plans(env)) == 2


def test_a_planned_search_sends_the_same_single_statement(env: Any, orders: Any) -> None:
    env.flush_all()
    Order = env[ORDER]
    Order.search([("name", "=", "A1")])  # records the plan
    with count_queries() as queries:
        assert Order.search([("name", "=", "B1")]).mapped("name") == ["B1"]
    assert len(queries) == 1


def test_kinds_of_values_get_their_own_plans(env: Any, orders: Any) -> None:
    env.flush_all()
    Order = env[ORDER]
    assert Order.search([("partner_id", "=", False)]).mapped("name") == ["N1"]
    assert set(Order.search([("partner_id", "!=", False)]).mapped("name")) == {
        "A1",
        "A2",
        "B1",
        "C1",
    }
    names = ["A1", "B1"]
    assert set(Order.search([("name", "in", names)]).mapped("name")) == {"A1", "B1"}
    assert set(Order.search([("name", "in", ["C1"])]).mapped("name")) == {"C1"}
    assert Order.search([("name", "in", [])]).mapped("name") == []
    # False among the values also matches the orders without a partner
    partner = orders[0].partner_id
    assert set(Order.search([("partner_id", "in", [partner.id, False])]).mapped("name")) == {
        "A1",
        "A2",
        "N1",
    }
    assert set(Order.search([("partner_id", "in", [partner.id])]).mapped("name")) == {"A1", "A2"}
    assert Order.search([("name", "ilike", "")]).ids == Order.search([]).ids


def test_a_searchable_computed_field_is_searched_each_time(env: Any, orders: Any) -> None:
    """Its search method is code: what it answers is not planned."""
    env.flush_all()
    Order = env[ORDER]
    first = Order.search([("is_big", "=", True), ("name", "ilike", "1")])
    second = Order.search([("is_big", "=", True), ("name", "ilike", "2")])
    assert first.ids == Order.search([("total", ">=", 100), ("name", "ilike", "1")]).ids
    assert second.ids == Order.search([("total", ">=", 100), ("name", "ilike", "2")]).ids
    assert [plan for key, plan in _plans(env).items() if "is_big" in str(key[1])] == [None]


def test_pending_writes_are_flushed_and_seen(env: Any, orders: Any) -> None:
    env.flush_all()
    Order = env[ORDER]
    assert Order.search([("name", "=", "A1")]) == orders[0]
    orders[0].name = "Z9"  # pending, not yet in the database
    assert Order.search([("name", "=", "Z9")]) == orders[0]
    assert not Order.search([("name", "=", "A1")])


def test_active_test_is_part_of_the_shape(env: Any) -> None:
    Tag = env["res.partner"]
    live = Tag.create({"name": "plan-live"})
    archived = Tag.create({"name": "plan-archived", "active": False})
    env.flush_all()
    assert Tag.search([("name", "like", "plan-")]) == live
    assert Tag.with_context(active_test=False).search([("name", "like", "plan-")]) == (
        live | archived
    )
    assert Tag.search([("name", "like", "plan-a")]) == Tag.browse()


def test_a_bad_field_is_refused_every_time(env: Any) -> None:
    Order = env[ORDER]
    for _ in range(2):
        with pytest.raises(ValueError, match="nope"):
            Order.search([("nope", "=", "x")])


def test_nested_any_domains_are_planned(env: Any, orders: Any) -> None:
    env.flush_all()
    Order = env[ORDER]
    acme = Order.search([("partner_id", "any", [("name", "=like", "Acme%")])])
    bolt = Order.search([("partner_id", "any", [("name", "=like", "Bolt%")])])
    assert set(acme.mapped("name")) == {"A1", "A2", "C1"}
    assert bolt.mapped("name") == ["B1"]
    planned = [plan for key, plan in _plans(env).items() if "any" in str(key[1])]
    assert len(planned) == 1 and planned[0] is not None


def test_record_rules_are_per_user(env: Any) -> None:
    """Two salespeople search with the same shape: each sees only their own orders."""
    salesman = env.ref("sales_team.group_sale_salesman")
    users = env["res.users"].create(
        [
            {
                "name": f"Plan seller {n}",
                "login": f"plan-seller-{n}",
                "groups_id": [(6, 0, [salesman.id])],
            }
            for n in (1, 2)
        ]
    )
    customer = env["res.partner"].create({"name": "Plan customer"})
    for user in users:
        env["sale.order"].create(
            {"partner_id": customer.id, "user_id": user.id, "client_order_ref": f"PLAN-{user.id}"}
        )
    env.flush_all()
    for user in users:
        found = (
            env["sale.order"]
            .with_user(user)
            .search([("client_order_ref", "like", "PLAN-"), ("partner_id", "=", customer.id)])
        )
        assert found.sudo().mapped("client_order_ref") == [f"PLAN-{user.id}"]


def test_a_new_rule_drops_the_plans_built_without_it(env: Any) -> None:
    salesman = env.ref("sales_team.group_sale_salesman")
    user = env["res.users"].create(
        {"name": "Plan rule user", "login": "plan-rule-user", "groups_id": [(6, 0, [salesman.id])]}
    )
    customers = env["res.partner"].create([{"name": "Plan C1"}, {"name": "Plan C2"}])
    for customer in customers:
        env["sale.order"].create({"partner_id": customer.id, "user_id": user.id})
    env.flush_all()
    Orders = env["sale.order"].with_user(user)
    assert len(Orders.search([("partner_id.name", "like", "Plan C")])) == 2
    env["ir.rule"].create(
        {
            "name": "only Plan C1",
            "model_id": env["ir.model"]._get_id("sale.order"),
            "domain_force": f"[('partner_id', '=', {customers[0].id})]",
        }
    )
    env.flush_all()
    found = Orders.search([("partner_id.name", "like", "Plan C")])
    assert found.sudo().partner_id == customers[0]


def test_a_condition_compiling_to_another_text_falls_back(env: Any, orders: Any) -> None:
    """The text of every recorded condition is checked on reuse: a plan whose condition no
    longer compiles the same is not used, and the search is compiled from scratch."""
    env.flush_all()
    Order = env[ORDER]
    Order.search([("name", "=", "A1")])
    [plan] = [plan for key, plan in _plans(env).items() if key[1] == (("name", "=", "str"),)]
    entry = plan.entries[0]
    plan.entries[0] = (*entry[:-1], entry[-1].replace("=", "<>"))
    assert plan.params(env, ["B1"]) is None
    assert Order.search([("name", "=", "B1")]).mapped("name") == ["B1"]


def test_fixed_selection_values_are_literals_with_their_own_plans(env: Any) -> None:
    """``=``/``!=`` on a value of a fixed selection puts the value in the statement (quoted by
    psycopg, a percent sign doubled) so the planner sees it; each value is a shape of its own."""
    Literal = env["test_orm.literal"]
    records = Literal.create(
        [{"name": "a", "kind": "50%"}, {"name": "b", "kind": "it's"}, {"name": "c"}]
    )
    env.flush_all()
    assert Literal.search([("kind", "=", "50%")]) == records[0]
    assert "'50%%'" in Literal._search([("kind", "=", "50%")]).where_clause.text
    assert Literal.search([("kind", "=", "it's")]) == records[1]
    assert Literal.search([("kind", "=", "50%")]) == records[0]  # its plan again
    assert Literal.search([("kind", "!=", "it's")]) == records[0] | records[2]
    assert Literal.search([("kind", "=", "unknown")]) == Literal.browse()  # a parameter
    shapes = {key[1] for key in search_plans.plans(env) if key[0] == "test_orm.literal"}
    assert (("kind", "=", ("literal", "50%")),) in shapes
    assert (("kind", "=", ("literal", "it's")),) in shapes
    assert (("kind", "=", "str"),) in shapes
    query = Literal._search([("kind", "=", "it's")])
    assert "'it''s'" in query.where_clause.text and query.where_clause.params == ()


def test_plans_are_bounded(env: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(search_plans, "MAX_PLANS", 3)
    Order = env[ORDER]
    for field in ("name", "discount", "total", "partner_id", "tag_names"):
        Order.search([(field, "!=", "zz" if field in ("name", "tag_names") else 999)])
    kept = search_plans.plans(env)
    assert len(kept) == 3
    assert [key[1][0][0] for key in kept] == ["total", "partner_id", "tag_names"]
