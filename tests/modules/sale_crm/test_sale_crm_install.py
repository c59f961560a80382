"""The bridge's life: installed by itself with whichever of crm and orders comes second,
absent while only one of them is installed, and uninstalled cleanly (its fields and columns
gone, crm and orders still working)."""

from __future__ import annotations

from erplite import SUPERUSER_ID, Registry, api
from erplite.loading.loader import uninstall_modules
from erplite.sql import close_pool


def _state(env, name: str) -> str:
    module = env["ir.module.module"].search([("name", "=", name)])
    return module.state if module else "absent"


def test_crm_after_orders_installs_the_bridge(new_database, erplite_addons_paths):
    dsn = new_database()
    try:
        registry = Registry.new(dsn, install=("orders",), addons_paths=erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert _state(env, "sale_crm") != "installed"
            assert "opportunity_id" not in env["sale.order"]._fields
        registry = Registry.new(dsn, install=("crm",), addons_paths=erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert _state(env, "sale_crm") == "installed"
            assert "opportunity_id" in env["sale.order"]._fields
            assert "quotation_count" in env["crm.lead"]._fields
    finally:
        close_pool(dsn)


def test_orders_after_crm_installs_the_bridge_and_uninstalling_it_is_clean(
    new_database, erplite_addons_paths
):
    dsn = new_database()
    try:
        registry = Registry.new(dsn, install=("crm",), addons_paths=erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert _state(env, "sale_crm") != "installed"
        registry = Registry.new(dsn, install=("orders",), addons_paths=erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert _state(env, "sale_crm") == "installed"
            partner = env["res.partner"].create({"name": "Azure"})
            lead = env["crm.lead"].create({"name": "Deal", "partner_id": partner.id})
            order = env["sale.order"].browse(lead.action_new_quotation()["res_id"])
            assert order.opportunity_id == lead

        uninstall_modules(dsn, ["sale_crm"], erplite_addons_paths, drop_data=True)
        registry = Registry(dsn, erplite_addons_paths)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert _state(env, "sale_crm") != "installed"
            assert "opportunity_id" not in env["sale.order"]._fields
            assert "quotation_count" not in env["crm.lead"]._fields
            assert "crm.quotation.partner" not in env
            assert not env["ir.model.fields"].search(
                [
                    ("model", "in", ("sale.order", "crm.lead", "res.company")),
                    (
                        "name",
                        "in",
                        (
                            "opportunity_id",
                            "order_ids",
                            "quotation_count",
                            "crm_won_on_order_confirm",
                        ),
                    ),
                ]
            )
            cr.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'sale_order' AND column_name = 'opportunity_id'"
            )
            assert not cr.fetchall()
            # both sides still work, and keep their own fields
            order = env["sale.order"].search([])
            assert order.origin == "Deal" and "team_id" in env["sale.order"]._fields
            order.action_confirm()
            assert order.state == "sale"
            assert env["crm.lead"].search([]).won_status == "pending"
    finally:
        close_pool(dsn)
