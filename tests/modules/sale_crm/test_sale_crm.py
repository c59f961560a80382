"""Quotations from opportunities: "New Quotation" and its defaults, the customer asked first
when the opportunity has none, the counts and amount on the opportunity (one grouped query for
any number of them), the smart buttons, won on confirmation (a setting), merge."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import UserError


def test_new_quotation_makes_a_quotation_with_the_opportunity_values(
    env, make_opportunity, customer, salesman, team, make_order
):
    opportunity = make_opportunity("Office furniture")
    action = opportunity.action_sale_quotations_new()
    assert action["type"] == "ir.actions.act_window"
    assert action["res_model"] == "sale.order"
    assert action["id"] == env.ref("sale_crm.sale_action_quotations_new").id
    assert action["views"] == [[False, "form"]]
    order = env["sale.order"].browse(action["res_id"])
    assert order.opportunity_id == opportunity
    assert order.partner_id == customer
    assert order.team_id == team
    assert order.user_id == salesman
    assert order.origin == "Office furniture"
    assert order.state == "draft" and not order.order_line
    assert opportunity.order_ids == order
    assert opportunity.quotation_count == 1
    # the context keeps the values as defaults for quotations made from the action
    context = action["context"]
    assert context["default_opportunity_id"] == opportunity.id
    assert context["default_partner_id"] == customer.id
    assert context["default_team_id"] == team.id
    assert context["default_user_id"] == salesman.id
    assert context["default_origin"] == "Office furniture"
    second = make_order(opportunity, 2)
    assert (second.opportunity_id, second.team_id, second.origin) == (
        opportunity,
        team,
        "Office furniture",
    )


def test_a_salesperson_makes_a_quotation_from_their_opportunity(env, make_opportunity, salesman):
    opportunity = make_opportunity("Sam's deal").with_user(salesman)
    action = opportunity.action_sale_quotations_new()
    order = env["sale.order"].with_user(salesman).browse(action["res_id"])
    assert order.user_id == salesman and order.create_uid == salesman


def test_new_quotation_is_refused_for_a_lead_and_a_lost_opportunity(env, make_opportunity):
    lead = make_opportunity("Unqualified", type="lead")
    with pytest.raises(UserError, match="not an active opportunity"):
        lead.action_sale_quotations_new()
    lost = make_opportunity("Lost deal")
    lost.action_set_lost()
    with pytest.raises(UserError, match="not an active opportunity"):
        lost.action_sale_quotations_new()


def test_without_customer_the_wizard_asks_for_one_first(env, make_opportunity):
    found = env["res.partner"].create({"name": "Deco Addict", "email": "buy@deco.example.com"})
    opportunity = make_opportunity(
        "Chairs", partner_id=False, email_from="BUY@deco.example.com", contact_name="Ann"
    )
    action = opportunity.action_sale_quotations_new()
    assert action["res_model"] == "crm.quotation.partner"
    assert action["target"] == "new"
    Wizard = env["crm.quotation.partner"].with_context(**action["context"])
    wizard = Wizard.create({})
    assert wizard.lead_id == opportunity
    assert wizard.action == "exist"
    assert wizard.partner_id == found  # by email, whatever its case
    quotation_action = wizard.action_apply()
    assert opportunity.partner_id == found
    assert env["sale.order"].browse(quotation_action["res_id"]).partner_id == found

    # "create": a new customer from the contact details, even when one would match
    other = make_opportunity("Desks", partner_id=False, email_from="buy@deco.example.com")
    with pytest.raises(UserError, match="has no customer"):
        other.action_new_quotation()
    wizard = Wizard.with_context(active_id=other.id).create({"action": "create"})
    wizard.action_apply()
    assert other.partner_id and other.partner_id != found
    assert other.partner_id.email == "buy@deco.example.com"

    # "exist" without a customer is refused and changes nothing
    third = make_opportunity("Lamps", partner_id=False, contact_name="Nobody Known")
    wizard = Wizard.with_context(active_id=third.id).create({})
    assert wizard.action == "create"
    wizard.action = "exist"
    with pytest.raises(UserError, match="existing customer"):
        wizard.action_apply()
    assert not third.partner_id


def test_counts_and_amount_follow_the_orders(env, make_opportunity, make_order, company):
    opportunity = make_opportunity("Fit-out")
    assert (opportunity.quotation_count, opportunity.sale_order_count) == (0, 0)
    first = make_order(opportunity, 2)
    second = make_order(opportunity, 3)
    third = make_order(opportunity, 4)
    opportunity.invalidate_recordset()
    assert opportunity.quotation_count == 3
    company.crm_won_on_order_confirm = False
    first.action_confirm()
    second.action_cancel()
    opportunity.invalidate_recordset()
    assert opportunity.quotation_count == 1
    assert opportunity.sale_order_count == 1
    assert opportunity.sale_amount_total == first.amount_untaxed == 200.0
    big = make_order(opportunity, 60)  # 6,000: waits for approval, counted as an order
    big.action_confirm()
    assert big.state == "to_approve"
    opportunity.invalidate_recordset()
    assert opportunity.sale_order_count == 2
    assert opportunity.sale_amount_total == 6200.0
    assert third.state == "draft"


def test_counts_of_many_opportunities_are_one_query(
    env, make_opportunity, make_order, assert_query_count
):
    opportunities = env["crm.lead"]
    for index in range(12):
        opportunity = make_opportunity(f"Deal {index}")
        for _ in range(index % 3):
            make_order(opportunity)
        opportunities |= opportunity
    env.flush_all()
    opportunities = env["crm.lead"].browse(opportunities.ids)  # as a list reads them
    opportunities.invalidate_model()
    with assert_query_count(1):
        counts = [(o.quotation_count, o.sale_amount_total) for o in opportunities]
    assert counts == [(index % 3, 0.0) for index in range(12)]
    # one record or sixty: the same single statement
    many = opportunities
    for index in range(48):
        many |= make_opportunity(f"More {index}")
    env.flush_all()
    many = env["crm.lead"].browse(many.ids)
    many.invalidate_model()
    with assert_query_count(1):
        assert sum(many.mapped("quotation_count")) == 12


def test_a_salesperson_counts_the_orders_they_may_see(
    env, make_opportunity, make_order, make_user, salesman
):
    opportunity = make_opportunity("Shared deal")
    make_order(opportunity)
    other = make_user("olga", "sales_team.group_sale_salesman")
    make_order(opportunity, user_id=other.id)
    opportunity.invalidate_recordset()
    assert opportunity.quotation_count == 2
    opportunity.invalidate_recordset()
    mine = opportunity.with_user(salesman)
    assert mine.quotation_count == 1  # the other salesperson's order is not theirs to see


def test_smart_buttons_open_the_quotations_and_orders(env, make_opportunity, make_order, company):
    company.crm_won_on_order_confirm = False
    opportunity = make_opportunity("Fit-out")
    only = make_order(opportunity)
    action = opportunity.action_view_sale_quotation()
    assert action["res_model"] == "sale.order"
    assert action["res_id"] == only.id and action["views"] == [[False, "form"]]
    make_order(opportunity)
    action = opportunity.action_view_sale_quotation()
    assert "res_id" not in action
    assert env["sale.order"].search(action["domain"]) == opportunity.order_ids
    only.action_confirm()
    action = opportunity.action_view_sale_order()
    assert action["res_id"] == only.id
    assert env["sale.order"].search(action["domain"]) == only


def test_confirming_a_quotation_wins_its_opportunity(env, make_opportunity, make_order):
    won_stage = env.ref("crm.stage_lead4")
    opportunity = make_opportunity("Fit-out", probability=30.0)
    other = make_opportunity("Another deal")
    order = make_order(opportunity)
    make_order(other)
    order.action_confirm()
    assert order.state == "sale"
    assert opportunity.stage_id == won_stage
    assert opportunity.probability == 100.0
    assert opportunity.date_closed
    assert other.stage_id != won_stage  # its own quotation is still a quotation


def test_winning_on_approval_and_by_a_salesperson(
    env, make_opportunity, make_order, salesman, make_user
):
    manager = make_user("mia", "sales_team.group_sale_manager")
    opportunity = make_opportunity("Big deal", user_id=manager.id)
    order = make_order(opportunity, 60, user_id=salesman.id)  # above the threshold
    order.with_user(salesman).action_confirm()
    assert order.state == "to_approve"
    assert opportunity.won_status == "pending"
    order.with_user(manager).action_approve()
    assert opportunity.won_status == "won"

    # a salesperson confirming their order wins an opportunity that is not theirs
    theirs = make_opportunity("Not Sam's", user_id=manager.id)
    quotation = make_order(theirs, 1, user_id=salesman.id)
    quotation.with_user(salesman).action_confirm()
    assert theirs.won_status == "won"


def test_the_setting_off_and_closed_opportunities_are_left_alone(
    env, make_opportunity, make_order, company
):
    company.crm_won_on_order_confirm = False
    opportunity = make_opportunity("Kept open")
    make_order(opportunity).action_confirm()
    assert opportunity.won_status == "pending"

    company.crm_won_on_order_confirm = True
    lost = make_opportunity("Lost meanwhile")
    order = make_order(lost)
    lost.action_set_lost()
    order.action_confirm()
    assert order.state == "sale"
    assert not lost.active and lost.won_status == "lost"
    won = make_opportunity("Won already")
    first, second = make_order(won), make_order(won)
    first.action_confirm()
    second.action_confirm()  # already won: not an error
    assert won.won_status == "won"


def test_merged_opportunities_keep_their_orders(env, make_opportunity, make_order):
    oldest = make_opportunity("Oldest")
    newer = make_opportunity("Newer")
    kept_order, moved_order = make_order(oldest), make_order(newer)
    head = (oldest | newer).merge_opportunity()
    assert head == oldest
    assert not newer.exists()
    assert head.order_ids == kept_order | moved_order
    assert moved_order.opportunity_id == head


def test_the_forms_show_the_button_and_the_link(env):
    lead_arch = env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
    assert 'name="action_sale_quotations_new"' in lead_arch
    assert 'name="action_view_sale_quotation"' in lead_arch
    assert 'name="quotation_count"' in lead_arch
    order_arch = env["sale.order"].get_views([(False, "form")])["views"]["form"]["arch"]
    for name in ("opportunity_id", "team_id", "origin"):
        assert f'name="{name}"' in order_arch
    company_arch = env["res.company"].get_views(
        [(env.ref("orders.view_company_approval_form").id, "form")]
    )["views"]["form"]["arch"]
    assert 'name="crm_won_on_order_confirm"' in company_arch
    wizard = env["crm.quotation.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
    assert 'name="action_apply"' in wizard


def test_opportunity_of_an_order_must_share_its_company(env, make_opportunity, customer):
    other_company = env["res.company"].create({"name": "Other Co"})
    opportunity = make_opportunity("Elsewhere", company_id=other_company.id, team_id=False)
    with pytest.raises(UserError):
        env["sale.order"].create(
            {
                "partner_id": customer.id,
                "opportunity_id": opportunity.id,
                "order_line": [Command.clear()],
            }
        )
