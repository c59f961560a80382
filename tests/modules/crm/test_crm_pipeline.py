"""The pipeline's steps: convert, won, lost, restore, merge, and the refusals of wrong steps
(a UserError naming both states, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command
from erplite.exceptions import UserError


def test_convert_links_the_customer_found_by_email(env: Any, make_lead: Any) -> None:
    customer = env["res.partner"].create({"name": "Azure", "email": "buy@azure.example.com"})
    lead = make_lead("Lead", type="lead", email_from="BUY@azure.example.com ")
    lead.action_convert_opportunity()
    assert lead.type == "opportunity" and lead.partner_id == customer and lead.date_conversion


def test_convert_links_the_customer_found_by_name(env: Any, make_lead: Any) -> None:
    customer = env["res.partner"].create({"name": "Deco Addict", "is_company": True})
    lead = make_lead("Lead", type="lead", partner_name="deco addict", email_from="x@nowhere")
    lead.action_convert_opportunity()
    assert lead.partner_id == customer


def test_convert_opportunity_without_partner_keeps_the_lead_customer_or_none(
    env: Any, make_lead: Any
) -> None:
    env["res.partner"].create({"name": "Deco Addict", "is_company": True})
    lead = make_lead("Lead", type="lead", partner_name="deco addict")
    lead.convert_opportunity(env["res.partner"])  # Odoo 17: no customer chosen, none linked
    assert lead.type == "opportunity" and not lead.partner_id


def test_convert_creates_the_company_and_its_contact(env: Any, make_lead: Any) -> None:
    lead = make_lead(
        "Lead", type="lead", partner_name="Brand New Ltd", contact_name="Ann", email_from="a@b.c"
    )
    lead.action_convert_opportunity()
    contact = lead.partner_id
    assert contact.name == "Ann" and contact.email == "a@b.c"
    assert contact.parent_id.name == "Brand New Ltd" and contact.parent_id.is_company


def test_convert_with_partner_salespeople_and_team(
    env: Any, make_lead: Any, salesman: Any, leader: Any, team: Any
) -> None:
    partner = env["res.partner"].create({"name": "Given"})
    leads = make_lead("One", type="lead", user_id=False) | make_lead(
        "Two", type="lead", user_id=False
    )
    leads.convert_opportunity(partner, user_ids=[salesman.id, leader.id], team_id=team.id)
    assert leads.mapped("partner_id") == partner
    assert [lead.user_id for lead in leads] == [salesman, leader]
    assert leads.mapped("team_id") == team


def test_convert_refuses_an_opportunity(env: Any, make_lead: Any) -> None:
    lead, opportunity = make_lead("Lead", type="lead"), make_lead("Deal")
    with pytest.raises(UserError, match="from Open opportunity to Open opportunity"):
        (lead | opportunity).convert_opportunity(env["res.partner"])
    assert lead.type == "lead" and not lead.partner_id


def test_won_moves_to_the_won_stage(make_lead: Any, stages: dict) -> None:
    lead = make_lead("Deal", probability=30.0)
    lead.action_set_won()
    assert lead.stage_id == stages["won"] and lead.probability == 100.0 and lead.date_closed
    with pytest.raises(UserError, match="from Won to Won"):
        lead.action_set_won()


def test_won_without_a_won_stage_is_refused(env: Any, make_lead: Any, stages: dict) -> None:
    stages["won"].is_won = False
    lead = make_lead("Deal")
    with pytest.raises(UserError, match="no won stage"):
        lead.action_set_won()


def test_lost_archives_with_reason_and_refusals(env: Any, make_lead: Any) -> None:
    reason = env.ref("crm.lost_reason_2")
    lead = make_lead("Deal", expected_revenue=100.0)
    lead.action_set_lost(lost_reason_id=reason.id)
    assert not lead.active and lead.probability == 0.0 and lead.lost_reason_id == reason
    assert lead.won_status == "lost" and lead.date_closed and lead.prorated_revenue == 0.0
    with pytest.raises(UserError, match="from Lost to Lost"):
        lead.action_set_lost(lost_reason_id=reason.id)
    with pytest.raises(UserError, match="from Lost to Won"):
        lead.action_set_won()
    with pytest.raises(UserError, match="from Lost to Open opportunity"):
        lead.stage_id = env.ref("crm.stage_lead3")


def test_lost_refuses_won_and_unknown_reasons(make_lead: Any) -> None:
    won = make_lead("Won deal")
    won.action_set_won()
    with pytest.raises(UserError, match="from Won to Lost"):
        won.action_set_lost()
    other = make_lead("Other")
    with pytest.raises(UserError, match="does not exist"):
        other.action_set_lost(lost_reason_id=999999)
    assert other.active


def test_restore_brings_back_the_stage_probability(env: Any, make_lead: Any, stages: dict) -> None:
    lead = make_lead("Deal", stage_id=stages["qualified"].id)
    lead.action_set_lost(lost_reason_id=env.ref("crm.lost_reason_1").id)
    lead.action_restore()
    assert lead.active and not lead.lost_reason_id and not lead.date_closed
    assert lead.probability == 50.0 and lead.is_automated_probability
    with pytest.raises(UserError, match="from Open opportunity to Open opportunity"):
        lead.action_restore()
    lead.action_set_lost()
    lead.action_unarchive()
    assert lead.active and lead.probability == 50.0


def test_merge_keeps_the_oldest_with_the_others_values(
    env: Any, make_lead: Any, salesman: Any
) -> None:
    tag_a, tag_b = env["crm.tag"].create([{"name": "Merge A"}, {"name": "Merge B"}])
    oldest = make_lead(
        "Oldest", type="lead", user_id=False, tag_ids=[Command.set(tag_a.ids)], description="first"
    )
    newer = make_lead(
        "Newer",
        user_id=salesman.id,
        email_from="n@e.w",
        priority="3",
        tag_ids=[Command.set(tag_b.ids)],
        description="second",
    )
    newer.message_post(body="A note on the newer one", subtype_xmlid="mail.mt_note")
    activity = newer.activity_schedule("mail.mail_activity_data_call", summary="Call them")
    kept = (newer | oldest).merge_opportunity()
    assert kept == oldest and not newer.exists()
    assert activity.exists() and (activity.res_model, activity.res_id) == ("crm.lead", kept.id)
    kept.invalidate_recordset()
    assert "A note on the newer one" in kept.message_ids.mapped(lambda m: str(m.body))
    assert kept.user_id == salesman and kept.email_from == "n@e.w"
    assert kept.tag_ids == tag_a | tag_b and kept.priority == "3"
    assert kept.type == "opportunity"
    assert "first" in str(kept.description) and "second" in str(kept.description)


def test_merge_refuses_a_single_lead(make_lead: Any) -> None:
    with pytest.raises(UserError, match="more than one element"):
        make_lead("Alone").merge_opportunity()
