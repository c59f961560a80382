"""Journeys of the form's widgets as Odoo 17 has them: ``binary`` (upload a file, download it,
clear it; the file's name goes to the ``filename=`` field), ``priority`` (stars, click to set,
click the lit last star to clear), ``handle`` (drag to reorder an order's lines, and a list's
rows, writing ``sequence``); "Create and edit..." and quick create in a many2one; a wizard's
dialog with its own onchange; attribute expressions of buttons, x2many and html fields and
sub-list columns re-evaluated after an onchange."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from erplite import Command
from tests.web.conftest import Backoffice, log_in
from tests.web.test_accessibility import serious_violations
from tests.web.test_journey_crm import crm_office  # noqa: F401  (the CRM database)


def _form_id(page: Any) -> int:
    page.wait_for_url(re.compile(r"/form/\d+"))
    return int(re.search(r"/form/(\d+)", page.url).group(1))


def test_upload_download_and_clear_a_file(page: Any, backoffice: Backoffice) -> None:
    with backoffice.env() as env:
        attachments = env.ref("base.action_attachment").id
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{attachments}/form/new")
    content = b"Offer for Azure Interior\n" * 40
    page.set_input_files(
        "#f-datas", files=[{"name": "offer.txt", "mimeType": "text/plain", "buffer": content}]
    )
    expect(page.locator("#f-name")).to_have_value("offer.txt")  # filename="name"
    page.click("button[name=save]")
    record_id = _form_id(page)
    with backoffice.env() as env:
        attachment = env["ir.attachment"].browse(record_id)
        assert attachment.raw == content and attachment.name == "offer.txt"
        assert attachment.file_size == len(content)

    link = page.locator("a.o-binary-download")
    expect(link).to_have_text("offer.txt")
    assert serious_violations(page) == []
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "offer.txt"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == content

    # a new file replaces it, under its own name
    page.set_input_files(
        "#f-datas", files=[{"name": "offer-v2.txt", "mimeType": "text/plain", "buffer": b"v2"}]
    )
    page.click("button[name=save]")
    expect(page.locator("a.o-binary-download")).to_have_text("offer-v2.txt")
    with backoffice.env() as env:
        attachment = env["ir.attachment"].browse(record_id)
        assert attachment.raw == b"v2" and attachment.name == "offer-v2.txt"

    page.check("input[name=datas__clear]")
    page.click("button[name=save]")
    expect(page.locator("a.o-binary-download")).to_have_count(0)
    with backoffice.env() as env:
        attachment = env["ir.attachment"].browse(record_id)
        assert not attachment.raw and attachment.file_size == 0
        assert attachment.name == "offer-v2.txt"  # required: kept


def test_priority_stars(page: Any, crm_office: Backoffice) -> None:  # noqa: F811
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['opportunities']}/form/{ids['desks']}")
    stars = page.locator(".o-field-name-priority .o-priority-star")
    expect(stars).to_have_count(3)  # Low has no star: Medium, High, Very High
    stars.nth(1).click()
    expect(page.locator(".o-field-name-priority .o-priority-star.o-on")).to_have_count(2)
    page.click("button[name=save]")
    page.wait_for_load_state()
    with crm_office.env() as env:
        assert env["crm.lead"].browse(ids["desks"]).priority == "2"
    expect(page.locator(".o-field-name-priority .o-priority-star.o-on")).to_have_count(2)
    assert serious_violations(page) == []

    stars.nth(1).click()  # the lit last star again: no priority
    expect(page.locator(".o-field-name-priority .o-priority-star.o-on")).to_have_count(0)
    page.click("button[name=save]")
    page.wait_for_load_state()
    with crm_office.env() as env:
        assert env["crm.lead"].browse(ids["desks"]).priority == "0"


def test_drag_order_lines_into_a_new_order(page: Any, backoffice: Backoffice) -> None:
    ids = backoffice.ids
    log_in(page, backoffice, "sally")
    action = ids["quotations_action"]
    page.goto(f"{backoffice.url}/web/action/{action}/form/{ids['sally_azure']}")
    rows = page.locator(".o-sublist[data-name=order_line] tbody tr.o-line")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("input[name$='.product_id__display']")).to_have_value("Office Desk")
    rows.nth(1).locator(".o-handle").drag_to(rows.nth(0).locator(".o-handle"))
    expect(rows.nth(0).locator("input[name$='.product_id__display']")).to_have_value("Office Chair")
    page.click("button[name=save]")
    page.wait_for_load_state()
    with backoffice.env() as env:
        lines = env["sale.order"].browse(ids["sally_azure"]).order_line
        assert lines.mapped("product_id.name") == ["Office Chair", "Office Desk"]
        assert lines[0].sequence < lines[1].sequence

    # from the keyboard: the desk's handle, arrow up
    expect(rows.nth(1).locator("input[name$='.product_id__display']")).to_have_value("Office Desk")
    rows.nth(1).locator(".o-handle").focus()
    page.keyboard.press("ArrowUp")
    page.click("button[name=save]")
    page.wait_for_load_state()
    with backoffice.env() as env:
        lines = env["sale.order"].browse(ids["sally_azure"]).order_line
        assert lines.mapped("product_id.name") == ["Office Desk", "Office Chair"]


def test_drag_list_rows_into_a_new_order(page: Any, backoffice: Backoffice) -> None:
    with backoffice.env() as env:
        taxes = env["account.tax"].create(
            [{"name": f"Tax {n}", "amount": n, "sequence": n} for n in (1, 2, 3)]
        )
        action = env.ref("product.action_tax_form").id
        ids = taxes.ids
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{action}/list")
    row = page.locator("tr.o-row", has_text="Tax 3")
    first = page.locator("tr.o-row", has_text="Tax 1")
    with page.expect_response(re.compile(r"/web/dataset/resequence$")) as answer:
        row.locator(".o-handle").drag_to(first.locator(".o-handle"))
    assert answer.value.json()["result"] is True
    with backoffice.env() as env:
        everything = env["account.tax"].search([])  # VAT 10 (sequence 1) is on the page too
        assert everything.mapped("name") == ["VAT 10", "Tax 3", "Tax 1", "Tax 2"]
        assert everything.mapped("sequence") == [1, 2, 3, 4]  # were 1, 1, 2, 3: renumbered
        assert env["account.tax"].browse(ids).mapped("sequence") == [3, 4, 2]
    page.reload()
    names = page.locator("tr.o-row td.o-cell-name").all_text_contents()
    ours = [n.strip() for n in names if n.strip().startswith("Tax ")]
    assert ours == ["Tax 3", "Tax 1", "Tax 2"]


def test_create_a_customer_from_the_many2one(page: Any, backoffice: Backoffice) -> None:
    """Odoo 17's many2one: "Create and edit..." opens the customer's form in a dialog with
    the typed name, the saved customer is set on the field (the quotation kept as it was);
    ``Create "<typed>"`` creates one from its name at once."""
    action = backoffice.ids["quotations_action"]
    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web/action/{action}/form/new")
    page.fill("#f-client_order_ref", "PO-77")
    page.fill("#f-partner_id", "Lumber Inc")
    create_edit = page.locator(".o-field-name-partner_id .o-suggestions li[data-create=edit]")
    expect(create_edit).to_have_text("Create and edit…")
    expect(
        page.locator(".o-field-name-partner_id .o-suggestions li[data-create=quick]")
    ).to_have_text("Create “Lumber Inc”")
    create_edit.click()
    dialog = page.locator("dialog.o-dialog")
    expect(dialog.locator("#f-d-name")).to_have_value("Lumber Inc")
    dialog.locator("#f-d-email").fill("buy@lumber.example.com")
    assert serious_violations(page) == []
    dialog.locator("button[value='special:save']").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#f-partner_id")).to_have_value("Lumber Inc")
    expect(page.locator("#f-client_order_ref")).to_have_value("PO-77")  # the page as it was
    page.click("button[name=save]")
    record_id = _form_id(page)
    with backoffice.env() as env:
        order = env["sale.order"].browse(record_id)
        assert order.partner_id.name == "Lumber Inc"
        assert order.partner_id.email == "buy@lumber.example.com"
        assert order.client_order_ref == "PO-77"

    # Create "<typed>": at once, from the name
    page.fill("#f-partner_id", "Quick Co")
    quick = page.locator(".o-field-name-partner_id .o-suggestions li[data-create=quick]")
    with page.expect_response(re.compile(r"/name_create$")):
        quick.click()
    expect(page.locator("#f-partner_id")).to_have_value("Quick Co")
    page.click("button[name=save]")
    page.wait_for_load_state()
    with backoffice.env() as env:
        assert env["sale.order"].browse(record_id).partner_id.name == "Quick Co"
        assert env["res.partner"].search_count([("name", "=", "Quick Co")]) == 1


def test_a_wizard_dialog_has_its_own_onchange(page: Any, crm_office: Backoffice) -> None:  # noqa: F811
    """The conversion wizard's dialog: choosing a salesperson fills their sales team, the
    conversion type and the customer action show and hide their fields, before anything
    is saved (Odoo 17's dialogs are forms with their own onchange)."""
    from erplite import Command

    ids = crm_office.ids
    with crm_office.env() as env:
        sam = env["res.users"].create(
            {
                "name": "Sam Other",
                "login": "sam",
                "password": "sam",
                "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        europe = env["crm.team"].create({"name": "Europe", "member_ids": [Command.set(sam.ids)]})
        sam_id, europe_id = sam.id, europe.id
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['leads']}/form/{ids['lead']}")
    page.click("button:has-text('Convert to Opportunity')")
    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    partner_row = dialog.locator(".o-field-row", has=page.locator("[name=partner_id]"))
    force_row = dialog.locator(".o-field-row", has=page.locator("[name=force_assignment]"))
    expect(partner_row).to_be_visible()
    expect(force_row).to_be_hidden()

    with page.expect_response(re.compile(r"/web/dialog/onchange$")):
        dialog.locator("select[name=action]").select_option("nothing")
    expect(partner_row).to_be_hidden()
    with page.expect_response(re.compile(r"/web/dialog/onchange$")):
        dialog.locator("select[name=name]").select_option("merge")
    expect(force_row).to_be_visible()
    with page.expect_response(re.compile(r"/web/dialog/onchange$")):
        dialog.locator("select[name=name]").select_option("convert")
    expect(force_row).to_be_hidden()
    with page.expect_response(re.compile(r"/web/dialog/onchange$")):
        dialog.locator("select[name=action]").select_option("exist")
    expect(partner_row).to_be_visible()

    salesperson = dialog.locator("input[name='user_id__display']")
    salesperson.fill("Sam")
    with page.expect_response(re.compile(r"/web/dialog/onchange$")) as answer:
        salesperson.locator("xpath=..").locator(".o-suggestions li:has-text('Sam Other')").click()
    assert answer.value.json()["fields"]["team_id"]["label"] == "Europe"
    expect(dialog.locator("input[name='team_id__display']")).to_have_value("Europe")
    expect(dialog.locator("input[name='team_id']")).to_have_value(str(europe_id))
    assert serious_violations(page) == []
    dialog.locator("a", has_text="Cancel").click()
    expect(page.locator("dialog.o-dialog")).to_have_count(0)
    with crm_office.env() as env:  # nothing was written by the onchanges
        lead = env["crm.lead"].browse(ids["lead"])
        assert lead.type == "lead" and lead.user_id.id == ids["sally"]
        assert not env["crm.lead2opportunity.partner"].search([])
        assert sam_id not in env["crm.lead"].search([]).user_id.ids


MODIFIERS_FORM = """
<form>
    <header>
        <button name="action_archive" type="object" string="Archive company"
                invisible="not is_company"/>
    </header>
    <sheet>
        <group>
            <field name="name"/>
            <field name="is_company"/>
            <field name="comment" readonly="not is_company"/>
        </group>
        <field name="child_ids" readonly="not is_company">
            <tree editable="bottom">
                <field name="name"/>
                <field name="email"/>
                <field name="phone" column_invisible="parent.is_company"/>
            </tree>
        </field>
    </sheet>
</form>
"""


def test_modifiers_of_buttons_x2many_html_and_columns_follow_the_changes(
    page: Any, backoffice: Backoffice
) -> None:
    """Odoo 17's client re-evaluates every attribute expression after an onchange: a header
    button shown, a one2many and an html field made editable, a sub-list column hidden."""
    with backoffice.env() as env:
        view = env["ir.ui.view"].create(
            {"name": "partner.modifiers", "model": "res.partner", "arch": MODIFIERS_FORM}
        )
        action = env["ir.actions.act_window"].create(
            {
                "name": "Modifier Partners",
                "res_model": "res.partner",
                "view_mode": "form",
                "view_id": view.id,
            }
        )
        partner = env["res.partner"].create(
            {
                "name": "Lumber",
                "child_ids": [Command.create({"name": "Len", "phone": "555-0101"})],
            }
        )
        action_id, partner_id = action.id, partner.id
    log_in(page, backoffice, "admin")
    page.goto(f"{backoffice.url}/web/action/{action_id}/form/{partner_id}")
    archive = page.locator("button[value=action_archive]")
    lines = page.locator(".o-sublist[data-name=child_ids]")
    phone_head = lines.locator("th", has_text="Phone")
    expect(archive).to_be_hidden()
    expect(page.locator("#f-comment")).to_be_disabled()
    expect(lines.locator("input[name='child_ids.0.email']")).to_be_disabled()
    expect(lines.locator(".o-add-line")).to_be_disabled()
    expect(phone_head).to_be_visible()

    with page.expect_response(re.compile(r"/onchange$")):
        page.check("#f-is_company")
    expect(archive).to_be_visible()
    expect(page.locator("#f-comment")).to_be_enabled()
    expect(lines.locator("input[name='child_ids.0.email']")).to_be_enabled()
    expect(phone_head).to_be_hidden()
    expect(lines.locator("td[data-label=Phone]").first).to_be_hidden()
    assert serious_violations(page) == []

    page.fill("#f-comment", "A good customer")
    lines.locator("input[name='child_ids.0.email']").fill("len@lumber.example.com")
    lines.locator(".o-add-line").click()
    expect(lines.locator("tr.o-line").nth(1).locator("td[data-label=Phone]")).to_be_hidden()
    lines.locator("input[name='child_ids.1.name']").fill("Lia")
    page.click("button[name=save]")
    page.wait_for_load_state()
    with backoffice.env() as env:
        partner = env["res.partner"].browse(partner_id)
        assert partner.is_company and "A good customer" in partner.comment
        assert sorted(partner.child_ids.mapped("name")) == ["Len", "Lia"]
        assert partner.child_ids.filtered(lambda c: c.name == "Len").email == (
            "len@lumber.example.com"
        )
    # saved as a company: the button is offered and runs
    expect(archive).to_be_visible()


def test_the_lead_form_looks_like_odoo_17(page: Any, crm_office: Backoffice) -> None:  # noqa: F811
    """The opportunity's title block: its name, then "<expected revenue> at <probability> %"
    on one line (inputs sized to their numbers, not full-width headings); the header's
    statusbar shows the pipeline's stages with the current one marked."""
    ids = crm_office.ids
    log_in(page, crm_office, "sally")
    page.goto(f"{crm_office.url}/web/action/{ids['opportunities']}/form/{ids['desks']}")
    stages = page.locator(".o-statusbar li")
    expect(stages.first).to_be_visible()
    names = [text.strip() for text in stages.all_text_contents()]
    assert names[:2] == ["New", "Qualified"] and "Won" in names
    expect(page.locator(".o-statusbar li.o-current")).to_have_text("New")
    revenue = page.locator("#f-expected_revenue")
    probability = page.locator("#f-probability")
    at = page.locator(".oe_title h2 .o-text", has_text="at")
    percent = page.locator(".oe_title h2 .o-text", has_text="%")
    boxes = [item.bounding_box() for item in (revenue, at, probability, percent)]
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 12  # one line
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)  # in this order
    assert boxes[0]["width"] < 260 and boxes[2]["width"] < 200
    title = page.locator("#f-name").bounding_box()
    assert boxes[0]["height"] < title["height"]  # smaller than the name's heading
    assert serious_violations(page) == []

    # the statusbar follows the record: won, its stage is current
    with crm_office.env() as env:
        env["crm.lead"].browse(ids["desks"]).action_set_won()
    page.reload()
    expect(page.locator(".o-statusbar li.o-current")).to_have_text("Won")
