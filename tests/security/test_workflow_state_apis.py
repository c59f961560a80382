"""Issue 10, finding 1: an order's state changes only through its workflow, whatever the API.

A salesperson's ``write({'state': 'sale'})`` on their own order waiting for approval, a
``sale -> draft`` by write and a ``create`` in another state than ``draft`` are refused with an
``AccessError`` naming the field over JSON-RPC, XML-RPC and JSON-2 (REST refuses a body with a
state), and leave the order and its history as they were. The workflow's own steps still work
through the same APIs.
"""

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


def make_order(db, quantity: float, step: str | None = None) -> int:
    """An order of the salesperson (``quantity`` desks at 110 taxed), taken through ``step``
    (``confirm`` / ``approve``) by the manager; committed."""
    with db.cursor() as cr:
        env = db.env(cr)
        order = env["sale.order"].create(
            {
                "partner_id": db.ids["customer"],
                "user_id": db.ids["salesman"],
                "order_line": [
                    Command.create({"product_id": db.ids["desk"], "product_uom_qty": quantity})
                ],
            }
        )
        if step in ("confirm", "approve"):
            order.with_user(db.ids["salesman"]).action_confirm()
        if step == "approve":
            order.with_user(db.ids["manager"]).action_approve()
        return order.id


def order_state(db, order_id: int) -> tuple[str, list[tuple[str, str]]]:
    """The order's state and its history as ``[(from, to)]``."""
    with db.cursor() as cr:
        order = db.env(cr)["sale.order"].browse(order_id)
        return order.state, [(h.from_state, h.to_state) for h in order.history_ids]


def assert_refused_naming_state(outcome, via: str) -> None:
    assert not outcome.ok, outcome
    if via == "json2":
        assert outcome.status == 403, outcome
    assert outcome.kind == "AccessError", outcome
    assert "(state)" in outcome.message and "sale.order" in outcome.message, outcome


@pytest.mark.parametrize("via", RPC_APIS)
def test_a_salesperson_cannot_approve_their_order_by_writing_its_state(apis, api_db, via):
    order_id = make_order(api_db, 60, "confirm")  # 6,600 >= 5,000: waits for a manager
    assert order_state(api_db, order_id) == ("to_approve", [("draft", "to_approve")])
    outcome = apis.call(
        via, "salesman", "sale.order", "write", [[order_id]], {"vals": {"state": "sale"}}
    )
    assert_refused_naming_state(outcome, via)
    # nothing changed, no history row: the approval was not skipped
    assert order_state(api_db, order_id) == ("to_approve", [("draft", "to_approve")])
    # the workflow's own step is refused to the salesperson as before
    refused = apis.call(via, "salesman", "sale.order", "action_approve", [[order_id]])
    assert not refused.ok and refused.kind == "AccessError", refused
    assert order_state(api_db, order_id)[0] == "to_approve"


@pytest.mark.parametrize("via", RPC_APIS)
@pytest.mark.parametrize("user", ["salesman", "manager"])
def test_a_confirmed_order_cannot_be_reopened_by_write(apis, api_db, via, user):
    order_id = make_order(api_db, 60, "approve")
    before = order_state(api_db, order_id)
    assert before[0] == "sale"
    outcome = apis.call(
        via, user, "sale.order", "write", [[order_id]], {"vals": {"state": "draft"}}
    )
    assert_refused_naming_state(outcome, via)
    assert order_state(api_db, order_id) == before
    # so its lines stay frozen
    with api_db.cursor() as cr:
        line_id = db_line(api_db, cr, order_id)
    edit = apis.call(
        via, user, "sale.order.line", "write", [[line_id]], {"vals": {"product_uom_qty": 1}}
    )
    assert not edit.ok and "cannot be changed" in edit.message, edit


def db_line(db, cr, order_id: int) -> int:
    return db.env(cr)["sale.order"].browse(order_id).order_line[:1].id


@pytest.mark.parametrize("via", RPC_APIS)
def test_create_in_another_state_than_draft_is_refused(apis, api_db, via):
    values = {
        "partner_id": api_db.ids["customer"],
        "state": "sale",
        "client_order_ref": f"skip-{via}",
        "order_line": [[0, 0, {"product_id": api_db.ids["desk"], "product_uom_qty": 60}]],
    }
    outcome = apis.call(via, "salesman", "sale.order", "create", [], {"vals_list": values})
    assert_refused_naming_state(outcome, via)
    found = apis.call(
        via,
        "salesman",
        "sale.order",
        "search_count",
        [],
        {"domain": [["client_order_ref", "=", f"skip-{via}"]]},
    )
    assert found.ok and found.result == 0, found
    # the default state may be given, as forms send the defaults back
    values["state"] = "draft"
    created = apis.call(via, "salesman", "sale.order", "create", [], {"vals_list": values})
    assert created.ok, created
    order_id = created.result if isinstance(created.result, int) else created.result[0]
    assert order_state(api_db, order_id) == ("draft", [])


@pytest.mark.parametrize("via", RPC_APIS)
def test_a_default_state_in_the_context_is_refused_too(apis, api_db, via):
    values = {"partner_id": api_db.ids["customer"], "client_order_ref": f"ctx-{via}"}
    outcome = apis.call(
        via,
        "salesman",
        "sale.order",
        "create",
        [],
        {"vals_list": values, "context": {"default_state": "sale"}},
    )
    assert_refused_naming_state(outcome, via)


@pytest.mark.parametrize("via", RPC_APIS)
def test_the_workflow_steps_still_work_through_the_api(apis, api_db, via):
    order_id = make_order(api_db, 60)
    assert apis.call(via, "salesman", "sale.order", "action_confirm", [[order_id]]).ok
    assert apis.call(via, "manager", "sale.order", "action_approve", [[order_id]]).ok
    assert order_state(api_db, order_id) == (
        "sale",
        [("draft", "to_approve"), ("to_approve", "sale")],
    )


def test_rest_refuses_a_state_in_a_body(apis, api_db):
    order_id = make_order(api_db, 60, "confirm")
    patched = apis.rest("salesman", "PATCH", f"/api/orders/{order_id}", {"state": "sale"})
    assert not patched.ok and 400 <= patched.status < 500, patched
    created = apis.rest(
        "salesman",
        "POST",
        "/api/orders",
        {"partner_id": api_db.ids["customer"], "state": "sale"},
    )
    assert not created.ok and 400 <= created.status < 500, created
    assert order_state(api_db, order_id) == ("to_approve", [("draft", "to_approve")])
    # the REST workflow route is the way, and it keeps the approval
    approve = apis.rest("salesman", "POST", f"/api/orders/{order_id}/approve")
    assert approve.status == 403, approve
    assert apis.rest("manager", "POST", f"/api/orders/{order_id}/approve").ok
    assert order_state(api_db, order_id)[0] == "sale"
