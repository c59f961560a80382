"""What a posted form writes: the changed values of the fields the page lets the user edit,
one2many lines as Command triplets (update, create, delete), nothing for read-only fields."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from erplite import Command


@pytest.fixture
def order(env: Any) -> Any:
    partner = env["res.partner"].create({"name": "Form Customer"})
    product = env["product.product"].create({"name": "Form Widget", "list_price": 5.0})
    return env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": 1}),
                Command.create({"product_id": product.id, "product_uom_qty": 2}),
            ],
        }
    )


def _form(web_ui: Any, order: Any) -> tuple[Any, dict]:
    views = order.get_views([[False, "form"]], {})
    fields = views["models"]["sale.order"]
    modifiers = web_ui("modifiers")
    values = modifiers.record_values(order, list(fields))
    form = web_ui("form_arch").resolve_form(
        views["views"]["form"]["arch"],
        fields,
        modifiers.Modifiers(values, uid=order.env.uid),
        in_groups=lambda group: True,
        models=views["models"],
    )
    return form, views["models"]


def test_changed_fields_and_line_commands(web_ui: Any, order: Any) -> None:
    form, models = _form(web_ui, order)
    first, second = order.order_line
    posted = MultiDict(
        [
            ("name", "HACKED"),  # read-only on the form: ignored
            ("client_order_ref", "PO-1"),
            ("partner_id", str(order.partner_id.id)),  # unchanged: not written
            ("order_line__present", "1"),
            ("order_line.0.id", str(first.id)),
            ("order_line.0.product_uom_qty", "4"),
            ("order_line.1.id", str(second.id)),
            ("order_line.1.delete", "1"),
            ("order_line.2.id", ""),
            ("order_line.2.product_id", str(first.product_id.id)),
            ("order_line.2.product_uom_qty", "3"),
            ("order_line.2.price_unit", ""),  # left empty on a new line: the product's price
        ]
    )
    vals, errors = web_ui("form_values").values_to_write(
        form, order, posted, tz=None, models=models
    )
    assert errors == {}
    assert vals == {
        "client_order_ref": "PO-1",
        "order_line": [
            Command.update(first.id, {"product_uom_qty": 4.0}),
            Command.delete(second.id),
            Command.create({"product_id": first.product_id.id, "product_uom_qty": 3.0}),
        ],
    }
    order.write(vals)
    assert sorted(order.order_line.mapped("product_uom_qty")) == [3.0, 4.0]
    assert order.order_line.mapped("price_unit") == [5.0, 5.0]


def test_required_and_unparsable_values_are_errors(web_ui: Any, order: Any) -> None:
    form, models = _form(web_ui, order)
    posted = MultiDict(
        [
            ("partner_id", ""),
            ("validity_date", "31/12/2026"),
            ("order_line__present", "1"),
            ("order_line.0.id", "abc"),
            ("order_line.0.product_uom_qty", "1"),
        ]
    )
    vals, errors = web_ui("form_values").values_to_write(
        form, order, posted, tz=None, models=models
    )
    assert errors["partner_id"] == "Customer: this field is required"
    assert "is not a valid date" in errors["validity_date"]
    assert errors["order_line"] == "Order Lines: line 1 is not a line of this record"
    assert "partner_id" not in vals and "validity_date" not in vals
