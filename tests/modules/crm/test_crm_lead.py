"""crm.lead's defaults and computed values: team and stage of a new lead, the automated
probability from the stage, the prorated revenue, the stage dates."""

from __future__ import annotations

import datetime
from typing import Any


def test_new_lead_gets_team_first_stage_and_its_probability(
    env: Any, salesman: Any, team: Any, stages: dict
) -> None:
    lead = (
        env["crm.lead"].with_user(salesman).create({"name": "Chairs", "expected_revenue": 1000.0})
    )
    assert lead.user_id == salesman and lead.team_id == team
    assert lead.stage_id == stages["new"]
    assert lead.type == "opportunity"
    assert (lead.automated_probability, lead.probability) == (25.0, 25.0)
    assert lead.is_automated_probability
    assert lead.prorated_revenue == 250.0
    assert lead.date_last_stage_update
    assert lead.won_status == "pending"


def test_probability_follows_the_stage_until_set_by_hand(make_lead: Any, stages: dict) -> None:
    automatic = make_lead("Automatic", expected_revenue=200.0)
    manual = make_lead("Manual", expected_revenue=200.0)
    manual.probability = 10.0
    assert not manual.is_automated_probability
    (automatic | manual).write({"stage_id": stages["proposition"].id})
    assert (automatic.probability, automatic.automated_probability) == (75.0, 75.0)
    assert (manual.probability, manual.automated_probability) == (10.0, 75.0)
    assert (automatic.prorated_revenue, manual.prorated_revenue) == (150.0, 20.0)


def test_team_specific_stage_changes_the_pipeline_s_share(
    env: Any, make_lead: Any, team: Any, stages: dict
) -> None:
    extra = env["crm.stage"].create({"name": "Negotiation", "sequence": 4, "team_id": team.id})
    of_team = make_lead("Team deal", team_id=team.id, stage_id=extra.id)
    shared = make_lead("Shared deal", team_id=False, stage_id=stages["proposition"].id)
    assert of_team.probability == 80.0  # 4th of 4 open stages of the team's pipeline
    assert shared.probability == 75.0  # 3rd of 3 open shared stages
    assert make_lead("Other", team_id=team.id).stage_id == stages["new"]


def test_stage_move_stamps_the_date_and_won_stage_closes(
    env: Any, make_lead: Any, stages: dict
) -> None:
    lead = make_lead("Desk", expected_revenue=500.0)
    old = datetime.datetime(2020, 1, 1)
    lead.write({"date_last_stage_update": old})
    lead.stage_id = stages["qualified"]
    assert lead.date_last_stage_update > old
    assert lead.date_closed is False
    lead.stage_id = stages["won"]
    assert lead.probability == 100.0 and lead.date_closed
    assert lead.won_status == "won" and lead.prorated_revenue == 500.0
    lead.stage_id = stages["qualified"]  # reopened
    assert lead.date_closed is False and lead.probability == 50.0


def test_created_in_won_stage_is_closed(make_lead: Any, stages: dict) -> None:
    lead = make_lead("Already won", stage_id=stages["won"].id)
    assert lead.probability == 100.0 and lead.date_closed and lead.won_status == "won"


def test_lost_reason_counts_its_leads(env: Any, make_lead: Any) -> None:
    reason = env.ref("crm.lost_reason_1")
    before = reason.leads_count
    make_lead("A").action_set_lost(lost_reason_id=reason.id)
    make_lead("B").action_set_lost(lost_reason_id=reason.id)
    reason.invalidate_recordset()
    assert reason.leads_count == before + 2


def test_stage_and_salesperson_changes_are_tracked(
    make_lead: Any, salesman: Any, stages: dict
) -> None:
    lead = make_lead("Tracked")
    lead.write({"stage_id": stages["qualified"].id, "user_id": salesman.id})
    lead.env.flush_all()
    lead.invalidate_recordset()
    values = lead.message_ids.mapped("tracking_value_ids")
    changed = set(values.mapped("field_id.name"))
    assert {"stage_id", "user_id"} <= changed
