"""Record actions in the browser: a list's selection edited at once (mass edit, with its
confirmation naming how many records change), a protected field posted by hand refused with
the ORM's message; the form's action menu (duplicate, delete with a confirmation, a server
action bound to the model); archive and unarchive of customers."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import log_in


def _states(backoffice: Any, *ids: int) -> dict[int, tuple[str, str]]:
    with backoffice.env() as env:
        orders = env["sale.order"].browse(ids)
        return {o.id: (o.state, o.user_id.login) for o in orders}


def test_mass_edit_the_salesperson_of_the_selected_quotations(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    first, second = ids["sally_azure"], ids["sally_deco"]
    log_in(page, backoffice, "mike")
    page.goto(f"{backoffice.url}/web/action/{ids['quotations_action']}/list?searched=1")
    page.check(f"input.o-select[value='{first}']")
    page.check(f"input.o-select[value='{second}']")
    page.click(".o-selection-actions summary")
    page.click(".o-selection-actions .o-op-write")
    page.wait_for_url(re.compile(r"/records/write\?"))
    expect(page.locator(".o-mass-edit-field")).to_contain_text("the 2 selected records")
    page.select_option("#o-mass-field", label="Salesperson")
    page.click(".o-mass-edit-field button:has-text('Next')")
    page.locator("#f-user_id").fill("Sam")
    page.locator(".o-suggestions li:has-text('Sam Other')").click()
    page.click("button:has-text('Next')")
    expect(page.locator(".o-confirm-text")).to_have_text(
        "Salesperson will be set to 'Sam Other' on 2 records."
    )
    assert _states(backoffice, first, second) == {
        first: ("draft", "sally"),
        second: ("draft", "sally"),
    }  # asked, nothing written yet
    page.click("button:has-text('Update 2 records')")
    page.wait_for_url(re.compile(r"/list"))
    assert _states(backoffice, first, second) == {first: ("draft", "sam"), second: ("draft", "sam")}

    # the same page, a protected field posted by hand: the ORM refuses, the page says why
    page.goto(
        f"{backoffice.url}/web/action/{ids['quotations_action']}/records/write"
        f"?searched=1&ids={first}&field=user_id"
    )
    page.evaluate(
        """() => {
            const form = document.querySelector('.o-records-confirm');
            form.querySelector('input[name=field]').value = 'state';
            for (const [name, value] of [['state', 'sale'], ['confirmed', '1']]) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            form.submit();
        }"""
    )
    page.wait_for_selector(".o-alert")
    assert "state" in page.locator(".o-alert").inner_text()
    assert _states(backoffice, first)[first] == ("draft", "sam")


def test_the_forms_action_menu(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    action = ids["quotations_action"]
    with backoffice.env() as env:
        model_id = env["ir.model"]._get_id("sale.order")
        env["ir.actions.server"].create(
            {
                "name": "Mark as sent",
                "model_id": model_id,
                "binding_model_id": model_id,
                "binding_view_types": "form",
                "state": "method",
                "method_name": "action_quotation_sent",
            }
        )
        count = env["sale.order"].search_count([])
    log_in(page, backoffice, "mike")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{ids['sam_azure']}")

    page.click(".o-action-menu summary")
    page.click(".o-action-menu .o-op-duplicate")
    page.wait_for_url(re.compile(r"/form/(\d+)"))
    copy_id = int(re.search(r"/form/(\d+)", page.url).group(1))
    assert copy_id != ids["sam_azure"]
    assert page.locator(".o-statusbar .o-current").inner_text() == "Quotation"
    with backoffice.env() as env:
        assert env["sale.order"].search_count([]) == count + 1

    page.click(".o-action-menu summary")
    page.click(".o-action-menu .o-op-delete")
    expect(page.locator(".o-confirm-text")).to_have_text(
        "Delete the 1 selected record? This cannot be undone."
    )
    page.click(".o-records-confirm button:has-text('Delete')")
    page.wait_for_url(re.compile(r"/web/action/\d+(/list)?(\?.*)?$"))
    with backoffice.env() as env:
        assert not env["sale.order"].browse(copy_id).exists()
        assert env["sale.order"].search_count([]) == count

    page.goto(f"{backoffice.url}/web/action/{action}/form/{ids['sam_azure']}")
    page.click(".o-action-menu summary")
    page.click(".o-action-menu .o-server-action:has-text('Mark as sent')")
    page.wait_for_load_state()
    expect(page.locator(".o-statusbar .o-current")).to_have_text("Quotation Sent")
    assert _states(backoffice, ids["sam_azure"])[ids["sam_azure"]][0] == "sent"


def test_archive_and_unarchive_a_customer(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    with backoffice.env() as env:
        action = env.ref("orders.action_customers").id
    log_in(page, backoffice, "mike")
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1")
    page.check(f"input.o-select[value='{ids['azure']}']")
    page.click(".o-selection-actions summary")
    page.click(".o-selection-actions .o-op-archive")
    expect(page.locator(".o-confirm-text")).to_have_text("Archive the 1 selected record?")
    page.click(".o-records-confirm button:has-text('Archive')")
    page.wait_for_url(re.compile(r"/list"))
    assert page.locator(f"input.o-select[value='{ids['azure']}']").count() == 0
    expect(page.locator(".o-notification")).to_contain_text("1 record archived.")
    with backoffice.env() as env:
        assert env["res.partner"].browse(ids["azure"]).active is False

    page.goto(f"{backoffice.url}/web/action/{action}/form/{ids['azure']}")
    expect(page.locator(".o-alert-info")).to_have_text("This record is archived.")
    page.click(".o-action-menu summary")
    assert page.locator(".o-action-menu .o-op-archive").count() == 0
    page.click(".o-action-menu .o-op-unarchive")
    page.click(".o-records-confirm button:has-text('Unarchive')")
    page.wait_for_url(re.compile(r"/form/\d+"))
    assert page.locator(".o-alert-info").count() == 0
    expect(page.locator(".o-notification")).to_contain_text("1 record unarchived.")
    with backoffice.env() as env:
        assert env["res.partner"].browse(ids["azure"]).active is True
