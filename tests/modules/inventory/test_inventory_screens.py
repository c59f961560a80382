"""The inventory's screens, drawn by the backoffice: every action of the Inventory menu opens
in each of its view types, the transfer form offers the workflow's buttons for its state, and
its Check Availability and Validate buttons work through the page (as a stock user)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from tests.modules.web.conftest import csrf_of, login_client, served_copy
from tests.modules.web.conftest import page_html as page


@pytest.fixture(scope="module")
def served(erplite_server: str, erplite_template: Any, erplite_addons_paths: Any) -> Iterator[dict]:
    def setup(env: Any) -> dict[str, int]:
        env["res.users"].create(
            {
                "name": "Stella Stock",
                "login": "stella",
                "password": "stella",
                "groups_id": [Command.set([env.ref("inventory.group_stock_user").id])],
            }
        )
        warehouse = env.ref("inventory.warehouse0")
        lamp = env["product.product"].create(
            {"name": "Lamp", "default_code": "LAMP", "type": "product"}
        )
        env["stock.quant"].create(
            {
                "product_id": lamp.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": 9,
            }
        ).action_apply_inventory()
        delivery = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "move_ids": [Command.create({"product_id": lamp.id, "product_uom_qty": 4})],
            }
        )
        delivery.action_confirm()
        actions = {
            xml_id: env.ref(f"inventory.{xml_id}").id
            for xml_id in (
                "stock_picking_type_action",
                "action_picking_tree_all",
                "action_picking_tree_outgoing",
                "dashboard_open_quants",
                "stock_move_action",
                "action_location_form",
                "action_warehouse_form",
                "action_orderpoint",
                "product_stock_action",
            )
        }
        return {"delivery": delivery.id, "lamp": lamp.id, **actions}

    with served_copy(
        erplite_server, erplite_template[0], erplite_addons_paths, "erplite_winv", setup
    ) as served:
        yield served


def client_of(served: dict, login: str) -> Client:
    return login_client(served["app"], login)


@pytest.mark.parametrize(
    ("action", "views"),
    [
        ("stock_picking_type_action", ["kanban", "list"]),
        ("action_picking_tree_all", ["list"]),
        ("action_picking_tree_outgoing", ["list"]),
        ("dashboard_open_quants", ["list", "pivot"]),
        ("stock_move_action", ["graph", "pivot", "list"]),
        ("action_location_form", ["list"]),
        ("action_warehouse_form", ["list"]),
        ("action_orderpoint", ["list"]),
        ("product_stock_action", ["list"]),
    ],
)
def test_each_screen_opens(served, action, views):
    client = client_of(served, "stella")
    action_id = served["ids"][action]
    for view in views:
        page(client, f"/web/action/{action_id}/{view}")


def test_overview_counts_the_waiting_delivery(served):
    client = client_of(served, "stella")
    html = page(client, f"/web/action/{served['ids']['stock_picking_type_action']}/kanban")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    # the card of Delivery Orders: nothing reserved yet, one delivery waiting (and late: it
    # was scheduled for its creation, now past)
    assert "Delivery Orders YourCompany 0 To Process 1 Waiting 1 Late" in text, text


def test_stock_on_hand_pivot_is_location_by_product(served):
    client = client_of(served, "stella")
    html = page(client, f"/web/action/{served['ids']['dashboard_open_quants']}/pivot")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "WH/Stock" in text
    assert "[LAMP] Lamp" in text


def test_reserve_and_validate_from_the_transfer_form(served):
    client = client_of(served, "stella")
    action_id = served["ids"]["action_picking_tree_all"]
    url = f"/web/action/{action_id}/form/{served['ids']['delivery']}"
    html = page(client, url)
    assert 'value="action_assign"' in html
    assert 'value="button_validate"' in html
    assert 'value="action_confirm"' not in html  # already confirmed
    for button in ("action_assign", "button_validate"):
        response = client.post(url, data={"csrf_token": csrf_of(html), "button": button})
        assert response.status_code == 303, response.get_data(as_text=True)[:800]
        html = page(client, url)
    assert 'value="button_validate"' not in html  # done: no more buttons
    registry = Registry(served["dsn"], served["addons"])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        assert env["stock.picking"].browse(served["ids"]["delivery"]).state == "done"
        assert env["product.product"].browse(served["ids"]["lamp"]).qty_available == 5
