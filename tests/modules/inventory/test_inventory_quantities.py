"""A product's on hand, incoming, outgoing and forecast quantities, by location or warehouse
from the context, and searching on them."""

from __future__ import annotations

import pytest

from erplite.exceptions import UserError


def test_quantities_per_location_and_warehouse(
    env, desk, stock, warehouse, put_stock, make_receipt, make_delivery
):
    shelf = env["stock.location"].create({"name": "Shelf", "location_id": stock.id})
    put_stock(desk, 10)
    put_stock(desk, 4, shelf)
    make_receipt((desk, 7)).action_confirm()
    make_delivery((desk, 3)).action_confirm()
    make_delivery((desk, 100))  # draft: not counted
    assert (desk.qty_available, desk.incoming_qty, desk.outgoing_qty) == (14, 7, 3)
    assert desk.virtual_available == 18
    at_shelf = desk.with_context(location=shelf.id)
    assert (at_shelf.qty_available, at_shelf.incoming_qty, at_shelf.outgoing_qty) == (4, 0, 0)
    in_warehouse = desk.with_context(warehouse=warehouse.id)
    assert in_warehouse.qty_available == 14
    other = env["stock.warehouse"].create({"name": "Other", "code": "OTH"})
    assert desk.with_context(warehouse=other.id).qty_available == 0
    assert desk.with_context(location=[shelf.id, stock.id]).qty_available == 14


def test_quantities_of_many_products_cost_a_fixed_number_of_statements(
    env, make_product, put_stock, assert_query_count
):
    products = env["product.product"].browse()
    for index in range(6):
        product = make_product(f"P{index}")
        put_stock(product, index + 1)
        products |= product
    products[0].qty_available  # noqa: B018 (the user's companies are read once per transaction)
    env.flush_all()
    env["product.product"]._invalidate_quantities()
    with assert_query_count(4):  # the locations, then quants, incoming and outgoing moves
        assert products.mapped("qty_available") == [1, 2, 3, 4, 5, 6]


def test_quantities_are_searchable(env, desk, chair, put_stock, make_delivery):
    put_stock(desk, 5)
    put_stock(chair, 2)
    make_delivery((chair, 3)).action_confirm()
    assert env["product.product"].search([("qty_available", ">", 3)]) == desk
    assert env["product.product"].search([("virtual_available", "<", 0)]) == chair
    assert desk | chair <= env["product.product"].search([("qty_available", ">=", 2)])
    assert env["product.product"].search([("outgoing_qty", "=", 3)]) == chair


def test_quantity_search_refuses_a_bad_value(env):
    with pytest.raises(UserError, match="needs a number"):
        env["product.product"].search([("qty_available", ">", "many")])
    with pytest.raises(UserError, match="not supported"):
        env["product.product"].search([("qty_available", "like", 3)])


def test_context_location_must_be_ids(env, desk):
    with pytest.raises(UserError, match="takes record ids"):
        desk.with_context(location="WH/Stock").qty_available  # noqa: B018
