"""Fuzzing the domain parser and compiler and the arguments of ``execute_kw`` (hypothesis): whatever
a client sends, the answer is a client error or a result, never a server error (500, an error
id) and never a PostgreSQL or psycopg message.

The examples are derived from a fixed seed (``derandomize=True``) and bounded in number, so the
run is the same in CI every time and takes a few seconds; raise ``FUZZ_EXAMPLES`` locally to
search further.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from erplite.sql import close_pool
from erplite.testing import create_database, drop_database

pytestmark = pytest.mark.reliability

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))

SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

#: what PostgreSQL and psycopg say, which must never reach a client
SQL_LEAKS = (
    "psycopg",
    "syntax error at or near",
    "LINE 1",
    "SQLSTATE",
    "current transaction is aborted",
    "invalid input syntax",
    "operator does not exist",
    "Traceback",
)

FIELDS = [
    "id",
    "name",
    "state",
    "note",
    "amount_total",
    "date_order",
    "validity_date",
    "partner_id",
    "partner_id.name",
    "partner_id.parent_id",
    "partner_id.child_ids.name",
    "order_line",
    "order_line.product_id.name",
    "order_line.price_unit",
    "user_id.login",
    "company_id",
    "create_date",
    "display_name",
]
OPERATORS = [
    "=", "!=", "<", "<=", ">", ">=", "=?", "like", "not like", "ilike", "not ilike", "=like",
    "=ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
]  # fmt: skip

texts = st.text(max_size=12) | st.sampled_from(["", "'", '"', "%", "\\", "\x00", "é", "1;--"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | st.sampled_from(["2026-12-06", "2026-12-06 10:00:00", "draft", "sale"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def leaves() -> st.SearchStrategy:
    fields = st.sampled_from(FIELDS) | texts
    operators = st.sampled_from(OPERATORS) | texts
    return st.one_of(
        st.tuples(fields, operators, json_values).map(list),
        st.just([1, "=", 1]),
        st.just([0, "=", 1]),
        st.lists(json_values, max_size=4),  # anything else where a leaf belongs
    )


domains = st.one_of(
    st.lists(st.one_of(leaves(), st.sampled_from(["&", "|", "!"])), max_size=6),
    st.recursive(
        st.lists(leaves(), max_size=3),
        lambda inner: st.tuples(st.sampled_from(["&", "|", "!"]), inner, inner).map(
            lambda parts: [parts[0], *parts[1], *parts[2]]
        ),
        max_leaves=6,
    ),
    json_values,  # not even a list
)

KWARGS = {
    "fields": st.lists(st.sampled_from(FIELDS) | texts, max_size=4) | json_values,
    "limit": st.integers(min_value=-5, max_value=2**40) | json_values,
    "offset": st.integers(min_value=-5, max_value=2**40) | json_values,
    "order": st.sampled_from(["name", "id desc", "date_order desc, id", "name; DROP", ""])
    | texts
    | json_values,
    "context": st.dictionaries(
        st.sampled_from(["lang", "tz", "active_test", "allowed_company_ids"]) | texts,
        json_values,
        max_size=3,
    )
    | json_values,
    "groupby": st.lists(st.sampled_from(["state", "partner_id", "date_order:month"]) | texts)
    | json_values,
    "lazy": json_values,
    "load": json_values,
    "count": json_values,
}
METHODS = [
    "search",
    "search_read",
    "search_count",
    "read",
    "read_group",
    "name_search",
    "fields_get",
    "default_get",
    "name_create",
    "create",
    "write",
    "exists",
    "copy",
    "unlink",
]
MODELS = ["sale.order", "sale.order.line", "res.partner", "product.product", "no.such.model"]


@pytest.fixture(scope="module")
def fuzz_db(cluster, shop):
    """A copy of the shop: the fuzzed calls may write (they run as the salesperson)."""
    close_pool(shop.dsn)
    dsn = create_database(cluster.uri, "fuzz", template="shop")
    try:
        yield dsn
    finally:
        close_pool(dsn)
        drop_database(cluster.uri, "fuzz")


@pytest.fixture(scope="module")
def client(fuzz_db):
    from erplite.http import Application

    return Client(Application(fuzz_db))


def jsonrpc_execute_kw(client, shop, model: Any, method: Any, args: Any, kwargs: Any) -> Any:
    params = {
        "service": "object",
        "method": "execute_kw",
        "args": [
            "fuzz",
            shop.ids["salesman"],
            shop.passwords["salesman"],
            model,
            method,
            args,
            kwargs,
        ],
    }
    return client.post(
        "/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
    )


def assert_client_error_at_most(response: Any) -> None:
    """A result or a client error, never a server error, never SQL text."""
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text
    for leak in SQL_LEAKS:
        assert leak not in text, text
    if response.mimetype == "application/json":
        body = json.loads(text)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):  # JSON-RPC: HTTP 200 and the error in the envelope
            name = error.get("data", {}).get("name", "")
            assert name != "werkzeug.exceptions.InternalServerError", text
        assert "X-Error-Id" not in response.headers, text


def test_fuzzed_domains_are_client_errors_at_most(client, shop, figures):
    outcomes: dict[str, int] = {}

    @SETTINGS
    @given(domain=domains, method=st.sampled_from(["search", "search_count", "search_read"]))
    def check(domain: Any, method: str) -> None:
        response = jsonrpc_execute_kw(client, shop, "sale.order", method, [domain], {})
        assert_client_error_at_most(response)
        body = response.get_json()
        key = "result" if "result" in body else body["error"]["data"]["name"].rpartition(".")[2]
        outcomes[key] = outcomes.get(key, 0) + 1

    check()
    figures(examples=sum(outcomes.values()), outcomes=dict(sorted(outcomes.items())))


def test_fuzzed_domains_over_json2_are_client_errors_at_most(client, shop):
    headers = {"Authorization": f"bearer {shop.keys['salesman']}"}

    @SETTINGS
    @given(domain=domains, limit=KWARGS["limit"], order=KWARGS["order"])
    def check(domain: Any, limit: Any, order: Any) -> None:
        body = {"domain": domain, "limit": limit, "order": order, "fields": ["name", "state"]}
        response = client.post("/json/2/sale.order/search_read", json=body, headers=headers)
        assert_client_error_at_most(response)

    check()


def test_fuzzed_execute_kw_arguments_are_client_errors_at_most(client, shop, figures):
    outcomes: dict[str, int] = {}
    ids = st.lists(st.integers(min_value=-3, max_value=2**33), max_size=3) | json_values

    @SETTINGS
    @given(
        model=st.sampled_from(MODELS) | json_values,
        method=st.sampled_from(METHODS) | json_values,
        args=st.one_of(
            st.tuples(ids).map(list),
            st.tuples(ids, json_values).map(list),
            st.tuples(domains).map(list),
            st.lists(json_values, max_size=3),
            json_values,
        ),
        kwargs=st.fixed_dictionaries({}, optional=KWARGS) | json_values,
    )
    def check(model: Any, method: Any, args: Any, kwargs: Any) -> None:
        response = jsonrpc_execute_kw(client, shop, model, method, args, kwargs)
        assert_client_error_at_most(response)
        body = response.get_json()
        key = "result" if "result" in body else body["error"]["data"]["name"].rpartition(".")[2]
        outcomes[key] = outcomes.get(key, 0) + 1

    check()
    figures(examples=sum(outcomes.values()), outcomes=dict(sorted(outcomes.items())))
