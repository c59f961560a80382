"""The Settings app of base: its menus are for settings users only, and each of its actions
opens views that exist and load (list, form, search) for an administrator."""

from __future__ import annotations

import uuid

import pytest
from lxml import etree

SETTINGS_ACTIONS = [
    "base.action_res_users",
    "base.action_res_groups",
    "base.action_res_company_form",
    "base.action_apikeys_admin",
    "base.ir_sequence_form",
    "base.ir_cron_act",
    "base.action_server_action",
    "base.action_ui_view",
    "base.actions_ir_filters_view",
    "base.open_module_tree",
    "base.ir_webhook_delivery_act",
]


@pytest.mark.parametrize("xml_id", SETTINGS_ACTIONS)
def test_each_settings_action_opens_its_views(env, xml_id):
    admin = env.ref("base.user_admin")
    action = env.ref(xml_id)
    views = [[view_id, "list" if mode == "tree" else mode] for view_id, mode in action.views]
    views.append([action.search_view_id.id or False, "search"])
    result = env[action.res_model].with_user(admin).get_views(views, {"toolbar": True})
    assert set(result["views"]) == {mode for _view, mode in views}
    assert result["views"]["list"]["id"], f"{xml_id} has no list view of its own"
    for view in result["views"].values():
        etree.fromstring(view["arch"])
    assert action.res_model in result["models"]


def test_the_settings_app_is_for_settings_users(env):
    root = env.ref("base.menu_administration").id
    admin_menus = env["ir.ui.menu"].with_user(env.ref("base.user_admin")).load_menus()
    assert root in admin_menus["root"]["children"]
    assert (
        env.ref("base.menu_action_res_users").id
        in admin_menus[env.ref("base.menu_users").id]["children"]
    )
    employee = env["res.users"].create(
        {
            "name": "Emma",
            "login": f"emma-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )
    menus = env["ir.ui.menu"].with_user(employee).load_menus()
    assert root not in menus and env.ref("base.menu_action_res_users").id not in menus


def test_group_form_shows_rights_and_rules_read_only(env):
    arch = env["res.groups"].get_view(env.ref("base.view_groups_form").id)["arch"]
    form = etree.fromstring(arch)
    assert form.xpath("//page[@name='access_rights']/field[@name='model_access']/@readonly") == [
        "1"
    ]
    assert form.xpath("//page[@name='rules']/field[@name='rule_groups']/@readonly") == ["1"]
