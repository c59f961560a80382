"""Warehouses, locations and operation types: what a warehouse brings, the location tree, the
transfers' numbering."""

from __future__ import annotations

import pytest

from erplite.exceptions import UserError, ValidationError


def test_main_warehouse_has_its_locations_and_operation_types(warehouse, customers, vendors):
    assert warehouse.view_location_id.complete_name == "WH"
    assert warehouse.view_location_id.usage == "view"
    assert warehouse.lot_stock_id.complete_name == "WH/Stock"
    assert warehouse.lot_stock_id.usage == "internal"
    assert warehouse.in_type_id.code == "incoming"
    assert warehouse.in_type_id.default_location_src_id == vendors
    assert warehouse.out_type_id.default_location_src_id == warehouse.lot_stock_id
    assert warehouse.out_type_id.default_location_dest_id == customers
    assert warehouse.int_type_id.code == "internal"
    assert customers.complete_name == "Partners/Customers"
    assert customers.usage == "customer"


def test_a_new_company_gets_a_warehouse(env):
    company = env["res.company"].create({"name": "Branch"})
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)])
    assert len(warehouse) == 1
    assert warehouse.lot_stock_id.company_id == company
    assert warehouse.out_type_id.company_id == company


def test_a_second_warehouse_numbers_its_transfers_with_its_code(env, desk):
    warehouse = env["stock.warehouse"].create({"name": "East", "code": "EAST"})
    assert warehouse.lot_stock_id.complete_name == "EAST/Stock"
    first = env["stock.picking"].create({"picking_type_id": warehouse.out_type_id.id})
    second = env["stock.picking"].create({"picking_type_id": warehouse.out_type_id.id})
    assert first.name == "EAST/OUT/00001"
    assert second.name == "EAST/OUT/00002"
    assert first.location_id == warehouse.lot_stock_id


def test_location_tree_child_of_and_names(env, stock):
    shelf = env["stock.location"].create({"name": "Shelf A", "location_id": stock.id})
    bin_ = env["stock.location"].create({"name": "Bin 3", "location_id": shelf.id})
    assert bin_.complete_name == "WH/Stock/Shelf A/Bin 3"
    found = env["stock.location"].search([("id", "child_of", stock.id)])
    assert shelf in found and bin_ in found
    shelf.name = "Shelf B"
    assert bin_.complete_name == "WH/Stock/Shelf B/Bin 3"


def test_location_cannot_contain_itself(env, stock):
    shelf = env["stock.location"].create({"name": "Shelf", "location_id": stock.id})
    with pytest.raises(UserError, match="Recursion Detected|cannot contain itself"):
        stock.location_id = shelf


def test_location_holding_stock_keeps_its_usage(env, stock, desk, put_stock):
    put_stock(desk, 5)
    with pytest.raises(UserError, match="WH/Stock holds stock"):
        stock.usage = "customer"


def test_warehouse_code_unique_per_company(env):
    env["stock.warehouse"].create({"name": "North", "code": "NO"})
    with pytest.raises(ValidationError, match="short name"):
        env["stock.warehouse"].create({"name": "North 2", "code": "NO"})
