"""The policies and the transitions through JSON-RPC and XML-RPC (``execute_kw``) with real
users and passwords: what each member finds, ``assign`` refused to an agent and done by a
manager (the customer then disappears from the previous actor's search), ``action_revoke``."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.http import Application
from erplite.sql import close_pool
from erplite.testing import drop_database
from tests.security.api_harness import Apis, add_user, make_api_database

VIAS = ("jsonrpc", "xmlrpc")


@pytest.fixture(scope="module")
def api_db(erplite_server, erplite_template, erplite_addons_paths):
    db = make_api_database(erplite_server, erplite_template[0], erplite_addons_paths)
    try:
        yield db
    finally:
        close_pool(db.dsn)
        drop_database(erplite_server, db.name)


@pytest.fixture(scope="module")
def app(api_db):
    return Application(api_db.dsn, api_db.addons_paths)


@pytest.fixture
def world(app, api_db) -> tuple[Apis, dict[str, Any]]:
    """An ``assigned_only`` SA with an agent, a second agent and a manager; customers assigned
    to each agent, one unassigned; committed."""
    names = {role: add_user(api_db, role) for role in ("agent", "other", "boss")}
    with api_db.cursor() as cr:
        env = api_db.env(cr)
        account = env["sa.account"].create(
            {"name": "North", "code": names["agent"], "visibility_policy": "assigned_only"}
        )
        for role, membership_role in (("agent", "agent"), ("other", "agent"), ("boss", "manager")):
            env["sa.membership"].create(
                {
                    "account_id": account.id,
                    "user_id": api_db.ids[names[role]],
                    "role": membership_role,
                }
            )
        ids = {}
        for case in ("mine", "theirs", "unassigned"):
            ids[case] = env["res.partner"].create({"name": f"Gov {case}", "x_sa_id": account.id}).id
        Assignment = env["sa.customer.assignment"]
        Assignment.assign(account.id, ids["mine"], api_db.ids[names["agent"]])
        Assignment.assign(account.id, ids["theirs"], api_db.ids[names["other"]])
    return Apis(app, api_db), {"names": names, "ids": ids, "account": account.id}


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
def test_each_member_finds_what_the_policy_grants(world, via) -> None:
    apis, data = world
    names, ids = data["names"], data["ids"]
    assert found(apis, via, names["agent"], ids) == {"mine"}
    assert found(apis, via, names["other"], ids) == {"theirs"}
    assert found(apis, via, names["boss"], ids) == {"mine", "theirs", "unassigned"}


@pytest.mark.parametrize("via", VIAS)
def test_assign_over_rpc(world, api_db, via) -> None:
    apis, data = world
    names, ids = data["names"], data["ids"]
    args = [data["account"], ids["mine"], api_db.ids[names["other"]], "over rpc"]
    refused = apis.call(via, names["agent"], "sa.customer.assignment", "assign", args)
    assert not refused.ok and refused.kind == "AccessError", refused
    done = apis.call(via, names["boss"], "sa.customer.assignment", "assign", args)
    assert done.ok, done
    assert found(apis, via, names["agent"], ids) == set()
    assert found(apis, via, names["other"], ids) == {"mine", "theirs"}


def test_revoke_over_jsonrpc(world, api_db) -> None:
    apis, data = world
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
