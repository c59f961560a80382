"""Odoo 17 attribute expressions and the list/form archs as the pages draw them: what is
hidden, read-only, required, which buttons a record offers, which columns a list has."""

from __future__ import annotations

from typing import Any

import pytest

FIELDS = {
    "name": {"type": "char", "string": "Order Reference", "readonly": True},
    "state": {
        "type": "selection",
        "string": "Status",
        "readonly": True,
        "selection": [["draft", "Quotation"], ["sent", "Sent"], ["sale", "Sales Order"]],
    },
    "partner_id": {
        "type": "many2one",
        "string": "Customer",
        "relation": "res.partner",
        "required": True,
    },
    "validity_date": {"type": "date", "string": "Expiration"},
    "note": {"type": "html", "string": "Terms"},
    "amount_total": {"type": "monetary", "string": "Total", "readonly": True},
    "order_line": {"type": "one2many", "string": "Lines", "relation": "sale.order.line"},
}

LINE_FIELDS = {
    "product_id": {"type": "many2one", "string": "Product", "relation": "product.product"},
    "price_subtotal": {"type": "monetary", "string": "Subtotal", "readonly": True},
}

FORM = """<form>
  <header>
    <button name="action_confirm" type="object" string="Confirm" class="oe_highlight"
            invisible="state != 'draft'"/>
    <button name="action_approve" type="object" string="Approve" groups="sales_team.group_sale_manager"/>
    <button name="action_cancel" type="object" string="Cancel" confirm="Sure?"/>
    <field name="state" widget="statusbar" statusbar_visible="draft,sale"/>
  </header>
  <sheet>
    <div class="oe_title"><h1><field name="name"/></h1></div>
    <group>
      <group>
        <field name="partner_id" readonly="state != 'draft'"/>
        <field name="validity_date" invisible="state == 'sale'" required="state == 'sent'"/>
      </group>
      <group><field name="amount_total"/><field name="secret_field"/></group>
    </group>
    <notebook><page string="Lines"><field name="order_line">
      <tree editable="bottom"><field name="product_id"/><field name="price_subtotal" sum="Total"/></tree>
    </field></page></notebook>
  </sheet>
</form>"""


@pytest.fixture(scope="module")
def ui(web_ui: Any) -> Any:
    class UI:
        modifiers = web_ui("modifiers")
        form_arch = web_ui("form_arch")
        list_arch = web_ui("list_arch")

    return UI


def resolve(ui: Any, state: str, *groups: str) -> Any:
    scope = ui.modifiers.Modifiers({"state": state, "partner_id": 3, "order_line": []}, uid=2)
    return ui.form_arch.resolve_form(
        FORM,
        FIELDS,
        scope,
        in_groups=lambda group: group in groups,
        models={"sale.order.line": LINE_FIELDS},
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (None, False),
        ("1", True),
        ("0", False),
        ("True", True),
        ("state != 'draft'", False),
        ("state in ('draft', 'sent')", True),
        ("not partner_id", False),
        ("partner_id and uid == 2", True),
        ("len(order_line) > 0", False),
        ("context.get('hide')", True),
        ("parent.state == 'sale'", True),
    ],
)
def test_attribute_expressions(ui: Any, expression: Any, expected: bool) -> None:
    scope = ui.modifiers.Modifiers(
        {"state": "draft", "partner_id": 7, "order_line": []},
        uid=2,
        context={"hide": True},
        parent={"state": "sale"},
    )
    assert scope.is_true(expression) is expected


def test_an_expression_that_cannot_be_evaluated_names_itself(ui: Any) -> None:
    scope = ui.modifiers.Modifiers({"state": "draft"})
    with pytest.raises(ui.modifiers.ModifierError, match="unknown_field"):
        scope.is_true("unknown_field == 1")
    with pytest.raises(ui.modifiers.ModifierError, match="__class__"):
        scope.is_true("state.__class__")


