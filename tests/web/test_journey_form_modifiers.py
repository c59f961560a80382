"""Journey: the form's attribute expressions follow the user's changes before saving (Odoo
17's client re-evaluates ``invisible``/``readonly``/``required`` after every change). On a new
contact, ticking "Is a Company" hides the company field and shows the Contacts tab; choosing a
company makes the tax id read-only; the save writes what the form showed."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import log_in
from tests.web.test_accessibility import serious_violations


def _wait_onchange(page: Any, action: Any) -> None:
    with page.expect_response(re.compile(r"/onchange$")) as answer:
        action()
    assert answer.value.ok


def test_invisible_and_readonly_follow_the_changes(page: Any, backoffice: Any) -> None:
    with backoffice.env() as env:
        contacts = env.ref("base.action_partner_form").id
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{contacts}/form/new")
    company_field = page.locator(".o-field-name-parent_id")
    contacts_tab = page.locator(".o-tab", has_text="Contacts & Addresses")
    vat = page.locator("#f-vat")
    assert company_field.is_visible() and not contacts_tab.is_visible()
    assert vat.is_editable()

    page.fill("#f-name", "Lumber Inc")
    _wait_onchange(page, lambda: page.check("#f-is_company"))
    page.wait_for_function("() => document.querySelector('.o-field-name-parent_id').hidden")
    assert not company_field.is_visible()
    assert contacts_tab.is_visible()
    assert serious_violations(page) == []

    _wait_onchange(page, lambda: page.uncheck("#f-is_company"))
    page.wait_for_function("() => !document.querySelector('.o-field-name-parent_id').hidden")
    assert not contacts_tab.is_visible()

    # a parent company makes the tax id read-only (readonly="parent_id")
    page.fill("#f-parent_id", "Azure")
    page.wait_for_selector(".o-field-name-parent_id .o-suggestions li[data-id]")
    _wait_onchange(page, lambda: page.keyboard.press("Enter"))
    page.wait_for_function("() => document.querySelector('#f-vat').closest('fieldset').disabled")
    assert not vat.is_editable()

    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/form/\d+"))
    record_id = int(re.search(r"/form/(\d+)", page.url).group(1))
    with backoffice.env() as env:
        partner = env["res.partner"].browse(record_id)
        assert partner.name == "Lumber Inc"
        assert not partner.is_company
        assert partner.parent_id.id == backoffice.ids["azure"]
