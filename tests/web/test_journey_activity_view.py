"""Activity view journey (issue 14): Sally opens the CRM pipeline, switches to its activity
view and sees her opportunities x activity types (an overdue call in red, a planned email in
green, the Call column's totals; no serious axe violation); she opens the overdue call's cell, marks it done, then
schedules a call on another opportunity from its empty cell through the dialog.

The database has ``web``, ``orders`` and ``crm``, a salesperson ``sally`` with three
opportunities (two with activities), and Sam's opportunity with an activity she cannot see.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from erplite.sql import close_pool
from tests.web.conftest import Backoffice, _ServerThread, log_in
from tests.web.test_accessibility import serious_violations

MODULES = ("base", "web", "product", "orders", "crm")
TODAY = datetime.date.today()


def _data(env: Any) -> dict[str, int]:
    from erplite import Command

    company = env.ref("base.main_company")
    salesman = env.ref("sales_team.group_sale_salesman").id

    def user(login: str) -> Any:
        return env["res.users"].create(
            {
                "name": f"{login.title()} Seller",
                "login": login,
                "password": login,
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set([salesman])],
            }
        )

    sally, sam = user("sally"), user("sam")
    customer = env["res.partner"].create({"name": "Azure Interior", "is_company": True})
    call = env.ref("mail.mail_activity_data_call")
    email = env.ref("mail.mail_activity_data_email")

    def opportunity(name: str, owner: Any) -> Any:
        return env["crm.lead"].create(
            {"name": name, "type": "opportunity", "partner_id": customer.id, "user_id": owner.id}
        )

    def plan(lead: Any, kind: Any, days: int, summary: str, owner: Any) -> Any:
        return env["mail.activity"].create(
            {
                "res_model": "crm.lead",
                "res_id": lead.id,
                "activity_type_id": kind.id,
                "summary": summary,
                "date_deadline": TODAY + datetime.timedelta(days=days),
                "user_id": owner.id,
            }
        )

    desks = opportunity("Office desks", sally)
    chairs = opportunity("Office chairs", sally)
    opportunity("Lamps", sally)
    hidden = opportunity("Sam's deal", sam)
    overdue = plan(desks, call, -2, "Call about the desks", sally)
    plan(chairs, email, 3, "Send the chair catalogue", sally)
    plan(hidden, call, -5, "Sam's secret call", sam)
    return {
        "pipeline": env.ref("crm.crm_lead_action_pipeline").id,
        "desks": desks.id,
        "chairs": chairs.id,
        "call": call.id,
        "email": email.id,
        "overdue": overdue.id,
    }


@pytest.fixture
def office(
    erplite_server: str, erplite_templates: Any, erplite_addons_paths: tuple[str, ...]
) -> Iterator[Backoffice]:
    from erplite.http import Application
    from erplite.sql import dbname_of
    from erplite.testing import create_database, drop_database

    template_dsn, _registry = erplite_templates(*MODULES)
    name = f"erplite_jact_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(template_dsn))
    office = Backoffice(dsn, "", erplite_addons_paths)
    try:
        with office.env() as env:
            office.ids = _data(env)
        with _ServerThread(Application(dsn, erplite_addons_paths)) as server:
            office.url = server.url
            yield office
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


def _cell(page: Any, res_id: int, type_id: int) -> Any:
    return page.locator(f"tr[data-id='{res_id}'] td[data-type-id='{type_id}']")


def test_mark_done_and_schedule_from_the_activity_view(page: Any, office: Backoffice) -> None:
    ids = office.ids
    log_in(page, office, "sally")
    page.goto(f"{office.url}/web/action/{ids['pipeline']}/kanban")
    page.locator(".o-breadcrumb a", has_text="Activity").click()
    page.wait_for_url(re.compile(rf"/web/action/{ids['pipeline']}/activity"))

    # the grid: her two opportunities with activities, most urgent first; Sam's is not there
    rows = page.locator("tr.o-activity-row")
    expect(rows).to_have_count(2)
    assert rows.nth(0).get_attribute("data-id") == str(ids["desks"])
    expect(rows.nth(0).locator(".o-activity-record")).to_contain_text("Office desks")
    expect(page.locator(".o-activity-view")).not_to_contain_text("Sam's deal")
    desks_call = _cell(page, ids["desks"], ids["call"])
    expect(desks_call).to_have_attribute("data-state", "overdue")
    expect(desks_call).to_contain_text((TODAY - datetime.timedelta(days=2)).isoformat())
    expect(_cell(page, ids["chairs"], ids["email"])).to_have_attribute("data-state", "planned")
    assert desks_call.evaluate("td => getComputedStyle(td).backgroundColor") != (
        _cell(page, ids["chairs"], ids["email"]).evaluate(
            "td => getComputedStyle(td).backgroundColor"
        )
    )
    call_header = page.locator(f"th.o-activity-type[data-type-id='{ids['call']}']")
    expect(call_header.locator(".o-activity-progress")).to_have_attribute("aria-label", "1 overdue")

    assert not serious_violations(page)

    # the overdue call's cell lists it; Mark Done
    desks_call.locator("summary").click()
    item = desks_call.locator(f".o-activity-item[data-activity-id='{ids['overdue']}']")
    expect(item).to_contain_text("Call about the desks")
    assert not serious_violations(page)  # with the cell's popover open
    item.locator("input[name='feedback']").fill("Agreed on Friday")
    item.locator("button", has_text="Mark Done").click()
    expect(page.locator(".o-notification")).to_contain_text("Call done: Call about the desks")
    # the desks have no activity left: no row any more
    expect(page.locator(f"tr[data-id='{ids['desks']}']")).to_have_count(0)
    with office.env() as env:
        assert not env["mail.activity"].browse(ids["overdue"]).exists()
        lead = env["crm.lead"].browse(ids["desks"])
        assert "Agreed on Friday" in lead.message_ids[0].body

    # schedule a call on the chairs from their empty Call cell, through the dialog
    _cell(page, ids["chairs"], ids["call"]).locator("a.o-activity-schedule").click()
    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    expect(dialog).to_contain_text("Schedule an activity on Office chairs")
    dialog.locator("input[name='summary']").fill("Call about the chairs")
    dialog.locator("button", has_text="Schedule").click()
    expect(page.locator("dialog.o-dialog")).to_have_count(0)
    chairs_call = _cell(page, ids["chairs"], ids["call"])
    # due in the Call type's delay (2 days), as Odoo 17's dialog proposes: planned
    expect(chairs_call).to_have_attribute("data-state", "planned")
    expect(chairs_call).to_contain_text((TODAY + datetime.timedelta(days=2)).isoformat())
    expect(chairs_call.locator(".o-activity-count")).to_have_text("1")
    with office.env() as env:
        created = env["mail.activity"].search([("summary", "=", "Call about the chairs")])
        assert created.res_model == "crm.lead" and created.res_id == ids["chairs"]
        assert created.activity_type_id.id == ids["call"]
        assert created.user_id.login == "sally"