def test_buttons_follow_invisible_and_groups(ui: Any) -> None:
    draft = resolve(ui, "draft")
    shown = [b for b in draft.header_buttons if not b.hidden]
    assert [b.name for b in shown] == ["action_confirm", "action_cancel"]
    assert shown[0].primary and shown[1].confirm == "Sure?"
    manager = resolve(ui, "sale", "sales_team.group_sale_manager")
    assert [b.name for b in manager.header_buttons if not b.hidden] == [
        "action_approve",
        "action_cancel",
    ]
    # invisible by an expression: drawn hidden, so that an onchange may show it again
    assert [b.name for b in manager.header_buttons if b.hidden] == ["action_confirm"]


def test_statusbar_shows_the_visible_states_and_the_current_one(ui: Any) -> None:
    assert resolve(ui, "draft").statusbar.states == [
        ("draft", "Quotation"),
        ("sale", "Sales Order"),
    ]
    assert [s for s, _ in resolve(ui, "sent").statusbar.states] == ["draft", "sent", "sale"]


def test_readonly_required_and_invisible_follow_the_record(ui: Any) -> None:
    draft, sent, sale = resolve(ui, "draft"), resolve(ui, "sent"), resolve(ui, "sale")
    assert not draft.fields["partner_id"].readonly and draft.fields["partner_id"].required
    assert sent.fields["partner_id"].readonly and not sent.fields["partner_id"].required
    assert sent.fields["validity_date"].required and not draft.fields["validity_date"].required
    # invisible by an expression: drawn hidden (an onchange may show it), never written
    assert sale.fields["validity_date"].hidden
    assert "validity_date" not in ui.form_arch.editable_fields(sale)
    assert draft.fields["amount_total"].readonly  # read-only field of the model
    assert "secret_field" not in draft.fields  # not described by get_views: not drawn
    editable = ui.form_arch.editable_fields(draft)
    assert set(editable) == {"partner_id", "validity_date", "order_line"}


def test_expression_modifiers_are_keyed_for_the_onchange(ui: Any) -> None:
    draft, sent, sale = resolve(ui, "draft"), resolve(ui, "sent"), resolve(ui, "sale")
    key = draft.fields["validity_date"].mod_key
    assert key and key == sale.fields["validity_date"].mod_key  # one key per arch node
    assert draft.modifiers[key] == {"invisible": False, "readonly": False, "required": False}
    assert sent.modifiers[key] == {"invisible": False, "readonly": False, "required": True}
    assert sale.modifiers[key]["invisible"] is True
    partner = draft.fields["partner_id"]
    assert partner.dynamic_readonly and not partner.readonly
    assert sent.fields["partner_id"].readonly and sent.modifiers[partner.mod_key]["readonly"]
    assert draft.fields["name"].mod_key is None  # no expression: nothing to re-evaluate
    # a constant invisible and a group refusal drop the node as before
    assert "action_approve" not in {b.name for b in draft.header_buttons}


def test_a_one2many_gets_its_sub_list(ui: Any) -> None:
    lines = resolve(ui, "draft").fields["order_line"].sublist
    assert [c.name for c in lines.columns] == ["product_id", "price_subtotal"]
    assert lines.editable == "bottom" and lines.columns[1].aggregate == ("sum", "Total")


def test_list_columns(ui: Any) -> None:
    arch = """<tree default_order="name desc" decoration-muted="state == 'sale'" create="0">
        <field name="name"/><field name="partner_id" string="Client"/>
        <field name="note" optional="hide"/><field name="validity_date" optional="show"/>
        <field name="amount_total" sum="Total" widget="monetary"/><field name="nope"/>
        <button name="action_confirm" type="object"/>
    </tree>"""
    spec = ui.list_arch.ListSpec.from_arch(arch, FIELDS)
    assert [c.name for c in spec.columns] == ["name", "partner_id", "validity_date", "amount_total"]
    assert spec.columns[1].string == "Client" and spec.columns[3].numeric
    assert spec.default_order == "name desc" and not spec.create
    assert spec.decorations == [("muted", "state == 'sale'")]
