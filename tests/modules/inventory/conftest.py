"""Fixtures of the inventory tests, on the template with orders and inventory installed
(``stock_template``): the main warehouse and its locations, storable products, ``put_stock``
(an inventory adjustment) and ``make_delivery`` / ``make_receipt``."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command


@pytest.fixture(scope="session")
def erplite_template(stock_template: tuple[str, Any]) -> tuple[str, Any]:
    return stock_template


@pytest.fixture
def warehouse(env: Any) -> Any:
    return env.ref("inventory.warehouse0")


@pytest.fixture
def stock(warehouse: Any) -> Any:
    return warehouse.lot_stock_id


@pytest.fixture
def customers(env: Any) -> Any:
    return env.ref("inventory.stock_location_customers")


@pytest.fixture
def vendors(env: Any) -> Any:
    return env.ref("inventory.stock_location_suppliers")


@pytest.fixture
def make_product(env: Any) -> Any:
    def make(name: str, **values: Any) -> Any:
        return env["product.product"].create(
            {"name": name, "type": "product", "default_code": name.upper()[:8], **values}
        )

    return make


@pytest.fixture
def desk(make_product: Any) -> Any:
    return make_product("Desk")


@pytest.fixture
def chair(make_product: Any) -> Any:
    return make_product("Chair")


@pytest.fixture
def put_stock(env: Any, stock: Any) -> Any:
    """``put_stock(product, quantity, location=stock)``: an applied inventory count."""

    def put(product: Any, quantity: float, location: Any = None) -> Any:
        quant = env["stock.quant"].create(
            {
                "product_id": product.id,
                "location_id": (location or stock).id,
                "inventory_quantity": quantity,
            }
        )
        quant.action_apply_inventory()
        return quant

    return put


@pytest.fixture
def make_delivery(env: Any, warehouse: Any) -> Any:
    """``make_delivery((product, quantity), ..., **values)``: a draft delivery order."""

    def make(*lines: tuple[Any, float], **values: Any) -> Any:
        return env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "move_ids": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                    for product, quantity in lines
                ],
                **values,
            }
        )

    return make


@pytest.fixture
def make_receipt(env: Any, warehouse: Any) -> Any:
    """``make_receipt((product, quantity), ...)``: a draft receipt from the vendors."""

    def make(*lines: tuple[Any, float], **values: Any) -> Any:
        return env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "move_ids": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                    for product, quantity in lines
                ],
                **values,
            }
        )

    return make
