"""The ``activity`` view type (declared by ``mail``, as in Odoo 17): archs checked when saved,
read with ``get_views``, a default one for a model without, and the ``activity-box``
template rendered as the head of a row."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from lxml import etree

from erplite.exceptions import ValidationError

BOX = (
    '<activity string="Orders"><templates><div t-name="activity-box">'
    '<strong><field name="name"/></strong> <span><field name="partner_id"/></span>'
    "</div></templates></activity>"
)


def test_an_activity_arch_is_an_activity_view(env: Any) -> None:
    view = env["ir.ui.view"].create({"name": "orders.activity", "model": "sale.order", "arch": BOX})
    assert view.type == "activity"


def test_an_unknown_field_in_the_box_stops_the_save(env: Any) -> None:
    arch = BOX.replace('name="partner_id"', 'name="no_such_field"')
    with pytest.raises(ValidationError, match="no_such_field"):
        env["ir.ui.view"].create({"name": "bad.activity", "model": "sale.order", "arch": arch})


def test_the_orders_actions_open_their_activity_view(env: Any) -> None:
    action = env.ref("orders.action_quotations")
    assert "activity" in action.view_mode.split(",")
    views = env["sale.order"].get_views(action.views, {})
    arch = etree.fromstring(views["views"]["activity"]["arch"])
    assert arch.tag == "activity" and arch.find("./templates/div").get("t-name") == "activity-box"
    assert views["views"]["activity"]["id"] == env.ref("orders.sale_order_view_activity").id


def test_a_model_without_one_gets_odoo_s_default(env: Any) -> None:
    views = env["mail.activity.type"].get_views([[False, "activity"]], {})
    arch = etree.fromstring(views["views"]["activity"]["arch"])
    box = arch.find("./templates/div[@t-name='activity-box']")
    assert box is not None and box.find("field").get("name") == "name"


def test_the_box_is_rendered_as_a_card(env: Any, make_order: Any) -> None:
    order = make_order()
    fields = env["sale.order"].fields_get()
    view = importlib.import_module("erplite.addons.mail.controllers.activity_view")
    spec = view.activity_box_spec(env, BOX, fields)
    assert spec.read_fields == ["name", "partner_id"]
    row = env["sale.order"].browse(order.id).read(["name", "partner_id"])[0]
    values = {"name": row["name"], "partner_id": row["partner_id"][1]}
    html = str(
        spec.render_card(
            row,
            fields,
            lambda name: values[name],
            open_url="/web/x",
            widget=None,
            record=order,
        )
    )
    assert f">{order.name}</span></strong>" in html and "Azure Interior" in html
