"""The benchmark's module (``benchmarks/addons/bench``) installs with its S8 screens: the list
of orders (name, partner, date, state, amount_total; date DESC, id DESC) opened by the action of
the menu Bench > Orders."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from erplite import Registry
from tests.loading.conftest import environment

BENCH_ADDONS = str(Path(__file__).resolve().parents[2] / "benchmarks" / "addons")


def test_bench_module_has_the_s8_list_screen(new_database):
    registry = Registry.new(new_database(), install=("bench",), addons_paths=(BENCH_ADDONS,))
    with environment(registry) as env:
        action = env.ref("bench.bench_order_action")
        assert (action.res_model, action.limit) == ("bench.order", 80)
        assert action.views[0] == [env.ref("bench.bench_order_view_tree").id, "tree"]
        admin = env.ref("base.user_admin")
        view = env["bench.order"].with_user(admin).get_view(action.views[0][0], "list")
        tree = etree.fromstring(view["arch"])
        assert tree.get("default_order") == "date desc, id desc"
        assert tree.xpath("field/@name") == ["name", "partner_id", "date", "state", "amount_total"]
        menus = env["ir.ui.menu"].with_user(admin).load_menus()
        menu = menus[env.ref("bench.bench_order_menu").id]
        assert menu["action"] == f"ir.actions.act_window,{action.id}"
