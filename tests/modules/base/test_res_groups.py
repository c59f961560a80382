"""``res.groups``: implied groups list the users of the groups implying them (``B.users``),
as Odoo 17 adds them when an implication or a membership is written."""

from __future__ import annotations


def _user(env, login, groups=()):
    return env["res.users"].create(
        {"name": login.title(), "login": login, "groups_id": [(6, 0, [g.id for g in groups])]}
    )


def test_implied_groups_list_the_users_of_the_groups_implying_them(env):
    Groups = env["res.groups"]
    reader = Groups.create({"name": "Implied reader"})
    viewer = Groups.create({"name": "Implied viewer"})
    editor = Groups.create({"name": "Implying editor", "implied_ids": [(4, reader.id)]})
    # a user created in the implying group
    ada = _user(env, "ada.implied", [editor])
    assert ada in reader.users and reader in ada.groups_id
    # a membership written on the implying group
    bob = _user(env, "bob.implied")
    editor.write({"users": [(4, bob.id)]})
    assert bob in reader.users
    # a membership written on the user
    cyd = _user(env, "cyd.implied")
    cyd.write({"groups_id": [(4, editor.id)]})
    assert cyd in reader.users
    # an implication written later, followed transitively (editor -> reader -> viewer)
    reader.write({"implied_ids": [(4, viewer.id)]})
    assert {ada, bob, cyd} <= set(viewer.users)
    # a group created with its users and its implied groups at once
    dan = _user(env, "dan.implied")
    manager = Groups.create(
        {"name": "Implying manager", "implied_ids": [(4, editor.id)], "users": [(4, dan.id)]}
    )
    assert dan in manager.users and dan in editor.users and dan in viewer.users
    env.flush_all()
    env.cr.execute("SELECT uid FROM res_groups_users_rel WHERE gid = %s ORDER BY uid", [viewer.id])
    assert {row[0] for row in env.cr.fetchall()} >= {ada.id, bob.id, cyd.id, dan.id}
