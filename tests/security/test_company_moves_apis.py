"""Issue 10, finding 3: through every API, an order cannot be moved to a company its user
cannot access (``write`` refuses it as ``create`` does), and a line cannot take a product or
taxes of another company than its order's; each refusal leaves the order as it was."""

from __future__ import annotations

import pytest

from erplite import Command
from tests.security.api_harness import (  # noqa: F401 - the fixtures api_db and app
    Apis,
    api_app_fixture,
    api_db_fixture,
)

RPC_APIS = ("jsonrpc", "xmlrpc", "json2")


@pytest.fixture
def apis(app, api_db):
    return Apis(app, api_db)


@pytest.fixture
def order_id(api_db) -> int:
    """A quotation of the salesperson in company A, with one line; committed."""
    with api_db.cursor() as cr:
        order = api_db.env(cr)["sale.order"].create(
            {
                "partner_id": api_db.ids["customer"],
                "user_id": api_db.ids["salesman"],
                "order_line": [Command.create({"product_id": api_db.ids["desk"]})],
            }
        )
        return order.id


def snapshot(db, order_id: int) -> tuple:
    """The order's company and its lines' (product, taxes, company)."""
    with db.cursor() as cr:
        order = db.env(cr)["sale.order"].browse(order_id)
        return order.company_id.id, [
            (line.product_id.id, tuple(line.tax_id.ids), line.company_id.id)
            for line in order.order_line
        ]


def assert_refused(outcome, via: str, kind: str) -> None:
    assert not outcome.ok, outcome
    if via == "json2" or via == "rest":
        assert outcome.status == {"AccessError": 403, "UserError": 422}[kind], outcome
    else:
        assert outcome.kind == kind, outcome


@pytest.mark.parametrize("via", RPC_APIS)
def test_an_order_cannot_be_moved_to_a_company_the_user_cannot_access(apis, api_db, order_id, via):
    before = snapshot(api_db, order_id)
    company_b = api_db.ids["company_b"]
    moved = apis.call(
        via, "salesman", "sale.order", "write", [[order_id]], {"vals": {"company_id": company_b}}
    )
    assert_refused(moved, via, "AccessError")
    assert snapshot(api_db, order_id) == before
    # create refuses the same company
    created = apis.call(
        via,
        "salesman",
        "sale.order",
        "create",
        [],
        {"vals_list": {"partner_id": api_db.ids["customer"], "company_id": company_b}},
    )
    assert_refused(created, via, "AccessError")
    # the order is still visible to its salesperson
    found = apis.call(
        via, "salesman", "sale.order", "search_count", [], {"domain": [["id", "=", order_id]]}
    )
    assert found.ok and found.result == 1, found


@pytest.mark.parametrize("via", RPC_APIS)
def test_a_line_cannot_take_a_product_or_taxes_of_another_company(apis, api_db, order_id, via):
    before = snapshot(api_db, order_id)
    with api_db.cursor() as cr:
        line_id = api_db.env(cr)["sale.order"].browse(order_id).order_line.id
    for vals in (
        {"product_id": api_db.ids["b_widget"]},
        {"tax_id": [[6, 0, [api_db.ids["tax_b"]]]]},
    ):
        outcome = apis.call(
            via, "salesman", "sale.order.line", "write", [[line_id]], {"vals": vals}
        )
        assert_refused(outcome, via, "UserError")
        assert "Incompatible companies" in outcome.message, outcome
    added = apis.call(
        via,
        "salesman",
        "sale.order",
        "write",
        [[order_id]],
        {"vals": {"order_line": [[0, 0, {"product_id": api_db.ids["b_widget"]}]]}},
    )
    assert_refused(added, via, "UserError")
    assert snapshot(api_db, order_id) == before


@pytest.mark.parametrize("via", RPC_APIS)
def test_a_user_of_both_companies_moves_a_consistent_order_only(apis, api_db, via):
    with api_db.cursor() as cr:
        env = api_db.env(cr)
        product_a = env["product.product"].create(
            {"name": f"A only {via}", "company_id": api_db.ids["company"]}
        )
        order = env["sale.order"].create(
            {
                "partner_id": api_db.ids["customer"],
                "user_id": api_db.ids["both"],
                "order_line": [Command.create({"product_id": product_a.id})],
            }
        )
        order_id = order.id
    before = snapshot(api_db, order_id)
    vals = {"company_id": api_db.ids["company_b"]}
    context = {"allowed_company_ids": [api_db.ids["company"], api_db.ids["company_b"]]}
    moved = apis.call(
        via, "both", "sale.order", "write", [[order_id]], {"vals": vals, "context": context}
    )
    assert_refused(moved, via, "UserError")  # its line's product is company A's
    assert "Incompatible companies" in moved.message
    assert snapshot(api_db, order_id) == before
    # with company A alone allowed, company B is out of reach
    only_a = {"allowed_company_ids": [api_db.ids["company"]]}
    refused = apis.call(
        via, "both", "sale.order", "write", [[order_id]], {"vals": vals, "context": only_a}
    )
    assert_refused(refused, via, "AccessError")


def test_rest_refuses_other_companies_too(apis, api_db, order_id):
    before = snapshot(api_db, order_id)
    company_b = api_db.ids["company_b"]
    patched = apis.rest("salesman", "PATCH", f"/api/orders/{order_id}", {"company_id": company_b})
    assert not patched.ok and patched.status == 400, patched  # not a field PATCH takes
    created = apis.rest(
        "salesman",
        "POST",
        "/api/orders",
        {"partner_id": api_db.ids["customer"], "company_id": company_b},
    )
    assert_refused(created, "rest", "AccessError")
    line = apis.rest(
        "salesman",
        "PATCH",
        f"/api/orders/{order_id}",
        {"order_line": [{"product_id": api_db.ids["b_widget"]}]},
    )
    assert_refused(line, "rest", "UserError")
    taxed = apis.rest(
        "salesman",
        "POST",
        "/api/orders",
        {
            "partner_id": api_db.ids["customer"],
            "order_line": [{"product_id": api_db.ids["desk"], "tax_id": [api_db.ids["tax_b"]]}],
        },
    )
    assert_refused(taxed, "rest", "UserError")
    assert snapshot(api_db, order_id) == before
