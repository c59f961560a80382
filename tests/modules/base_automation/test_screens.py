"""The screens of automation: Settings > Technical shows Scheduled Actions, Automation Rules
and Webhook Deliveries to administrators, with list, form and search views that load."""

from __future__ import annotations

from lxml import etree


def test_technical_menu_lists_the_scheduler_screens(env):
    admin = env.ref("base.user_admin")
    menus = env["ir.ui.menu"].with_user(admin).load_menus()
    technical = menus[env.ref("base.menu_custom").id]["children"]
    for xml_id in (
        "base.menu_ir_cron_act",
        "base_automation.menu_base_automation",
        "base.menu_ir_webhook_delivery",
    ):
        assert env.ref(xml_id).id in technical


def test_automation_rule_views_load(env):
    admin = env.ref("base.user_admin")
    action = env.ref("base_automation.base_automation_act")
    views = [[False, "list"], [False, "form"], [action.search_view_id.id, "search"]]
    result = env["base.automation"].with_user(admin).get_views(views, {"toolbar": True})
    assert set(result["views"]) == {"list", "form", "search"}
    form = etree.fromstring(result["views"]["form"]["arch"])
    assert form.xpath("//field[@name='action_server_ids']")
    assert form.xpath("//field[@name='trigger_field_ids']")
