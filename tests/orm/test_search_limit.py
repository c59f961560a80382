"""A search's LIMIT is part of the statement's text: PostgreSQL keeps the plan of the prepared
statement (with ``LIMIT $1`` it plans it anew at every execution, its generic plan not knowing
the limit)."""

from __future__ import annotations

from typing import Any

from erplite import pooler
from erplite.orm.query import Query


def test_a_whole_number_limit_is_written_in_the_statement_and_anything_else_stays_a_parameter():
    query = Query(None, "res_partner")
    query.limit = 80
    assert query.select().text.endswith(" LIMIT 80")
    assert query.select().params == ()
    query.limit, query.offset = 80, 160
    assert query.select().text.endswith(" LIMIT 80 OFFSET %s")
    assert query.select().params == (160,)
    for odd in (True, -1, "80"):
        query.limit, query.offset = odd, None
        assert query.select().text.endswith(" LIMIT %s")
        assert query.select().params == (odd,)


def test_a_limited_search_keeps_its_plan_once_prepared(env: Any) -> None:
    partners = env["res.partner"].with_context(active_test=False)
    expected = partners.search([], order="id")[:3].ids
    for _ in range(8):  # psycopg prepares a statement on its 6th run on a connection
        assert partners.search([], limit=3, order="id").ids == expected
    env.cr.execute(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
        " WHERE statement LIKE %s AND statement LIKE %s",
        ['%"res_partner"%', "%LIMIT 3"],
    )
    plans = env.cr.fetchall()
    if pooler.transaction_pooling():  # behind PgBouncer: nothing is prepared
        assert plans == []
    else:
        assert len(plans) == 1 and plans[0][0] >= 1 and plans[0][1] == 0, plans
