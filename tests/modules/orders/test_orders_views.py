"""The screens of the orders, product and base modules: every view type of sale.order loads
and is tailored to the user (the approval buttons for managers only), the actions name their
views, the Sales menus a salesperson and a manager see, and a warm worker serves a list screen
(views, toolbar, menus) without a statement for them."""

from __future__ import annotations

from typing import Any

from lxml import etree

ALL_TYPES = [[False, t] for t in ("list", "form", "kanban", "search", "graph", "pivot")]


def test_sale_order_has_every_screen(env):
    result = env["sale.order"].get_views(ALL_TYPES)
    views = result["views"]
    ids = {vt: v["id"] for vt, v in views.items()}
    assert ids == {
        "list": env.ref("orders.view_order_tree").id,
        "form": env.ref("orders.view_order_form").id,
        "kanban": env.ref("orders.view_sale_order_kanban").id,
        "search": env.ref("orders.view_sales_order_filter").id,
        "graph": env.ref("orders.view_sale_order_graph").id,
        "pivot": env.ref("orders.view_sale_order_pivot").id,
    }
    form = etree.fromstring(views["form"]["arch"])
    assert form.xpath("//header/field[@name='state']/@widget") == ["statusbar"]
    assert form.xpath(
        "//notebook/page[@name='order_lines']/field[@name='order_line']/tree/@editable"
    ) == ["bottom"]
    assert etree.fromstring(views["kanban"]["arch"]).get("default_group_by") == "state"
    graph = etree.fromstring(views["graph"]["arch"])
    assert graph.xpath("field[@name='date_order']/@interval") == ["month"]
    pivot = etree.fromstring(views["pivot"]["arch"])
    assert [(f.get("name"), f.get("type")) for f in pivot] == [
        ("user_id", "row"),
        ("date_order", "col"),
        ("amount_total", "measure"),
    ]
    search = etree.fromstring(views["search"]["arch"])
    assert "my_quotation" in search.xpath("//filter/@name")
    assert "{'group_by': 'date_order:month'}" in search.xpath("//filter/@context")
    assert {"sale.order", "sale.order.line", "sale.order.history"} <= set(result["models"])
    assert result["models"]["sale.order.line"]["product_id"]["relation"] == "product.product"


def test_approval_buttons_are_for_managers_only(env, salesman, manager):
    def buttons(user: Any) -> list[str]:
        arch = env["sale.order"].with_user(user).get_view(view_type="form")["arch"]
        return etree.fromstring(arch).xpath("//header/button/@name")

    assert "action_approve" not in buttons(salesman) and "action_reject" not in buttons(salesman)
    assert "action_confirm" in buttons(salesman)
    assert {"action_approve", "action_reject", "action_confirm"} <= set(buttons(manager))


def test_actions_open_the_screens(env):
    quotations = env.ref("orders.action_quotations")
    modes = ("tree", "kanban", "form", "graph", "pivot", "activity")
    assert quotations.views == [[False, m] for m in modes]
    assert quotations.search_view_id == env.ref("orders.view_sales_order_filter")
    settings = env.ref("orders.action_company_settings")
    assert settings.views == [[env.ref("orders.view_company_approval_form").id, "form"]]
    for xml_id in (
        "product.product_normal_action",
        "product.product_category_action_form",
        "product.action_tax_form",
        "base.action_partner_form",
    ):
        action = env.ref(xml_id)
        result = env[action.res_model].get_views(
            [[v, "list" if t == "tree" else t] for v, t in action.views]
            + [[action.search_view_id.id, "search"]]
        )
        assert all(view["id"] for view in result["views"].values()), xml_id


def test_sales_menus_for_a_salesperson_and_a_manager(env, salesman, manager):
    root = env.ref("orders.sale_menu_root").id
    to_approve = env.ref("orders.menu_sale_to_approve").id
    config = env.ref("orders.menu_sale_config").id
    menus = env["ir.ui.menu"].with_user(salesman).load_menus()
    assert root in menus["root"]["children"]
    assert env.ref("orders.menu_sale_quotations").id in menus
    assert to_approve not in menus and config not in menus
    menus = env["ir.ui.menu"].with_user(manager).load_menus()
    assert to_approve in menus and config in menus
    assert menus[to_approve]["app_id"] == root


def test_warm_list_screen_sends_no_statement_for_views_menus_and_actions(
    env, salesman, assert_query_count
):
    Order = env["sale.order"].with_user(salesman)
    action = env.ref("orders.action_quotations")
    views = [[v, "list" if t == "tree" else t] for v, t in action.views] + [
        [action.search_view_id.id, "search"]
    ]
    Order.get_views(views, {"toolbar": True})
    env["ir.ui.menu"].with_user(salesman).load_menus()
    with assert_query_count(0):
        result = Order.get_views(views, {"toolbar": True})
        env["ir.ui.menu"].with_user(salesman).load_menus()
    assert set(result["views"]) == {
        "list",
        "kanban",
        "form",
        "graph",
        "pivot",
        "activity",
        "search",
    }
