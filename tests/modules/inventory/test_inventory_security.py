"""Inventory / User and Inventory / Administrator, and the companies' walls."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError


def test_user_validates_transfers_but_does_not_configure(
    env, desk, put_stock, make_delivery, make_user
):
    put_stock(desk, 5)
    user = make_user("stocker", "inventory.group_stock_user")
    delivery = make_delivery((desk, 2)).with_user(user)
    delivery.action_assign()
    delivery.button_validate()
    assert delivery.state == "done"
    with pytest.raises(AccessError):
        env["stock.warehouse"].with_user(user).create({"name": "Mine", "code": "MINE"})
    with pytest.raises(AccessError):
        env["stock.location"].with_user(user).create({"name": "Shelf"})


def test_administrator_configures(env, make_user):
    admin = make_user("stockadmin", "inventory.group_stock_manager")
    warehouse = env["stock.warehouse"].with_user(admin).create({"name": "East", "code": "EAST"})
    assert warehouse.lot_stock_id.complete_name == "EAST/Stock"


def test_internal_user_reads_but_cannot_validate(env, desk, put_stock, make_delivery, make_user):
    put_stock(desk, 5)
    employee = make_user("employee", "base.group_user")
    delivery = make_delivery((desk, 2)).with_user(employee)
    assert delivery.state == "draft"
    assert desk.with_user(employee).qty_available == 5
    with pytest.raises(AccessError):
        delivery.button_validate()


def test_transfers_and_quants_of_another_company_are_hidden(env, desk, put_stock, make_user):
    company_b = env["res.company"].create({"name": "Company B"})
    warehouse_b = env["stock.warehouse"].search([("company_id", "=", company_b.id)])
    put_stock(desk, 3, warehouse_b.lot_stock_id)
    picking_b = env["stock.picking"].create({"picking_type_id": warehouse_b.out_type_id.id})
    user = make_user("stocker", "inventory.group_stock_user")
    Picking = env["stock.picking"].with_user(user)
    assert picking_b not in Picking.search([])
    internal = [("product_id", "=", desk.id), ("location_id.usage", "=", "internal")]
    assert not env["stock.quant"].with_user(user).search(internal)
    assert desk.with_user(user).qty_available == 0
    assert desk.with_company(company_b).qty_available == 3
