"""The policies and the transitions through JSON-RPC and XML-RPC (``execute_kw``) with real
users and passwords: what each member finds, ``assign`` refused to an agent and done by a
manager (the customer then disappears from the previous actor's search), ``action_revoke``."""

from __future__ import annotations

import pytest

from tests.security.api_harness import Apis

VIAS = ("jsonrpc", "xmlrpc")


def found(apis: Apis, via: str, user: str, ids: dict[str, int]) -> set[str]:
    outcome = apis.call(
        via,
        user,
        "res.partner",
        "search_read",
        [[("id", "in", list(ids.values()))]],
        {"fields": ["name"]},
    )
    assert outcome.ok, outcome
    by_id = {v: k for k, v in ids.items()}
    return {by_id[row["id"]] for row in outcome.result}


@pytest.mark.parametrize("via", VIAS)
def test_each_member_finds_what_the_policy_grants(api_world, via) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    assert found(apis, via, names["agent"], ids) == {"mine"}
    assert found(apis, via, names["other"], ids) == {"theirs"}
    assert found(apis, via, names["boss"], ids) == {"mine", "theirs", "unassigned"}


@pytest.mark.parametrize("via", VIAS)
def test_assign_over_rpc(api_world, api_db, via) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    args = [data["account"], ids["mine"], api_db.ids[names["other"]], "over rpc"]
    refused = apis.call(via, names["agent"], "sa.customer.assignment", "assign", args)
    assert not refused.ok and refused.kind == "AccessError", refused
    done = apis.call(via, names["boss"], "sa.customer.assignment", "assign", args)
    assert done.ok, done
    assert found(apis, via, names["agent"], ids) == set()
    assert found(apis, via, names["other"], ids) == {"mine", "theirs"}


def test_revoke_over_jsonrpc(api_world, api_db) -> None:
    apis, data = api_world
    names, ids = data["names"], data["ids"]
    with api_db.cursor() as cr:
        membership = api_db.env(cr)["sa.membership"].search(
            [("user_id", "=", api_db.ids[names["other"]])]
        )
    done = apis.call(
        "jsonrpc", names["boss"], "sa.membership", "action_revoke", [membership.ids, "moved"]
    )
    assert done.ok, done
    assert found(apis, "jsonrpc", names["other"], ids) == set()
