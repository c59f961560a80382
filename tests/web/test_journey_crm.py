"""CRM journeys: drag an opportunity to Won in the pipeline (and the same from the keyboard,
with a card's "Move to" menu) and see it won: its column, the column's revenue, then its form;
convert a lead through the conversion wizard's dialog (the customer found by its email);
mark an opportunity lost with a reason and a closing note (the lost wizard's dialog); make a
quotation from an opportunity and see it on the opportunity's smart button.

The database has ``web``, ``orders`` and ``crm`` (so ``sale_crm``), a salesperson ``sally``,
opportunities of hers in New and in Won, and a lead from the website.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Backoffice, BackofficeCopies, log_in

CRM_MODULES = ("base", "web", "product", "orders", "crm")


def _crm_data(env: Any) -> dict[str, int]:
    from erplite import Command

    company = env.ref("base.main_company")
    sally = env["res.users"].create(
        {
            "name": "Sally Seller",
            "login": "sally",
            "password": "sally",
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
        }
    )
    customer = env["res.partner"].create({"name": "Azure Interior", "is_company": True})
    deco = env["res.partner"].create(
        {"name": "Deco Addict", "is_company": True, "email": "buy@deco.example.com"}
    )
    lead = env["crm.lead"].create(
        {
            "name": "Website enquiry",
            "type": "lead",
            "user_id": sally.id,
            "contact_name": "Dora",
            "email_from": "BUY@deco.example.com",
        }
    )
    stages = {"new": env.ref("crm.stage_lead1"), "won": env.ref("crm.stage_lead4")}

    def opportunity(name: str, revenue: float, stage: Any) -> Any:
        return env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "partner_id": customer.id,
                "user_id": sally.id,
                "expected_revenue": revenue,
                "stage_id": stage.id,
            }
        )

    return {
        "sally": sally.id,
        "desks": opportunity("Office desks", 12000.0, stages["new"]).id,
        "chairs": opportunity("Office chairs", 3000.0, stages["new"]).id,
        "lamps": opportunity("Lamps", 500.0, stages["won"]).id,
        "won_stage": stages["won"].id,
        "pipeline": env.ref("crm.crm_lead_action_pipeline").id,
        "leads": env.ref("crm.crm_lead_all_leads").id,
        "opportunities": env.ref("crm.crm_lead_opportunities").id,
        "lead": lead.id,
        "deco": deco.id,
        "customer": customer.id,
        "too_expensive": env.ref("crm.lost_reason_1").id,
    }


@pytest.fixture
def crm_office(erplite_templates: Any, backoffice_copies: BackofficeCopies) -> Iterator[Backoffice]:
    template_dsn, _registry = erplite_templates(*CRM_MODULES)
    with backoffice_copies.served(template_dsn, _crm_data, prefix="erplite_jcrm") as office:
        yield office


def _column(page: Any, label: str) -> Any:
    return page.locator(f".o-kanban-column[aria-label='{label}']")


def _assert_won(office: Backoffice, lead_id: int) -> None:
    with office.env() as env:
        lead = env["crm.lead"].browse(lead_id)
        assert lead.stage_id.id == office.ids["won_stage"]
        assert lead.probability == 100.0
        assert lead.won_status == "won" and lead.date_closed


def test_drag_an_opportunity_to_won(page: Any, crm_office: Backoffice) -> None:
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['pipeline']}/kanban")
    new, won = _column(page, "New"), _column(page, "Won")
    expect(new.locator(".o-kanban-count")).to_have_text("2")
    expect(won.locator(".o-kanban-count")).to_have_text("1")
    card = new.locator(f".o-kanban-card[data-id='{ids['desks']}']")
    card.drag_to(won)
    page.wait_for_selector(
        f".o-kanban-column[aria-label='Won'] .o-kanban-card[data-id='{ids['desks']}']"
    )
    expect(won.locator(".o-kanban-count")).to_have_text("2")
    expect(new.locator(".o-kanban-count")).to_have_text("1")
    expect(won.locator(".o-kanban-sum-value")).to_contain_text("12,500.00")
    assert page.locator("#o-kanban-message").is_hidden()
    _assert_won(crm_office, ids["desks"])

    # after a reload the card is still won, and its form says so
    page.reload()
    expect(
        _column(page, "Won").locator(f".o-kanban-card[data-id='{ids['desks']}']")
    ).to_be_visible()
    page.locator(f".o-kanban-card[data-id='{ids['desks']}'] .o-kanban-open").click()
    page.wait_for_url("**/form/**")
    expect(page.locator("button[value='action_set_won']")).to_have_count(0)


def test_move_an_opportunity_to_won_from_the_keyboard(page: Any, crm_office: Backoffice) -> None:
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['pipeline']}/kanban")
    card = page.locator(f".o-kanban-card[data-id='{ids['chairs']}']")
    card.locator(".o-kanban-open").focus()
    page.keyboard.press("Tab")
    select = card.locator(".o-kanban-move select")
    assert select.evaluate("element => element === document.activeElement")
    page.keyboard.type("Won")  # a focused menu picks the option whose label is typed
    assert select.input_value() == str(ids["won_stage"])
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(
        f".o-kanban-column[aria-label='Won'] .o-kanban-card[data-id='{ids['chairs']}']"
    )
    expect(_column(page, "Won").locator(".o-kanban-count")).to_have_text("2")
    _assert_won(crm_office, ids["chairs"])


def test_convert_a_lead_through_the_wizard(page: Any, crm_office: Backoffice) -> None:
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['leads']}/form/{ids['lead']}")
    page.click("button:has-text('Convert to Opportunity')")
    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    # the customer found by the lead's email, whatever its case, is proposed
    expect(dialog.locator("select[name='action']")).to_have_value("exist")
    expect(dialog.locator("input[name='partner_id__display']")).to_have_value("Deco Addict")
    with crm_office.env() as env:  # nothing converted while the dialog is open
        assert env["crm.lead"].browse(ids["lead"]).type == "lead"
    dialog.locator("button", has_text="Create Opportunity").click()
    page.wait_for_url(re.compile(rf"/form/{ids['lead']}"))
    expect(page.locator("dialog.o-dialog")).to_have_count(0)
    expect(page.locator("button:has-text('Convert to Opportunity')")).to_have_count(0)
    expect(page.locator("button[value='action_set_won']")).to_be_visible()
    with crm_office.env() as env:
        lead = env["crm.lead"].browse(ids["lead"])
        assert lead.type == "opportunity" and lead.partner_id.id == ids["deco"]
        assert lead.user_id.id == ids["sally"] and lead.date_conversion


def test_mark_an_opportunity_lost_with_a_reason(page: Any, crm_office: Backoffice) -> None:
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['opportunities']}/form/{ids['chairs']}")
    page.click("button:has-text('Lost')")
    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    reason = dialog.locator("input[name='lost_reason_id__display']")
    reason.fill("expens")
    dialog.locator(".o-suggestions li:has-text('Too expensive')").click()
    dialog.locator("textarea[name='lost_feedback']").fill("They chose a cheaper supplier.")
    dialog.locator("button", has_text="Mark as Lost").click()
    page.wait_for_url(re.compile(rf"/form/{ids['chairs']}"))
    expect(page.locator("dialog.o-dialog")).to_have_count(0)
    expect(page.locator("button:has-text('Restore')")).to_be_visible()
    with crm_office.env() as env:
        lead = env["crm.lead"].with_context(active_test=False).browse(ids["chairs"])
        assert not lead.active and lead.probability == 0.0
        assert lead.lost_reason_id.id == ids["too_expensive"]
        assert lead.won_status == "lost"
        notes = env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        assert any("cheaper supplier" in str(body) for body in notes.mapped("body"))


def test_new_quotation_from_an_opportunity(page: Any, crm_office: Backoffice) -> None:
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['opportunities']}/form/{ids['desks']}")
    page.click("button:has-text('New Quotation')")
    page.wait_for_url(re.compile(r"/web/action/\d+/form/\d+"))
    with crm_office.env() as env:
        order = env["sale.order"].search([("opportunity_id", "=", ids["desks"])])
        assert len(order) == 1 and order.state == "draft"
        assert order.partner_id.id == ids["customer"] and order.user_id.id == ids["sally"]
        assert order.origin == "Office desks"
        order_id = order.id
    assert page.url.split("?")[0].endswith(f"/form/{order_id}")
    expect(page.locator("#f-partner_id")).to_have_value("Azure Interior")
    # back on the opportunity, its smart button opens the quotation (the only one: its form)
    page.goto(f"{crm_office.url}/web/action/{ids['opportunities']}/form/{ids['desks']}")
    button = page.locator("button[value='action_view_sale_quotation']")
    expect(button).to_contain_text("Quotations")
    button.click()
    page.wait_for_url(re.compile(rf"/form/{order_id}"))
