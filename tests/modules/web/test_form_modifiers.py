"""The form's attribute expressions re-evaluated by the onchange (Odoo 17's client does it
after every change): the answer's ``modifiers`` per expression-driven node, and the save
writing what the form showed (a field shown by the change is written, one hidden is not);
many2many tags as the onchange answers them."""

from __future__ import annotations

import json
import re
from typing import Any

from erplite import SUPERUSER_ID, Command, api
from tests.modules.web.conftest import csrf_of


def _contacts(served: Any) -> int:
    with served.env().cursor() as cr:
        return api.Environment(cr, SUPERUSER_ID, {}).ref("base.action_partner_form").id


def _key(html: str, field: str) -> str:
    match = re.search(rf'o-field-name-{field}"[^>]*data-mod="(m\d+)"', html) or re.search(
        rf'data-mod="(m\d+)"[^>]*>\s*<label for="f-{field}"', html
    )
    assert match, f"{field} has no modifiers key on the page"
    return match.group(1)


def test_the_onchange_answers_the_modifiers_of_the_values_now(served: Any) -> None:
    client = served.client("mona")
    url = f"/web/action/{_contacts(served)}/form/new"
    html = client.get(url).get_data(as_text=True)
    parent, vat = _key(html, "parent_id"), _key(html, "vat")
    token = csrf_of(html)
    base = {"csrf_token": token, "name": "Lumber", "is_company": ["0", "1"]}
    answer = json.loads(
        client.post(f"{url}/onchange", data={**base, "onchange_field": "is_company"}).get_data(
            as_text=True
        )
    )
    assert answer["modifiers"][parent]["invisible"] is True
    assert answer["modifiers"][vat]["readonly"] is False
    answer = json.loads(
        client.post(
            f"{url}/onchange",
            data={
                **base,
                "is_company": "0",
                "parent_id": str(served.ids["customer"]),
                "onchange_field": "parent_id",
            },
        ).get_data(as_text=True)
    )
    assert answer["modifiers"][parent]["invisible"] is False
    assert answer["modifiers"][vat]["readonly"] is True


def test_the_save_writes_what_the_form_showed(served: Any) -> None:
    client = served.client("mona")
    url = f"/web/action/{_contacts(served)}/form/new"
    token = csrf_of(client.get(url).get_data(as_text=True))
    # a company: its parent field is hidden once ticked, so a posted parent is not written
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "Hidden Parent Co",
            "is_company": ["0", "1"],
            "parent_id": str(served.ids["customer"]),
            "ref": "C1",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.partner"].search([("name", "=", "Hidden Parent Co")])
        assert company.is_company and not company.parent_id and company.ref == "C1"
    # a person with a parent: the tax id became read-only with the parent, not written
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "Pat Person",
            "is_company": "0",
            "parent_id": str(served.ids["customer"]),
            "vat": "BE2",
        },
    )
    assert response.status_code == 303
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        person = env["res.partner"].search([("name", "=", "Pat Person")])
        assert person.parent_id.id == served.ids["customer"]
        assert person.vat != "BE2"


def test_many2many_values_as_the_expressions_and_the_tags_see_them(web_ui: Any) -> None:
    onchange = web_ui("form_onchange")
    assert onchange.command_ids([(5,), (4, 3), (1, 4, {"display_name": "B"}), (4, 3)]) == [3, 4]
    assert onchange.command_ids([Command.set([7, 8]), Command.unlink(7)]) == [8]
    assert onchange.command_ids("nonsense") == []


FORM_OF_EXPRESSIONS = """
<form>
    <header>
        <button name="action_archive" type="object" string="Archive" invisible="not is_company"/>
    </header>
    <field name="is_company"/>
    <field name="comment" readonly="not is_company"/>
    <group invisible="is_company">
        <button name="action_unarchive" type="object" string="Restore"/>
    </group>
    <field name="child_ids" readonly="not is_company">
        <tree>
            <field name="name"/>
            <field name="phone" column_invisible="parent.is_company"/>
            <field name="email" column_invisible="True"/>
        </tree>
    </field>
</form>
"""


def test_buttons_x2many_html_and_columns_are_drawn_for_the_onchange(env: Any, web_ui: Any) -> None:
    """Expression-driven buttons are drawn hidden (and not runnable) rather than dropped,
    x2many and html fields with a readonly expression are drawn editable (disabled while it
    holds), a sub-list's ``column_invisible`` sees the form's record as ``parent``."""
    form_arch, modifiers = web_ui("form_arch"), web_ui("modifiers")
    views = env["res.partner"].get_views([[False, "form"]], {})
    fields = views["models"]["res.partner"]
    fields = fields.get("fields", fields)
    models = {"res.partner": fields}

    def resolve(is_company: bool) -> Any:
        values = {"is_company": is_company, "comment": False, "child_ids": []}
        return form_arch.resolve_form(
            FORM_OF_EXPRESSIONS,
            fields,
            modifiers.Modifiers(values, uid=env.uid),
            in_groups=lambda group: True,
            models=models,
        )

    person = resolve(False)
    archive = person.buttons["action_archive"]
    assert archive.hidden and person.modifiers[archive.mod_key]["invisible"] is True
    assert person.header_buttons == [archive]
    assert not person.buttons["action_unarchive"].hidden
    comment, lines = person.fields["comment"], person.fields["child_ids"]
    assert comment.dynamic_readonly and comment.readonly
    assert lines.dynamic_readonly and lines.readonly
    assert "child_ids" not in form_arch.editable_fields(person)
    assert [c.name for c in lines.sublist.columns] == ["name", "phone"]  # email: never shown
    assert lines.hidden_columns == set()
    assert person.modifiers[lines.column_keys["phone"]]["invisible"] is False

    company = resolve(True)
    assert not company.buttons["action_archive"].hidden
    assert company.modifiers[archive.mod_key]["invisible"] is False
    assert company.buttons["action_unarchive"].hidden  # its group is hidden now
    assert not company.fields["child_ids"].readonly
    assert "child_ids" in form_arch.editable_fields(company)
    assert company.fields["child_ids"].hidden_columns == {"phone"}
    assert company.modifiers[lines.column_keys["phone"]]["invisible"] is True
