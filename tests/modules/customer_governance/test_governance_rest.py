"""The REST API under ``/api/governance/`` through a werkzeug test client with API keys: assign,
reassign, revoke and history with the caller's rights (403 for an agent, 201 for a manager, 422
for a refused transition, 404 and 400 for bad references and input), and the routes in the
OpenAPI document."""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

BASE = "/api/governance"


def _assignments(apis: Any, user: str, **query: Any) -> list[dict[str, Any]]:
    params = "&".join(f"{name}={value}" for name, value in query.items())
    outcome = apis.rest(user, "GET", f"{BASE}/assignments?{params}")
    assert outcome.ok, outcome
    assert outcome.result["count"] == len(outcome.result["items"])
    return outcome.result["items"]


def test_assign_refused_to_an_agent_done_by_a_manager(api_world, api_db) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    body = {
        "account_id": data["account"],
        "partner_id": ids["unassigned"],
        "user_id": api_db.ids[names["agent"]],
        "reason": "over REST",
    }
    refused = apis.rest(names["agent"], "POST", f"{BASE}/assignments", body)
    assert refused.status == 403 and refused.kind == "AccessError", refused
    done = apis.rest(names["boss"], "POST", f"{BASE}/assignments", body)
    assert done.status == 201, done
    assignment = done.result
    assert assignment["state"] == "active" and assignment["open_reason"] == "over REST"
    assert assignment["user_id"]["id"] == api_db.ids[names["agent"]]
    assert assignment["partner_id"]["id"] == ids["unassigned"]
    # the agent now sees it, with its history
    mine = _assignments(apis, names["agent"], state="active")
    assert {row["partner_id"]["id"] for row in mine} == {ids["mine"], ids["unassigned"]}


def test_reassign_expires_and_opens(api_world, api_db) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    (current,) = _assignments(apis, names["boss"], partner_id=ids["mine"], state="active")
    url = f"{BASE}/assignments/{current['id']}/reassign"
    body = {"user_id": api_db.ids[names["other"]], "reason": "holidays"}
    assert apis.rest(names["agent"], "POST", url, body).status == 403
    done = apis.rest(names["boss"], "POST", url, body)
    assert done.status == 201, done
    assert done.result["user_id"]["id"] == api_db.ids[names["other"]]
    history = apis.rest(names["boss"], "GET", f"{BASE}/customers/{ids['mine']}/history")
    assert history.ok, history
    states = [(row["state"], row["user_id"]["id"]) for row in history.result["items"]]
    assert states == [
        ("active", api_db.ids[names["other"]]),
        ("expired", api_db.ids[names["agent"]]),
    ]
    assert history.result["items"][1]["close_reason"] == "reassigned to " + (
        f"{names['other']}: holidays"
    )
    # the expired one cannot be reassigned again: the history is never rewritten
    again = apis.rest(names["boss"], "POST", url, body)
    assert again.status == 422 and "expired" in again.message, again
    # the previous actor lost the customer and its history
    lost = apis.rest(names["agent"], "GET", f"{BASE}/customers/{ids['mine']}/history")
    assert lost.status == 403, lost


def test_revoke_membership(api_world, api_db) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    memberships = apis.rest(
        names["boss"], "GET", f"{BASE}/memberships?user_id={api_db.ids[names['other']]}"
    )
    (membership,) = memberships.result["items"]
    url = f"{BASE}/memberships/{membership['id']}/revoke"
    assert apis.rest(names["agent"], "POST", url, {}).status == 403
    done = apis.rest(names["boss"], "POST", url, {"reason": "left"})
    assert done.ok, done
    assert done.result["state"] == "revoked" and done.result["revoke_reason"] == "left"
    assert done.result["revoked_by_id"]["id"] == api_db.ids[names["boss"]]
    assert not _assignments(apis, names["other"])
    theirs = _assignments(apis, names["boss"], partner_id=ids["theirs"])
    assert [row["state"] for row in theirs] == ["expired"]
    again = apis.rest(names["boss"], "POST", url, {})
    assert again.status == 422 and "already revoked" in again.message, again


def test_history_and_listing_follow_the_policy(api_world, api_db) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    own = apis.rest(names["agent"], "GET", f"{BASE}/customers/{ids['mine']}/history")
    assert own.ok and own.result["count"] == 1, own
    assert apis.rest(names["agent"], "GET", f"{BASE}/customers/{ids['theirs']}/history").status == (
        403
    )
    assert {row["partner_id"]["id"] for row in _assignments(apis, names["agent"])} == {ids["mine"]}
    accounts = apis.rest(names["agent"], "GET", f"{BASE}/accounts?visibility_policy=assigned_only")
    assert data["account"] in {row["id"] for row in accounts.result["items"]}


def test_bad_input_and_missing_records(api_world, api_db) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    boss = names["boss"]
    missing_field = apis.rest(
        boss, "POST", f"{BASE}/assignments", {"account_id": data["account"], "partner_id": 1}
    )
    assert missing_field.status == 400 and missing_field.result["field"] == "user_id"
    unknown = apis.rest(boss, "POST", f"{BASE}/assignments/2147483000/reassign", {"user_id": 1})
    assert unknown.status == 404, unknown
    assert apis.rest(boss, "GET", f"{BASE}/customers/2147483000/history").status == 404
    not_a_member = apis.rest(
        boss,
        "POST",
        f"{BASE}/assignments",
        {"account_id": data["account"], "partner_id": ids["unassigned"], "user_id": 1},
    )
    assert not_a_member.status == 422 and "not a valid manager or agent" in not_a_member.message
    assert apis.rest(boss, "GET", f"{BASE}/assignments?colour=red").status == 400
    anonymous = apis.rest(boss, "GET", f"{BASE}/assignments", key="wrong")
    assert anonymous.status == 401


def test_routes_in_the_openapi_document(app) -> None:
    document = Client(app).get("/api/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths[f"{BASE}/assignments"]) == {"get", "post"}
    assert set(paths[f"{BASE}/assignments/{{assignment_id}}/reassign"]) == {"post"}
    assert set(paths[f"{BASE}/memberships/{{membership_id}}/revoke"]) == {"post"}
    assert set(paths[f"{BASE}/customers/{{partner_id}}/history"]) == {"get"}
    assert set(paths[f"{BASE}/accounts"]) == {"get"}
    post = paths[f"{BASE}/assignments"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CustomerAssign"
    }
    assert {"201", "400", "401", "403", "422"} <= set(post["responses"])
    schemas = document["components"]["schemas"]
    assert schemas["CustomerAssign"]["required"] == ["account_id", "partner_id", "user_id"]
    assignment = schemas["CustomerAssignment"]["properties"]
    assert {"account_id", "partner_id", "user_id", "date_start", "date_end", "state"} <= set(
        assignment
    )
    assert assignment["state"]["enum"] == ["active", "expired"]
