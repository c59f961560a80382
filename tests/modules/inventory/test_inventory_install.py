"""The module installed alone (with its demo data) on an empty database."""

from __future__ import annotations

from erplite import SUPERUSER_ID, Registry, api
from erplite.sql import close_pool


def test_install_alone_with_demo(new_database, erplite_addons_paths):
    dsn = new_database()
    try:
        registry = Registry.new(
            dsn, install=("inventory",), addons_paths=erplite_addons_paths, demo=True
        )
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            modules = env["ir.module.module"].search([("state", "=", "installed")])
            names = set(modules.mapped("name"))
            assert {"inventory", "product"} <= names
            assert "orders" not in names and "sale_stock" not in names
            desk = env.ref("product.product_desk")
            assert desk.qty_available == 25
            assert desk.incoming_qty == 10
            assert (
                env.ref("product.product_chair")
                .with_context(location=env.ref("inventory.stock_location_shelf_2").id)
                .qty_available
                == 60
            )
            receipt = env.ref("inventory.incoming_desks")
            assert receipt.state == "assigned"
            assert receipt.name == "WH/IN/00001"
            assert env.ref("inventory.picking_type_out").warehouse_id == env.ref(
                "inventory.warehouse0"
            )
    finally:
        close_pool(dsn)


def test_erplite_templates_makes_each_set_of_modules_once(erplite_templates, erplite_template):
    again = erplite_templates("inventory", "orders", "product", "base")  # any order
    assert again is erplite_template
    dsn, registry = again
    with registry.cursor() as cr:
        cr.execute("SELECT state FROM ir_module_module WHERE name = 'sale_stock'")
        assert cr.fetchone() == ("installed",)
