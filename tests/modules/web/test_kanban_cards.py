"""Kanban cards (``web/ui/kanban_cards.py``) without a server: what a card template sees as
``record``, which fields are read, ``<field>`` nodes and ``<a type="open">``, refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from erplite.tools.qweb import QWebError

FIELDS = {
    "name": {"type": "char", "string": "Name"},
    "partner_id": {"type": "many2one", "string": "Customer", "relation": "res.partner"},
    "tag_ids": {"type": "many2many", "string": "Tags", "relation": "x.tag"},
    "date_order": {"type": "datetime", "string": "Date"},
    "amount": {"type": "float", "string": "Amount"},
    "secret": {"type": "char", "string": "Hidden from the arch"},
}

ARCH = """<kanban default_group_by="partner_id" quick_create="false">
  <field name="name"/>
  <progressbar field="name" colors="{}" sum_field="amount"/>
  <templates><t t-name="kanban-box">
    <div><a type="open"><field name="name"/></a>
      <span t-if="record.partner_id.raw_value" class="p" t-esc="record.partner_id.value"/>
      <i t-out="record.tag_ids.raw_value"/> <b t-out="record.date_order.raw_value"/>
      <em t-if="widget.editable">editable</em>
    </div>
  </t></templates>
</kanban>"""


def _widget(web_ui: Any, editable: bool = True) -> Any:
    return web_ui("kanban_cards")._WidgetState(editable, False)


def _render(spec: Any, web_ui: Any, row: dict, **kw: Any) -> str:
    return str(
        spec.render_card(
            row,
            FIELDS,
            lambda name: f"<{name}>",
            open_url="/web/action/1/form/7",
            widget=_widget(web_ui, **kw),
        )
    )


def test_fields_read_are_the_arch_s_and_those_the_template_names(web_ui: Any) -> None:
    spec = web_ui("kanban_cards").KanbanSpec.from_arch(ARCH, FIELDS)
    assert spec.read_fields == ["name", "partner_id", "tag_ids", "date_order"]
    assert (spec.default_group_by, spec.quick_create, spec.sum_field) == (
        "partner_id",
        False,
        "amount",
    )


def test_record_value_raw_value_field_nodes_and_open_links(web_ui: Any) -> None:
    spec = web_ui("kanban_cards").KanbanSpec.from_arch(ARCH, FIELDS)
    row = {
        "id": 7,
        "name": "S1",
        "partner_id": (3, "Azure"),
        "tag_ids": [4, 5],
        "date_order": datetime.datetime(2026, 1, 2, 3, 4),
    }
    html = _render(spec, web_ui, row)
    assert '<a href="/web/action/1/form/7"><span class="o-field o-field-char' in html
    assert ">&lt;name&gt;</span></a>" in html  # the formatted value, escaped
    assert '<span class="p">&lt;partner_id&gt;</span>' in html
    assert "<i>[4, 5]</i> <b>2026-01-02T03:04:00</b>" in html
    assert "<em>editable</em>" in html
    empty = _render(spec, web_ui, {**row, "partner_id": False}, editable=False)
    assert 'class="p"' not in empty and "<em>" not in empty


def test_a_template_naming_an_unread_field_fails_with_its_name(web_ui: Any) -> None:
    arch = ARCH.replace("record.tag_ids.raw_value", "record.nowhere.value")
    spec = web_ui("kanban_cards").KanbanSpec.from_arch(arch, FIELDS)
    with pytest.raises(QWebError) as info:
        _render(spec, web_ui, {"id": 1, "name": "x", "partner_id": False})
    assert info.value.expression == "record.nowhere.value"
    assert "nowhere" in info.value.reason
    card = web_ui("kanban_cards").render_error(info.value)
    assert card.startswith('<p class="o-kanban-error" role="alert">This card cannot be shown')


def test_an_unsafe_expression_is_refused_when_the_arch_is_compiled(web_ui: Any) -> None:
    arch = ARCH.replace("widget.editable", "record.__class__")
    with pytest.raises(QWebError, match="__class__"):
        web_ui("kanban_cards").KanbanSpec.from_arch(arch, FIELDS)


@pytest.mark.parametrize(
    ("javascript", "python"),
    [
        ("!selection_mode", "not selection_mode"),
        ("a && !b || c", "a and not b or c"),
        ("record.state.raw_value === 'a && b'", "record.state.raw_value == 'a && b'"),
        ('x !== "!"', 'x != "!"'),
        ("x != 1 and not y", "x != 1 and not y"),
        ("flag === true || v === null", "flag == True or v == None"),
    ],
)
def test_odoo_17_javascript_operators_are_translated(
    web_ui: Any, javascript: str, python: str
) -> None:
    translated = web_ui("kanban_cards").javascript_to_python(javascript)
    assert " ".join(translated.split()) == python


def test_a_card_written_for_odoo_17_s_client_renders(web_ui: Any) -> None:
    arch = ARCH.replace(
        't-if="widget.editable"', 't-if="!selection_mode &amp;&amp; widget.editable"'
    )
    spec = web_ui("kanban_cards").KanbanSpec.from_arch(arch, FIELDS)
    assert "<em>editable</em>" in _render(spec, web_ui, {"id": 1, "name": "x", "partner_id": False})


def test_t_field_formats_the_cards_record(web_ui: Any, env: Any) -> None:
    partner = env["res.partner"].create({"name": "Azure"})
    order = env["sale.order"].create({"partner_id": partner.id})
    order.date_order = datetime.datetime(2026, 5, 1, 9, 30)
    fields = env["sale.order"].fields_get(["name", "partner_id", "date_order", "amount_total"])
    arch = """<kanban><templates><t t-name="kanban-box"><div>
      <b t-field="record.partner_id"/>|<i t-field="record.date_order" t-options-widget="'date'"/>|
      <s t-field="record.amount_total"/>|<u t-field="record.name">no name</u></div>
    </t></templates></kanban>"""
    spec = web_ui("kanban_cards").KanbanSpec.from_arch(arch, fields)
    assert set(spec.read_fields) == {"partner_id", "date_order", "amount_total", "name"}
    row = order.read(spec.read_fields)[0]
    html = str(
        spec.render_card(
            row,
            fields,
            lambda name: "",
            open_url="/web/action/1/form/7",
            widget=_widget(web_ui),
            record=order.with_context(tz="Europe/Brussels"),
        )
    )
    currency = order.currency_id
    assert "<b>Azure</b>" in html
    assert "<i>2026-05-01</i>" in html
    assert f"<s>0.00\u00a0{currency.symbol}</s>" in html or f"<s>{currency.symbol}" in html
    assert f"<u>{order.name}</u>" in html
    # without the record (a caller that does not give it) a t-field is a named error
    with pytest.raises(QWebError, match="cannot show field"):
        spec.render_card(
            row, fields, lambda name: "", open_url="/", widget=_widget(web_ui), record=None
        )
