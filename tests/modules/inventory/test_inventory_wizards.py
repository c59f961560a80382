"""The wizards of validation and returns as a form opens them (Odoo 17's first onchange and
``default_get`` from the context), and ``button_validate``'s wizard action."""

from __future__ import annotations

import importlib
from typing import Any

import pytest


@pytest.fixture
def web_ui(env: Any) -> Any:
    """``web_ui("dialog")``: a module of the web module's ``ui`` as the registry imported it
    (``erplite.addons.web``; importing ``erplite.modules.web`` would declare its routes twice)."""
    return lambda name: importlib.import_module(f"erplite.addons.web.ui.{name}")


def _done_delivery(desk: Any, put_stock: Any, make_delivery: Any) -> Any:
    put_stock(desk, 10)
    picking = make_delivery((desk, 3))
    picking.action_confirm()
    picking.action_assign()
    picking.button_validate()
    assert picking.state == "done"
    return picking


def test_return_wizard_proposes_the_done_moves(
    env: Any, web_ui: Any, desk: Any, put_stock: Any, make_delivery: Any
) -> None:
    Dialog, DialogForm = web_ui("client_actions").Dialog, web_ui("dialog").DialogForm
    picking = _done_delivery(desk, put_stock, make_delivery)
    context = {"active_model": "stock.picking", "active_id": picking.id, "active_ids": picking.ids}
    wizard = env["stock.return.picking"].with_context(**context)
    assert wizard.default_get(["picking_id"]) == {"picking_id": picking.id}
    form = DialogForm(env, Dialog("stock.return.picking", None, "Return", context))
    assert form.defaults["picking_id"] == picking.id
    [line] = form.new_lines["product_return_moves"]
    assert line["product_id"] == desk.id
    assert line["quantity"] == 3
    assert line["move_id"] == picking.move_ids.id


def test_partial_validation_returns_the_backorder_wizard(
    env: Any, web_ui: Any, desk: Any, put_stock: Any, make_delivery: Any
) -> None:
    Dialog, DialogForm = web_ui("client_actions").Dialog, web_ui("dialog").DialogForm
    put_stock(desk, 3)
    picking = make_delivery((desk, 5))
    picking.action_confirm()
    picking.action_assign()
    action = picking.button_validate()
    assert action["type"] == "ir.actions.act_window"
    assert action["target"] == "new"
    assert action["res_model"] == "stock.backorder.confirmation"
    wizard = env["stock.backorder.confirmation"].browse(action["res_id"])
    assert wizard.pick_ids == picking
    form = DialogForm(env, Dialog(action["res_model"], action["res_id"], action["name"]))
    assert set(form.resolve().buttons) == {"process", "process_cancel_backorder", "special:cancel"}


def test_a_server_action_returns_the_wizard_it_opens(
    env: Any, web_ui: Any, desk: Any, put_stock: Any, make_delivery: Any
) -> None:
    RecordOperations = web_ui("record_actions").RecordOperations

    put_stock(desk, 3)
    picking = make_delivery((desk, 5))
    picking.action_confirm()
    picking.action_assign()
    model_id = env["ir.model"]._get_id("stock.picking")
    server = env["ir.actions.server"].create(
        {
            "name": "Validate",
            "model_id": model_id,
            "binding_model_id": model_id,
            "state": "method",
            "method_name": "button_validate",
        }
    )
    ops = RecordOperations(env["stock.picking"], env["stock.picking"].fields_get())
    message, outcome = ops.run("server", picking, server_action_id=server.id, view_type="form")
    assert message == "Validate: done on 1 record."
    assert outcome["res_model"] == "stock.backorder.confirmation"
    assert outcome["target"] == "new"
    assert picking.state == "assigned"  # waits for the user's choice
