"""Leads and opportunities of governed customers: they carry their customer's stamps
(``x_sa_id`` / ``x_actor_id``, following assignments and reassignments) and follow its
visibility for members; a lead without a customer stays under the CRM's rules."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError


@pytest.fixture
def world(env, make_user, make_account, add_member, make_customer, assign):
    """``(me, colleague, account, leads by case)``: unassigned leads (``user_id`` empty) of a
    customer assigned to me, to a colleague, unassigned in my SA, of another SA, plain, and a
    lead without a customer; my SA is ``assigned_plus_unassigned``, I am an agent."""
    me, colleague, outsider = make_user("me"), make_user("colleague"), make_user("outsider")
    account = make_account("acc", "assigned_plus_unassigned")
    other_account = make_account("other", "sa_wide")
    add_member(account, me)
    add_member(account, colleague)
    add_member(other_account, outsider)
    customers = {"plain": make_customer("Customer plain")}
    for case in ("mine", "other", "unassigned"):
        customers[case] = make_customer(f"Customer {case}", account)
    customers["other_sa"] = make_customer("Customer other_sa", other_account)
    assign(account, customers["mine"], me)
    assign(account, customers["other"], colleague)
    assign(other_account, customers["other_sa"], outsider)
    leads = {
        case: env["crm.lead"].create(
            {"name": f"Deal {case}", "partner_id": customer.id, "user_id": False}
        )
        for case, customer in customers.items()
    }
    leads["no_customer"] = env["crm.lead"].create(
        {"name": "Deal no_customer", "type": "lead", "user_id": False}
    )
    env.flush_all()
    return me, colleague, account, leads


def _seen(found: Any, leads: dict[str, Any]) -> set[str]:
    return {case for case, lead in leads.items() if lead in found}


def test_leads_carry_the_customers_stamps(env, world, assign) -> None:
    me, colleague, account, leads = world
    assert (leads["mine"].x_sa_id, leads["mine"].x_actor_id) == (account, me)
    assert (leads["unassigned"].x_sa_id, leads["unassigned"].x_actor_id.id) == (account, False)
    assert not leads["plain"].x_sa_id and not leads["no_customer"].x_sa_id
    assign(account, leads["mine"].partner_id, colleague, "handover")
    assert leads["mine"].x_actor_id == colleague
    cr = env.cr
    env.flush_all()
    cr.execute("SELECT x_actor_id FROM crm_lead WHERE id = %s", [leads["mine"].id])
    assert cr.fetchone()[0] == colleague.id  # stored: what older integrations read


def test_leads_follow_the_customers_visibility(env, world) -> None:
    me, _colleague, _account, leads = world
    Lead = env["crm.lead"].with_user(me)
    ids = [lead.id for lead in leads.values()]
    assert _seen(Lead.search([("id", "in", ids)]), leads) == {
        "mine",
        "unassigned",
        "plain",
        "no_customer",
    }
    groups = Lead.read_group([("id", "in", ids)], ["type"], ["type"])
    assert sum(group["type_count"] for group in groups) == 4
    found = {lead_id for lead_id, _name in Lead.name_search("Deal ", limit=50)}
    assert found == {leads[case].id for case in ("mine", "unassigned", "plain", "no_customer")}
    with pytest.raises(AccessError):
        leads["other"].with_user(me).read(["name"])
    with pytest.raises(AccessError):
        leads["other_sa"].with_user(me).write({"priority": "2"})
    leads["mine"].with_user(me).write({"priority": "2"})


def test_a_members_own_lead_of_another_actors_customer_is_hidden(env, world) -> None:
    me, _colleague, _account, leads = world
    leads["other"].user_id = me  # the CRM's rules would show it: the customer's policy hides it
    env.flush_all()
    assert not env["crm.lead"].with_user(me).search([("id", "=", leads["other"].id)])


def test_a_member_sees_the_governed_leads_of_other_salespeople(env, world, make_user) -> None:
    me, colleague, _account, leads = world
    leads["unassigned"].user_id = colleague  # the CRM's rules alone hide a colleague's lead
    leads["plain"].user_id = colleague
    env.flush_all()
    seen = _seen(env["crm.lead"].with_user(me).search([]), leads)
    assert "unassigned" in seen and "plain" not in seen


def test_a_revoked_member_loses_the_leads_at_once(env, world) -> None:
    me, _colleague, account, leads = world
    membership = env["sa.membership"].search(
        [("user_id", "=", me.id), ("account_id", "=", account.id)]
    )
    membership.action_revoke("left the team")
    env.flush_all()
    seen = _seen(env["crm.lead"].with_user(me).search([]), leads)
    assert seen == {"plain", "no_customer"}


def test_a_search_of_leads_is_one_statement(env, world, assert_query_count) -> None:
    me, _colleague, _account, _leads = world
    Lead = env["crm.lead"].with_user(me)
    Lead.search([("id", "in", [1])])  # warm the rule and group caches
    with assert_query_count(1):
        Lead.search([("type", "=", "opportunity")])
