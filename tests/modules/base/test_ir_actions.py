"""Window and URL actions: Odoo 17's ``views`` pairs; actions bound to a model's menus
(``get_bindings``, and ``get_views`` with ``toolbar``), filtered for the user."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

DOC = "test_security.document"


def user_with(env: Any, *groups: str) -> Any:
    return env["res.users"].create(
        {
            "name": "Actor",
            "login": f"actor-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])],
        }
    )


def view(env: Any, arch: str) -> Any:
    return env["ir.ui.view"].create({"name": "v", "model": DOC, "arch": arch})


def test_act_window_defaults_and_views_pairs(env):
    form = view(env, '<form><field name="name"/></form>')
    action = env["ir.actions.act_window"].create(
        {"name": "Docs", "res_model": DOC, "view_mode": "tree,kanban,form", "view_id": form.id}
    )
    assert (action.type, action.limit, action.target, action.context) == (
        "ir.actions.act_window",
        80,
        "current",
        "{}",
    )
    assert (action.binding_type, action.binding_view_types) == ("action", "list,form")
    assert action.views == [[form.id, "form"], [False, "tree"], [False, "kanban"]]
    tree = view(env, '<tree><field name="name"/></tree>')
    env["ir.actions.act_window.view"].create(
        {"act_window_id": action.id, "view_mode": "tree", "view_id": tree.id, "sequence": 1}
    )
    action.invalidate_recordset()
    assert action.views == [[tree.id, "tree"], [form.id, "form"], [False, "kanban"]]


def test_act_url(env):
    action = env["ir.actions.act_url"].create(
        {"name": "Docs site", "url": "https://example.com/docs"}
    )
    assert (action.type, action.target) == ("ir.actions.act_url", "new")


def test_bindings_are_filtered_by_groups_and_model_access(env):
    model_id = env["ir.model"]._get_id(DOC)
    window = env["ir.actions.act_window"].create(
        {"name": "Open docs", "res_model": DOC, "binding_model_id": model_id}
    )
    secret_tags = env["ir.actions.act_window"].create(
        {
            "name": "Managers only",
            "res_model": "test_security.tag",
            "binding_model_id": model_id,
            "binding_view_types": "form",
            "groups_id": [(6, 0, [env.ref("test_security.group_manager").id])],
        }
    )
    restricted = env["ir.actions.act_window"].create(
        {
            "name": "Restricted",
            "res_model": "test_security.restricted",
            "binding_model_id": model_id,
        }
    )
    url = env["ir.actions.act_url"].create(
        {
            "name": "Help",
            "url": "https://example.com",
            "binding_model_id": model_id,
            "binding_view_types": "list",
        }
    )
    server = env["ir.actions.server"].create(
        {
            "name": "Archive",
            "model_id": model_id,
            "state": "method",
            "method_name": "action_archive",
            "binding_model_id": model_id,
        }
    )
    env["ir.actions.act_window"].create({"name": "Unbound", "res_model": DOC})

    everything = env["ir.actions.actions"].get_bindings(DOC)
    assert [(a["type"], a["id"]) for a in everything["action"]] == [
        ("ir.actions.act_url", url.id),
        ("ir.actions.act_window", window.id),
        ("ir.actions.act_window", secret_tags.id),
        ("ir.actions.act_window", restricted.id),
        ("ir.actions.server", server.id),
    ]
    first = everything["action"][1]
    assert first == {
        "id": window.id,
        "type": "ir.actions.act_window",
        "name": "Open docs",
        "binding_view_types": "list,form",
        "groups_id": [],
        "res_model": DOC,
    }

    reader = user_with(env, "test_security.group_reader")
    names = [
        a["name"] for a in env["ir.actions.actions"].with_user(reader).get_bindings(DOC)["action"]
    ]
    assert names == ["Help", "Open docs", "Archive"]
    manager = user_with(env, "test_security.group_reader", "test_security.group_manager")
    names = [
        a["name"] for a in env["ir.actions.actions"].with_user(manager).get_bindings(DOC)["action"]
    ]
    assert names == ["Help", "Open docs", "Managers only", "Restricted", "Archive"]

    # get_views with toolbar: by binding_view_types ('tree' and 'list' name the list)
    result = (
        env[DOC]
        .with_user(manager)
        .get_views([[False, "list"], [False, "form"], [False, "kanban"]], {"toolbar": True})
    )
    toolbar = {
        vt: [a["name"] for a in v["toolbar"].get("action", [])] for vt, v in result["views"].items()
    }
    assert toolbar == {
        "list": ["Help", "Open docs", "Restricted", "Archive"],
        "form": ["Open docs", "Managers only", "Restricted", "Archive"],
        "kanban": [],
    }


def test_bindings_are_cached_and_dropped_when_an_action_changes(env, assert_query_count):
    model_id = env["ir.model"]._get_id(DOC)
    action = env["ir.actions.act_window"].create(
        {"name": "Open docs", "res_model": DOC, "binding_model_id": model_id}
    )
    env["ir.actions.actions"].get_bindings(DOC)
    with assert_query_count(0):
        env["ir.actions.actions"].get_bindings(DOC)
    action.write({"binding_model_id": False})
    assert env["ir.actions.actions"].get_bindings(DOC) == {}


def test_an_action_changed_by_another_process_is_seen_after_the_signal(own_registry):
    """Two registries of one database stand for two worker processes: a window action and
    the bindings one of them cached are read again once the other commits a change to the
    action and the first reads the signal (as every request does)."""
    from erplite import SUPERUSER_ID, Registry, api
    from erplite.security import check_access_signal

    other = Registry(own_registry.dsn, addons_paths=own_registry.addons_paths)
    load_window_action = importlib.import_module("erplite.addons.web.ui.actions").load_window_action
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        action = env["ir.actions.act_window"].create(
            {
                "name": "Tags",
                "res_model": "test_security.tag",
                "binding_model_id": env["ir.model"]._get_id("test_security.tag"),
            }
        )
        action_id = action.id
    try:
        with other.cursor() as cr:
            check_access_signal(other, cr)
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert load_window_action(env, action_id).limit == 80
            bindings = env["ir.actions.actions"].get_bindings("test_security.tag")["action"]
            assert [b["name"] for b in bindings if b["id"] == action_id] == ["Tags"]
        with own_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.actions.act_window"].browse(action_id).write({"limit": 40, "name": "Labels"})
        with other.cursor() as cr:
            assert check_access_signal(other, cr)  # the cached answers are dropped
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert load_window_action(env, action_id).limit == 40
            bindings = env["ir.actions.actions"].get_bindings("test_security.tag")["action"]
            assert [b["name"] for b in bindings if b["id"] == action_id] == ["Labels"]
            assert load_window_action(env, action_id).views == [(False, "list"), (False, "form")]
        # the action's view lines are part of it (its ``views``)
        with own_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tree = env["ir.ui.view"].create(
                {"name": "tags", "model": "test_security.tag", "arch": "<tree/>", "type": "tree"}
            )
            line = env["ir.actions.act_window.view"].create(
                {"act_window_id": action_id, "view_mode": "tree", "view_id": tree.id}
            )
        with other.cursor() as cr:
            assert check_access_signal(other, cr)
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert load_window_action(env, action_id).views == [(tree.id, "list"), (False, "form")]
        with own_registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.actions.act_window.view"].browse(
                line.id
            ).write({"view_id": False})
        with other.cursor() as cr:
            assert check_access_signal(other, cr)
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert load_window_action(env, action_id).views == [(False, "list"), (False, "form")]
    finally:
        with own_registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.actions.act_window"].browse(
                action_id
            ).unlink()
