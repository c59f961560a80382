"""Fixtures of the sale_stock tests, on the template with orders and inventory installed (and
so the bridge): a customer, storable products with stock, users, ``make_order``."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command


@pytest.fixture(scope="session")
def erplite_template(stock_template: tuple[str, Any]) -> tuple[str, Any]:
    return stock_template


@pytest.fixture
def company(env: Any) -> Any:
    company = env.ref("base.main_company")
    company.so_double_validation_amount = 5000.0
    return company


@pytest.fixture
def warehouse(env: Any) -> Any:
    return env.ref("inventory.warehouse0")


@pytest.fixture
def customer(env: Any) -> Any:
    return env["res.partner"].create({"name": "Azure Interior", "is_company": True})


@pytest.fixture
def desk(env: Any, warehouse: Any) -> Any:
    desk = env["product.product"].create(
        {"name": "Desk", "default_code": "DESK", "type": "product", "list_price": 100.0}
    )
    env["stock.quant"].create(
        {"product_id": desk.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 10}
    ).action_apply_inventory()
    return desk


@pytest.fixture
def chair(env: Any, warehouse: Any) -> Any:
    chair = env["product.product"].create(
        {"name": "Chair", "default_code": "CHAIR", "type": "product", "list_price": 50.0}
    )
    env["stock.quant"].create(
        {"product_id": chair.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 4}
    ).action_apply_inventory()
    return chair


@pytest.fixture
def consulting(env: Any) -> Any:
    return env["product.product"].create(
        {"name": "Consulting", "type": "service", "list_price": 90.0}
    )


@pytest.fixture
def make_order(env: Any, customer: Any, company: Any) -> Any:
    """``make_order((product, quantity), ...)``: a quotation."""

    def make(*lines: tuple[Any, float], **values: Any) -> Any:
        return env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                    for product, quantity in lines
                ],
                **values,
            }
        )

    return make
