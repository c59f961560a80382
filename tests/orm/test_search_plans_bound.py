"""Search plans over the compiler: a domain parsed *bound* (each variable value's condition
knows its position), a recorder set on the transaction while a plan is recorded, and the query
of a planned search built by ``Query.planned``: the same SQL as compiling from scratch."""

from __future__ import annotations

from typing import Any

from erplite.orm import search_plans
from erplite.orm.domains import Domain, DomainCondition

ORDER = "test_orm.comp.order"


def test_binding_gives_each_variable_value_its_position(env: Any) -> None:
    domain = [
        "|",
        ("name", "ilike", "acme"),
        ("discount", ">", 10),
        ("partner_id", "=", False),
        ("line_ids", "any", [("amount", ">=", 2.5)]),
    ]
    shape, values = search_plans.domain_shape(domain, env[ORDER])
    assert values == ["acme", 10, 2.5]
    bound = search_plans.bind(domain, values, env[ORDER])
    conditions = [item for item in bound if isinstance(item, DomainCondition)]
    assert [(c.field_expr, c.param) for c in conditions] == [("name", 0), ("discount", 1)]
    assert bound[3] == ("partner_id", "=", False)  # a constant of the shape: not bound
    line = Domain(bound[4][2])  # the condition inside "any"
    assert (line.field_expr, line.param) == ("amount", 2)


def test_optimising_keeps_the_position_on_the_condition_carrying_the_value(env: Any) -> None:
    condition = DomainCondition("partner_id.name", "ilike", "acme", param=0)
    optimized = condition.optimize(env[ORDER])
    assert (optimized.field_expr, optimized.operator, optimized.param) == (
        "partner_id",
        "any",
        None,
    )
    inner = optimized.value
    assert (inner.field_expr, inner.value, inner.param) == ("name", "acme", 0)
    negated = (~Domain([condition])).optimize(env[ORDER])
    assert negated.operator == "not any" and negated.value.param == 0


def test_a_planned_query_is_the_compiled_query(env: Any) -> None:
    Order = env[ORDER]
    env.flush_all()
    domain = [("partner_id.name", "ilike", "acme"), ("discount", ">", 10)]
    cache = search_plans.plans(env)
    first = cache.query(Order, domain, 0, 5, "name")  # records the plan
    planned = cache.query(Order, domain, 0, 5, "name")  # from the plan
    compiled = Order._search_compiled(domain, 0, 5, "name")
    assert first is not None and planned is not None
    for query in (first, planned):
        assert query.select().text == compiled.select().text
        assert query.select().params == compiled.select().params
    other = cache.query(
        Order, [("partner_id.name", "ilike", "bolt"), ("discount", ">", 1)], 0, 5, "name"
    )
    assert other is not None and other.select().params[:2] != planned.select().params[:2]


def test_the_recorder_is_the_transactions_only_while_a_plan_is_recorded(env: Any) -> None:
    env.flush_all()
    assert env.transaction.plan_recorder is None
    env[ORDER].search([("name", "=like", "rec%")])
    assert env.transaction.plan_recorder is None
    plans = {key[1]: plan for key, plan in search_plans.plans(env).items() if key[0] == ORDER}
    assert plans[(("name", "=like", "str"),)] is not None
