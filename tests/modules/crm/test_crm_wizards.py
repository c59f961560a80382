"""The conversion wizard (``crm.lead2opportunity.partner``: the customer linked, created or
none; merge with duplicates; salesperson and team) and the lost wizard (``crm.lead.lost``:
the reason and a closing note), as Odoo 17's, through the ORM as a salesperson."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import UserError


def _convert_wizard(lead: Any, **values: Any) -> Any:
    return (
        lead.env["crm.lead2opportunity.partner"]
        .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
        .create(values)
    )


def test_convert_links_the_customer_found_by_email(env: Any, make_lead: Any, salesman: Any):
    customer = env["res.partner"].create({"name": "Azure", "email": "buy@azure.example.com"})
    lead = make_lead(
        "Website form", type="lead", email_from="Buy@Azure.example.com", user_id=salesman.id
    ).with_user(salesman)
    wizard = _convert_wizard(lead)
    assert (wizard.name, wizard.action, wizard.partner_id) == ("convert", "exist", customer)
    assert wizard.user_id == salesman
    action = wizard.action_apply()
    assert lead.type == "opportunity" and lead.partner_id == customer
    assert lead.date_conversion and lead.user_id == salesman
    assert (action["res_model"], action["res_id"]) == ("crm.lead", lead.id)
    assert action["views"][0][1] == "form"


def test_convert_creates_the_customer_or_none(env: Any, make_lead: Any):
    lead = make_lead("Fair", type="lead", partner_name="New Co", contact_name="Ann")
    wizard = _convert_wizard(lead)
    assert wizard.action == "create" and not wizard.partner_id
    wizard.action_apply()
    assert lead.partner_id.name == "Ann" and lead.partner_id.parent_id.name == "New Co"

    anonymous = make_lead("Call", type="lead")
    wizard = _convert_wizard(anonymous)
    assert wizard.action == "nothing"
    before = env["res.partner"].search_count([])
    wizard.action_apply()
    assert anonymous.type == "opportunity" and not anonymous.partner_id
    assert env["res.partner"].search_count([]) == before

    # a customer matches, and the user still chooses a new one
    env["res.partner"].create({"name": "Known", "email": "known@example.com"})
    lead = make_lead("Again", type="lead", email_from="known@example.com", contact_name="Kim")
    wizard = _convert_wizard(lead, action="create")
    wizard.action_apply()
    assert lead.partner_id.name == "Kim" and lead.partner_id.email == "known@example.com"


def test_convert_with_another_customer_and_salesperson(
    env: Any, make_lead: Any, salesman: Any, leader: Any, team: Any
):
    chosen = env["res.partner"].create({"name": "Chosen"})
    lead = make_lead("Lead", type="lead", user_id=False, team_id=False)
    wizard = _convert_wizard(lead, user_id=leader.id)
    assert wizard.team_id == team  # the team the salesperson leads
    wizard.write({"action": "exist", "partner_id": chosen.id})
    wizard.action_apply()
    assert (lead.partner_id, lead.user_id, lead.team_id) == (chosen, leader, team)


def test_convert_refusals_change_nothing(env: Any, make_lead: Any):
    opportunity = make_lead("Already", type="opportunity")
    with pytest.raises(UserError, match="Open opportunity"):
        _convert_wizard(opportunity)
    lead = make_lead("No customer", type="lead", contact_name="Zed")
    wizard = _convert_wizard(lead, action="exist")
    with pytest.raises(UserError, match="existing customer"):
        wizard.action_apply()
    assert lead.type == "lead" and not lead.partner_id


def test_convert_merges_with_the_duplicates(env: Any, make_lead: Any, salesman: Any):
    customer = env["res.partner"].create({"name": "Deco", "email": "deco@example.com"})
    oldest = make_lead("First contact", type="opportunity", partner_id=customer.id)
    lead = make_lead("Second contact", type="lead", email_from="deco@example.com")
    unrelated = make_lead("Other", type="lead", email_from="other@example.com")
    wizard = _convert_wizard(lead, user_id=salesman.id)
    assert wizard.name == "merge"
    assert wizard.duplicated_lead_ids == oldest | lead
    action = wizard.action_apply()
    assert action["res_id"] == oldest.id
    assert not lead.exists() and unrelated.exists()
    assert oldest.type == "opportunity" and oldest.user_id == salesman


def test_lost_wizard_records_the_reason_and_the_note(env: Any, make_lead: Any, salesman: Any):
    reason = env.ref("crm.lost_reason_1")
    deals = make_lead("A", user_id=salesman.id) | make_lead("B", user_id=salesman.id)
    deals = deals.with_user(salesman)
    wizard = (
        env["crm.lead.lost"]
        .with_user(salesman)
        .with_context(active_ids=deals.ids)
        .create({"lost_reason_id": reason.id, "lost_feedback": "<p>Too expensive for them</p>"})
    )
    assert wizard.lead_ids == deals
    wizard.action_lost_reason_apply()
    deals = deals.with_context(active_test=False)
    assert deals.mapped("active") == [False, False]
    assert deals.mapped("lost_reason_id") == reason
    assert deals.mapped("probability") == [0.0, 0.0]
    for deal in deals:
        bodies = (
            env["mail.message"]
            .search([("model", "=", "crm.lead"), ("res_id", "=", deal.id)])
            .mapped("body")
        )
        assert any("Too expensive for them" in str(body) for body in bodies)


def test_lost_wizard_without_note_and_refusals(env: Any, make_lead: Any, stages: dict):
    deal = make_lead("Quiet")
    env["crm.lead.lost"].create({"lead_ids": [(6, 0, deal.ids)]}).action_lost_reason_apply()
    assert not deal.active and not deal.lost_reason_id
    notes = env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "=", deal.id)])
    assert not any("Lost Comment" in str(body) for body in notes.mapped("body"))

    won = make_lead("Won", stage_id=stages["won"].id)
    wizard = env["crm.lead.lost"].create(
        {"lead_ids": [(6, 0, won.ids)], "lost_feedback": "<p>note</p>"}
    )
    with pytest.raises(UserError, match="from Won to Lost"):
        wizard.action_lost_reason_apply()
    assert won.active
    assert not any(
        "note" in str(body)
        for body in env["mail.message"]
        .search([("model", "=", "crm.lead"), ("res_id", "=", won.id)])
        .mapped("body")
    )
    with pytest.raises(UserError, match="Choose the leads"):
        env["crm.lead.lost"].create({}).action_lost_reason_apply()
    # the active records of another model are not leads
    other = env["crm.lead.lost"].with_context(active_model="res.partner", active_ids=deal.ids)
    assert not other.create({}).lead_ids


def test_wizard_views_and_actions(env: Any):
    for model, button in (
        ("crm.lead2opportunity.partner", "action_apply"),
        ("crm.lead.lost", "action_lost_reason_apply"),
    ):
        arch = env[model].get_views([(False, "form")])["views"]["form"]["arch"]
        assert f'name="{button}"' in arch and 'special="cancel"' in arch
    for xml_id, model in (
        ("crm.action_crm_lead2opportunity_partner", "crm.lead2opportunity.partner"),
        ("crm.crm_lead_lost_action", "crm.lead.lost"),
    ):
        action = env.ref(xml_id)
        assert (action.res_model, action.target) == (model, "new")
    assert env["crm.lead.lost"]._transient and env["crm.lead2opportunity.partner"]._transient


def test_a_salesperson_cannot_convert_a_lead_they_cannot_see(
    env: Any, make_lead: Any, salesman: Any, make_user: Any
):
    other = make_user("olga", "sales_team.group_sale_salesman")
    theirs = make_lead("Olga's", type="lead", user_id=other.id)
    with pytest.raises(Exception) as refused:
        _convert_wizard(theirs.with_user(salesman)).action_apply()
    assert type(refused.value).__name__ in ("AccessError", "MissingError")
    assert theirs.type == "lead"
