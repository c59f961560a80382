"""CRM journeys: drag an opportunity to Won in the pipeline (and the same from the keyboard,
with a card's "Move to" menu) and see it won: its column, the column's revenue, then its form.

The database has ``web``, ``orders`` and ``crm`` (so ``sale_crm``), a salesperson ``sally``
and opportunities of hers in New and in Won (a column exists for the stages that have leads).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from erplite.sql import close_pool
from tests.web.conftest import Backoffice, _ServerThread, log_in

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
    }


@pytest.fixture
def crm_office(
    erplite_server: str, erplite_templates: Any, erplite_addons_paths: tuple[str, ...]
) -> Iterator[Backoffice]:
    from erplite.http import Application
    from erplite.sql import dbname_of
    from erplite.testing import create_database, drop_database

    template_dsn, _registry = erplite_templates(*CRM_MODULES)
    name = f"erplite_jcrm_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(template_dsn))
    office = Backoffice(dsn, "", erplite_addons_paths)
    try:
        with office.env() as env:
            office.ids = _crm_data(env)
        with _ServerThread(Application(dsn, erplite_addons_paths)) as server:
            office.url = server.url
            yield office
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


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
