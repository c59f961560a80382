"""The module's data: demo orders in every state, menus and window actions for the backoffice."""

from __future__ import annotations

from erplite import Registry, api


def test_demo_data_has_orders_in_every_state_and_the_menus(new_database, erplite_addons_paths):
    registry = Registry.new(
        new_database(), install=("orders",), demo=True, addons_paths=erplite_addons_paths
    )
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        orders = env["sale.order"].search([])
        assert set(orders.mapped("state")) == {"draft", "sent", "to_approve", "sale", "cancel"}
        approved = env.ref("orders.sale_order_approved")
        assert approved.history_ids.mapped("step") == ["submit", "approve"]
        assert env.ref("orders.sale_order_to_approve").amount_total >= 5000.0
        demo_user = env.ref("orders.user_demo_salesman")
        visible = env["sale.order"].with_user(demo_user).search([])
        assert visible and all(o.user_id in (demo_user, env["res.users"]) for o in visible)

        action = env.ref("orders.action_orders_to_approve")
        assert (action.res_model, action.domain) == ("sale.order", "[('state', '=', 'to_approve')]")
        root = env.ref("orders.sale_menu_root")
        menus = env["ir.ui.menu"].search([("id", "child_of", root.id)])
        assert env.ref("orders.menu_sale_to_approve") in menus
        assert env.ref("orders.menu_sale_to_approve").action == f"ir.actions.act_window,{action.id}"
        assert env.ref("sales_team.group_sale_salesman") in root.groups_id
        # the salesman does not see the approval menu, the manager does
        assert (
            env.ref("orders.menu_sale_to_approve")
            not in env["ir.ui.menu"].with_user(demo_user).visible_menus()
        )
        assert (
            env.ref("orders.menu_sale_to_approve")
            in env["ir.ui.menu"].with_user(env.ref("base.user_admin")).visible_menus()
        )
