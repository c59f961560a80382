"""Fixtures of the governance tests, on a template with ``customer_governance`` installed:
users with given groups, service accounts, memberships and governed customers."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command
from tests.security.api_harness import (  # noqa: F401 - the fixtures api_db and app
    Apis,
    add_user,
    api_app_fixture,
    api_db_fixture,
)

GOVERNANCE_MODULES = ("base", "product", "orders", "customer_governance")


@pytest.fixture(scope="session")
def erplite_template(erplite_templates: Any) -> tuple[str, Any]:
    return erplite_templates(*GOVERNANCE_MODULES)


@pytest.fixture
def make_user(env: Any) -> Any:
    """``make_user(login, *group_xml_ids)``: a new internal user (salesman by default)."""

    def make(login: str, *groups: str) -> Any:
        groups = groups or ("sales_team.group_sale_salesman",)
        return env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "groups_id": [Command.set([env.ref(xml_id).id for xml_id in groups])],
            }
        )

    return make


@pytest.fixture
def make_account(env: Any) -> Any:
    def make(code: str, policy: str = "assigned_plus_unassigned", **values: Any) -> Any:
        return env["sa.account"].create(
            {"name": code.title(), "code": code, "visibility_policy": policy, **values}
        )

    return make


@pytest.fixture
def add_member(env: Any) -> Any:
    def add(account: Any, user: Any, role: str = "agent", **values: Any) -> Any:
        return env["sa.membership"].create(
            {"account_id": account.id, "user_id": user.id, "role": role, **values}
        )

    return add


@pytest.fixture
def make_customer(env: Any) -> Any:
    def make(name: str, account: Any = None) -> Any:
        return env["res.partner"].create(
            {"name": name, "is_company": True, "x_sa_id": account.id if account else False}
        )

    return make


@pytest.fixture
def assign(env: Any) -> Any:
    """``assign(account, customer, user, reason="")``: the new active assignment."""

    def do(account: Any, customer: Any, user: Any, reason: str = "") -> Any:
        assignment_id = env["sa.customer.assignment"].assign(
            account.id, customer.id, user.id, reason
        )
        return env["sa.customer.assignment"].browse(assignment_id)

    return do


# -- the external APIs (JSON-RPC, XML-RPC, REST) on a committed copy of the template ------------
@pytest.fixture
def api_world(app, api_db) -> tuple[Apis, dict[str, Any]]:
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
