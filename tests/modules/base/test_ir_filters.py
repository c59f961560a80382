"""``ir.filters``: a user's own and the shared filters (``get_filters``), Odoo 17's
``create_or_replace`` (same name replaces, one default per user, one shared default), the
record rules (others' private filters are invisible; shared ones are read-only), and
``get_views(load_filters=True)``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from erplite.exceptions import AccessError, UserError

DOC = "test_security.document"


def user_with(env: Any, *groups: str) -> Any:
    return env["res.users"].create(
        {
            "name": "Searcher",
            "login": f"search-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])],
        }
    )


def test_get_filters_gives_own_and_shared_filters_of_the_action(env):
    ann, bob = user_with(env, "test_security.group_reader"), user_with(env)
    action = env["ir.actions.act_window"].create({"name": "Docs", "res_model": DOC})
    Filters = env["ir.filters"]
    Filters.create(
        {"name": "Mine", "model_id": DOC, "user_id": ann.id, "domain": "[('value', '>', 1)]"}
    )
    Filters.create(
        {
            "name": "Shared",
            "model_id": DOC,
            "user_id": False,
            "context": "{'group_by': ['user_id']}",
        }
    )
    Filters.create({"name": "Bob's", "model_id": DOC, "user_id": bob.id})
    Filters.create(
        {"name": "Of the action", "model_id": DOC, "user_id": ann.id, "action_id": action.id}
    )
    Filters.create({"name": "Other model", "model_id": "res.partner", "user_id": ann.id})
    mine = Filters.with_user(ann).get_filters(DOC)
    assert sorted(f["name"] for f in mine) == ["Mine", "Shared"]
    assert sorted(f["name"] for f in Filters.with_user(ann).get_filters(DOC, action.id)) == [
        "Mine",
        "Of the action",
        "Shared",
    ]
    first = next(f for f in mine if f["name"] == "Mine")
    assert set(first) == {"id", "name", "is_default", "domain", "context", "user_id", "sort"}
    assert first["user_id"][0] == ann.id and first["sort"] == "[]"
    result = (
        env[DOC]
        .with_user(ann)
        .get_views([[False, "search"]], {"load_filters": True, "action_id": action.id})
    )
    assert sorted(f["name"] for f in result["views"]["search"]["filters"]) == [
        "Mine",
        "Of the action",
        "Shared",
    ]


def test_create_or_replace(env):
    ann = user_with(env)
    Filters = env["ir.filters"].with_user(ann)
    first = Filters.create_or_replace(
        {"name": "Big", "model_id": DOC, "domain": "[('value', '>', 10)]", "is_default": True}
    )
    assert first.user_id == ann and first.is_default
    same = Filters.create_or_replace(
        {"name": "BIG", "model_id": DOC, "domain": "[('value', '>', 20)]"}
    )
    assert same == first and first.domain == "[('value', '>', 20)]"
    other = Filters.create_or_replace({"name": "Small", "model_id": DOC, "is_default": True})
    assert other.is_default and not first.is_default
    env["ir.filters"].create_or_replace(
        {"name": "Shared", "model_id": DOC, "user_id": False, "is_default": True}
    )
    with pytest.raises(UserError, match="already a shared filter set as default"):
        env["ir.filters"].create_or_replace(
            {"name": "Shared 2", "model_id": DOC, "user_id": False, "is_default": True}
        )


def test_rules_keep_private_filters_private_and_shared_ones_read_only(env):
    ann, bob = user_with(env), user_with(env)
    private = env["ir.filters"].create({"name": "Ann's", "model_id": DOC, "user_id": ann.id})
    shared = env["ir.filters"].create({"name": "Team", "model_id": DOC, "user_id": False})
    assert env["ir.filters"].with_user(bob).search([("model_id", "=", DOC)]) == shared
    with pytest.raises(AccessError):
        private.with_user(bob).read(["name"])
    with pytest.raises(AccessError):
        shared.with_user(bob).write({"name": "Mine now"})
    with pytest.raises(AccessError):
        env["ir.filters"].with_user(bob).create({"name": "x", "model_id": DOC, "user_id": ann.id})
    private.with_user(ann).write({"name": "Ann's own"})
    admin = env.ref("base.user_admin")
    assert env["ir.filters"].with_user(admin).search([("model_id", "=", DOC)]) == private | shared
