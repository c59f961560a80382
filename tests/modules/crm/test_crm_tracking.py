"""The expected revenue of a lead is tracked (Odoo 17: ``tracking=True``), with the currency
of the lead's company: a Monetary whose ``currency_field`` is a related field not stored
(``company_currency``), which tracking reads through its path instead of a column."""

from __future__ import annotations

from typing import Any


def test_expected_revenue_changes_are_tracked_with_the_company_currency(
    env: Any, make_lead: Any
) -> None:
    lead = make_lead("Chairs", expected_revenue=1000.0)
    env.flush_all()
    lead.write({"expected_revenue": 1500.0, "name": "More chairs"})
    env.flush_all()
    lead.invalidate_recordset()
    [value] = lead.message_ids.tracking_value_ids.filtered(
        lambda v: v.field_id.name == "expected_revenue"
    )
    assert (value.old_value_float, value.new_value_float) == (1000.0, 1500.0)
    assert value.currency_id == lead.company_id.currency_id
    assert value.currency_id


def test_tracking_the_revenue_of_many_leads_costs_one_select_and_one_insert(
    env: Any, make_lead: Any, assert_query_count: Any
) -> None:
    leads = make_lead("A", expected_revenue=1.0) | make_lead("B", expected_revenue=2.0)
    env.flush_all()
    leads.invalidate_recordset(["expected_revenue"])
    with assert_query_count(3):  # the old values, the UPDATE, the INSERT (the currency cached)
        leads.write({"expected_revenue": 10.0})
        env.flush_all()
    assert len(leads.message_ids.tracking_value_ids) == 2
