"""``sudo()``, ``env.su``, ``with_user``, ``has_group``: only a superuser environment bypasses
the checks, and no context key changes that."""

from __future__ import annotations

import pytest

from erplite import SUPERUSER_ID
from erplite.exceptions import AccessError

DOC = "test_security.document"


def test_su_flags(env, make_user):
    user = make_user()
    assert env.su and env.uid == SUPERUSER_ID
    as_user = env[DOC].with_user(user)
    assert not as_user.env.su and as_user.env.uid == user.id
    assert as_user.sudo().env.su and as_user.sudo().env.uid == user.id
    assert not as_user.sudo().sudo(False).env.su
    # with_user from a superuser environment leaves superuser mode
    assert not env[DOC].sudo().with_user(user).env.su
    # with_user(superuser) is a superuser environment
    assert as_user.with_user(SUPERUSER_ID).env.su


def test_sudo_bypasses_rights_rules_and_field_groups(env, make_user):
    user = make_user(groups=())
    record = env[DOC].create({"name": "x", "secret": "s"})
    env["ir.rule"].create(
        {
            "name": "nothing",
            "model_id": env["ir.model"]._get_id(DOC),
            "domain_force": "[(0, '=', 1)]",
        }
    )
    with pytest.raises(AccessError):
        record.with_user(user).read(["name"])
    assert record.with_user(user).sudo().read(["name", "secret"])[0]["secret"] == "s"
    record.with_user(user).sudo().write({"secret": "t"})
    assert record.with_user(user).sudo().create({"name": "y"}).create_uid == user


@pytest.mark.parametrize(
    "context",
    [
        {"su": True},
        {"sudo": True},
        {"uid": SUPERUSER_ID},
        {"active_test": False},
        {"bypass_access": True},
        {"install_mode": True},
    ],
)
def test_no_context_key_disables_a_check(env, make_user, context):
    user = make_user(groups=())
    model = env[DOC].with_user(user).with_context(**context)
    assert not model.env.su
    with pytest.raises(AccessError):
        model.search([])
    with pytest.raises(AccessError):
        model.create({"name": "n"})


def test_has_group(env, make_user):
    manager = make_user(groups=("base.group_user", "test_security.group_manager"))
    plain = make_user()
    users = env["res.users"]
    assert manager.has_group("test_security.group_manager")
    assert manager.has_group("test_security.group_editor")  # implied
    assert not plain.has_group("test_security.group_editor")
    # on the model: the environment's user
    assert users.with_user(manager).has_group("test_security.group_deleter")
    assert not users.with_user(plain).has_group("test_security.group_deleter")
    assert not manager.has_group("test_security.no_such_group")
    with pytest.raises(ValueError):
        manager.has_group("group_user")
    assert manager._has_groups("base.group_portal,test_security.group_editor")
    assert not manager._has_groups("!test_security.group_editor")


def test_env_user_and_helpers(env, make_user):
    system = make_user(groups=("base.group_user", "base.group_system"))
    plain = make_user()
    assert env(user=system).is_system() and env(user=system).is_admin()
    assert not env(user=plain).is_system() and not env(user=plain).is_admin()
    assert env(user=plain).user == plain
    # the user type is stored as `share`, implied groups included
    assert not system.share and not plain.share
    portal = make_user(groups=("base.group_portal",))
    assert portal.share and portal._is_portal() and not portal._is_internal()


def test_check_access_rights_and_rule_are_public_api(env, make_user):
    reader = make_user(groups=("base.group_user", "test_security.group_reader"))
    doc = env[DOC].create({"name": "d"})
    as_reader = doc.with_user(reader)
    assert as_reader.check_access_rights("read")
    assert as_reader.check_access_rights("write", raise_exception=False) is False
    as_reader.check_access_rule("read")
    with pytest.raises(AccessError):
        as_reader.check_access("write")
