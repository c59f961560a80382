"""Who sees which leads: own documents (theirs and the unassigned), a team leader (and their
team's), all documents and the administrator (all), always within their companies."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError


@pytest.fixture
def world(env: Any, make_user: Any, salesman: Any, leader: Any, team: Any) -> dict[str, Any]:
    other_company = env["res.company"].create({"name": "Other Co"})
    stranger = make_user("stan", "sales_team.group_sale_salesman")
    leads = env["crm.lead"].create(
        [
            {"name": "sam's", "user_id": salesman.id, "team_id": team.id},
            {"name": "unassigned", "user_id": False, "team_id": False},
            {"name": "stan's", "user_id": stranger.id, "team_id": False},
            {"name": "stan's in leo's team", "user_id": stranger.id, "team_id": team.id},
            {"name": "other company", "user_id": False, "company_id": other_company.id},
        ]
    )
    return {"leads": leads, "stranger": stranger}


def _visible(env: Any, user: Any, world: dict) -> set[str]:
    found = env["crm.lead"].with_user(user).search([("id", "in", world["leads"].ids)])
    return set(found.mapped("name"))


def test_own_documents_sees_own_and_unassigned(env: Any, salesman: Any, world: dict) -> None:
    assert _visible(env, salesman, world) == {"sam's", "unassigned"}


def test_team_leader_sees_the_team_s_leads(env: Any, leader: Any, world: dict) -> None:
    assert _visible(env, leader, world) == {"sam's", "unassigned", "stan's in leo's team"}


@pytest.mark.parametrize(
    "group", ["sales_team.group_sale_salesman_all_leads", "sales_team.group_sale_manager"]
)
def test_all_documents_and_manager_see_all_of_their_company(
    env: Any, make_user: Any, world: dict, group: str
) -> None:
    user = make_user("allie", group)
    assert _visible(env, user, world) == {
        "sam's",
        "unassigned",
        "stan's",
        "stan's in leo's team",
    }


def test_own_documents_cannot_read_or_write_another_s_lead(
    env: Any, salesman: Any, world: dict
) -> None:
    theirs = world["leads"].filtered(lambda lead: lead.name == "stan's").with_user(salesman)
    with pytest.raises(AccessError):
        theirs.read(["name"])
    with pytest.raises(AccessError):
        theirs.write({"name": "mine now"})


def test_a_user_without_sales_group_has_no_access(env: Any, make_user: Any, world: dict) -> None:
    employee = make_user("emma", "base.group_user")
    with pytest.raises(AccessError):
        env["crm.lead"].with_user(employee).search([])
    assert env["crm.stage"].with_user(employee).search_count([]) >= 4


def test_only_the_administrator_configures_stages(env: Any, salesman: Any, make_user: Any) -> None:
    with pytest.raises(AccessError):
        env["crm.stage"].with_user(salesman).create({"name": "Mine"})
    admin = make_user("ada", "sales_team.group_sale_manager")
    assert env["crm.stage"].with_user(admin).create({"name": "Negotiation"}).name == "Negotiation"


def test_salesman_runs_the_pipeline_on_own_lead(env: Any, salesman: Any, stages: dict) -> None:
    lead = env["crm.lead"].with_user(salesman).create({"name": "Mine", "type": "lead"})
    lead.action_convert_opportunity()
    lead.action_set_won()
    assert lead.stage_id == stages["won"]
