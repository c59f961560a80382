"""No escalation: without ``base.group_system`` nobody changes groups (their own included),
another user's login or password, nor creates users; one's own password needs the old one."""

from __future__ import annotations

import uuid

import pytest

from erplite.exceptions import AccessDenied, AccessError, UserError
from erplite.sql import SQL


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def user(make_user, throttle_cleanup):
    login = unique("eve")
    throttle_cleanup.append(login)
    return make_user(login=login, password="eve's password")


@pytest.fixture
def victim(make_user):
    return make_user(login=unique("victim"), password="victim's password")


def as_user(record, user):
    return record.with_user(user)


def test_cannot_change_own_groups(env, user):
    system = env.ref("base.group_system")
    with pytest.raises(AccessError):
        as_user(user, user).write({"groups_id": [(4, system.id)]})
    with pytest.raises(AccessError):
        as_user(system, user).write({"users": [(4, user.id)]})
    with pytest.raises(AccessError):
        as_user(env["res.groups"], user).create(
            {"name": "Mine", "implied_ids": [(4, system.id)], "users": [(4, user.id)]}
        )
    env.invalidate_all()
    assert not user.has_group("base.group_system")


def test_cannot_grant_itself_rights_or_rules(env, user):
    with pytest.raises(AccessError):
        as_user(env["ir.model.access"], user).create(
            {"name": "mine", "model_id": env["ir.model"]._get_id("res.users"), "perm_write": True}
        )
    rule = env["ir.rule"].search([], limit=1)
    with pytest.raises(AccessError):
        as_user(rule, user).write({"active": False})
    with pytest.raises(AccessError):
        as_user(rule, user).unlink()


def test_cannot_change_another_users_login_or_password(env, user, victim):
    for vals in (
        {"login": "hijacked"},
        {"password": "hijacked"},
        {"active": False},
        {"groups_id": [(5, 0, 0)]},
        {"company_ids": [(5, 0, 0)]},
        {"name": "Renamed"},
    ):
        with pytest.raises(AccessError):
            as_user(victim, user).write(vals)
    env.invalidate_all()
    assert env["res.users"].authenticate("db", victim.login, "victim's password") == victim.id


def test_cannot_create_users(env, user):
    with pytest.raises(AccessError):
        as_user(env["res.users"], user).create({"name": "Sock puppet", "login": unique("sock")})


def test_even_a_user_with_write_access_cannot_escalate(env, make_user):
    """A module granting write access on users to a group does not give away group changes."""
    env["ir.model.access"].create(
        {
            "name": "user writers",
            "model_id": env["ir.model"]._get_id("res.users"),
            "group_id": env.ref("test_security.group_manager").id,
            "perm_read": True,
            "perm_write": True,
            "perm_create": True,
        }
    )
    manager = make_user(groups=("base.group_user", "test_security.group_manager"))
    other = make_user()
    as_user(other, manager).write({"name": "Renamed"})  # allowed: a plain field
    with pytest.raises(AccessError, match="only administrators"):
        as_user(other, manager).write({"groups_id": [(4, env.ref("base.group_system").id)]})
    with pytest.raises(AccessError, match="only administrators"):
        as_user(other, manager).write({"login": "stolen"})
    with pytest.raises(AccessError, match="Only administrators"):
        as_user(env["res.users"], manager).create({"name": "x", "login": unique("x")})


def test_own_preferences_without_write_access(env, user):
    as_user(user, user).write(
        {"name": "Eve Renamed", "tz": "Europe/Brussels", "signature": "<p>e</p>"}
    )
    assert user.name == "Eve Renamed" and user.tz == "Europe/Brussels"
    # reading one's own harmless fields needs no access either
    public = env.ref("base.public_user")
    assert as_user(public, public).read(["login"])[0]["login"] == "public"


def test_own_password_needs_the_old_one(env, user):
    with pytest.raises(AccessError, match="change_password"):
        as_user(user, user).write({"password": "new"})
    users = env["res.users"].with_user(user)
    with pytest.raises(AccessDenied):
        users.change_password("not the old one", "new password")
    with pytest.raises(UserError):
        users.change_password("eve's password", "")
    assert users.change_password("eve's password", "new password")
    assert env["res.users"].authenticate("db", user.login, "new password") == user.id
    with pytest.raises(AccessDenied):
        env["res.users"].authenticate("db", user.login, "eve's password")


def test_system_users_manage_users(env, make_user, victim):
    admin = make_user(groups=("base.group_user", "base.group_system"))
    as_user(victim, admin).write(
        {
            "login": unique("moved"),
            "password": "reset by admin",
            "groups_id": [(4, env.ref("test_security.group_reader").id)],
        }
    )
    assert victim.has_group("test_security.group_reader")
    created = as_user(env["res.users"], admin).create({"name": "New", "login": unique("new")})
    assert created.has_group("base.group_user")
    env.flush_all()
    env.cr.execute(SQL("SELECT password FROM res_users WHERE id = %s", victim.id))
    assert env.cr.fetchone()[0].startswith("scrypt:")


def test_cannot_delete_or_deactivate_oneself(env, make_user):
    admin = make_user(groups=("base.group_user", "base.group_system"))
    with pytest.raises(UserError):
        as_user(admin, admin).write({"active": False})
    with pytest.raises(UserError):
        as_user(admin, admin).unlink()
    with pytest.raises(UserError):
        env.ref("base.user_root").unlink()
