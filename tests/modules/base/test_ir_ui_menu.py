"""``ir.ui.menu.load_menus``: Odoo 17's shape; menus filtered by their groups (and their
ancestors'), by the groups of their action and the read access to its model; folder menus
shown only above a visible menu; cached per registry and group set."""

from __future__ import annotations

import uuid
from typing import Any

DOC = "test_security.document"


def user_with(env: Any, *groups: str) -> Any:
    return env["res.users"].create(
        {
            "name": "Navigator",
            "login": f"nav-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])],
        }
    )


def action(env: Any, res_model: str, **values: Any) -> str:
    record = env["ir.actions.act_window"].create(
        {"name": res_model, "res_model": res_model, **values}
    )
    return f"ir.actions.act_window,{record.id}"


def build(env: Any) -> dict[str, Any]:
    Menu = env["ir.ui.menu"]
    manager = env.ref("test_security.group_manager").id
    app = Menu.create({"name": "Docs App", "sequence": 5, "web_icon": "x,static/icon.png"})
    docs = Menu.create(
        {"name": "Documents", "parent_id": app.id, "sequence": 2, "action": action(env, DOC)}
    )
    tags = Menu.create(
        {
            "name": "Tags",
            "parent_id": app.id,
            "sequence": 1,
            "action": action(env, "test_security.tag"),
        }
    )
    config = Menu.create({"name": "Configuration", "parent_id": app.id, "sequence": 9})
    restricted = Menu.create(
        {
            "name": "Restricted",
            "parent_id": config.id,
            "action": action(env, "test_security.restricted"),
        }
    )
    managers = Menu.create(
        {
            "name": "For managers",
            "parent_id": app.id,
            "sequence": 3,
            "action": action(env, DOC),
            "groups_id": [(6, 0, [manager])],
        }
    )
    guarded = Menu.create(
        {
            "name": "Guarded action",
            "parent_id": app.id,
            "sequence": 4,
            "action": action(env, DOC, groups_id=[(6, 0, [manager])]),
        }
    )
    empty_app = Menu.create({"name": "Empty App", "sequence": 6})
    Menu.create({"name": "Nothing", "parent_id": empty_app.id})
    return {
        "app": app,
        "docs": docs,
        "tags": tags,
        "config": config,
        "restricted": restricted,
        "managers": managers,
        "guarded": guarded,
        "empty_app": empty_app,
    }


def test_load_menus_shape(env):
    menus = build(env)
    env["ir.model.data"].create(
        {"module": "test_menus", "name": "app", "model": "ir.ui.menu", "res_id": menus["app"].id}
    )
    tree = env["ir.ui.menu"].load_menus()
    app = tree[menus["app"].id]
    assert app == {
        "id": menus["app"].id,
        "name": "Docs App",
        "sequence": 5,
        "parent_id": False,
        "action": False,
        "web_icon": "x,static/icon.png",
        "children": [menus[k].id for k in ("tags", "docs", "managers", "guarded", "config")],
        "xmlid": "test_menus.app",
        "app_id": menus["app"].id,
    }
    docs = tree[menus["docs"].id]
    assert docs["parent_id"] == (menus["app"].id, "Docs App")
    assert docs["action"].startswith("ir.actions.act_window,") and docs["app_id"] == menus["app"].id
    assert tree[menus["restricted"].id]["app_id"] == menus["app"].id
    root = tree["root"]
    assert root["id"] is False and menus["app"].id in root["children"]
    # a folder with no action below it is not shown, even to the superuser
    assert menus["empty_app"].id not in tree and menus["empty_app"].id not in root["children"]


def test_menus_are_filtered_for_the_user(env):
    menus = build(env)
    reader = user_with(env, "test_security.group_reader")
    tree = env["ir.ui.menu"].with_user(reader).load_menus()
    assert tree[menus["app"].id]["children"] == [menus["tags"].id, menus["docs"].id]
    for hidden in ("config", "restricted", "managers", "guarded"):
        assert menus[hidden].id not in tree
    manager = user_with(env, "test_security.group_reader", "test_security.group_manager")
    tree = env["ir.ui.menu"].with_user(manager).load_menus()
    assert tree[menus["app"].id]["children"] == [
        menus[k].id for k in ("tags", "docs", "managers", "guarded", "config")
    ]
    # no read access to the action's model: hidden
    nobody = user_with(env)
    tree = env["ir.ui.menu"].with_user(nobody).load_menus()
    assert menus["docs"].id not in tree and menus["tags"].id in tree
    # an app restricted to a group hides its whole tree
    menus["app"].write({"groups_id": [(6, 0, [env.ref("test_security.group_manager").id])]})
    tree = env["ir.ui.menu"].with_user(reader).load_menus()
    assert menus["app"].id not in tree and menus["tags"].id not in tree


def test_menus_are_cached_and_dropped_when_menus_change(env, assert_query_count):
    menus = build(env)
    reader = user_with(env, "test_security.group_reader")
    Menu = env["ir.ui.menu"].with_user(reader)
    first = Menu.load_menus()
    first[menus["app"].id]["children"].clear()  # the caller's copy, not the cache
    with assert_query_count(0):
        again = Menu.load_menus()
    assert again[menus["app"].id]["children"] == [menus["tags"].id, menus["docs"].id]
    menus["docs"].write({"name": "Papers", "sequence": 0})
    assert Menu.load_menus()[menus["app"].id]["children"] == [menus["docs"].id, menus["tags"].id]
    assert Menu.load_menus()[menus["docs"].id]["name"] == "Papers"
