"""Access rights (``ir.model.access``): additive over groups, implied groups, rows without a
group, Odoo's refusal message, and a cache that follows every change."""

from __future__ import annotations

import pytest

from erplite import security
from erplite.exceptions import AccessError
from erplite.sql import SQL

DOC = "test_security.document"


def can(env, user, model, mode):
    return env[model].with_user(user).check_access_rights(mode, raise_exception=False)


def rights(env, user, model=DOC):
    return {mode for mode in ("read", "write", "create", "unlink") if can(env, user, model, mode)}


def test_no_matching_right_means_no_access(env, make_user):
    user = make_user()
    assert rights(env, user) == set()
    with pytest.raises(AccessError) as info:
        env[DOC].with_user(user).search([])
    message = str(info.value)
    assert message.startswith(
        "You are not allowed to access 'Secured Document' (test_security.document) records."
    )
    assert "This operation is allowed for the following groups:\n" in message
    assert "\t- Security tests / Editor" in message and "\t- Security tests / Reader" in message
    assert message.endswith("Contact your administrator to request access if necessary.")


@pytest.mark.parametrize(
    "mode,verb", [("write", "modify"), ("create", "create"), ("unlink", "delete")]
)
def test_refusal_wording_per_mode(env, make_user, mode, verb):
    user = make_user(groups=("base.group_user", "test_security.group_reader"))
    with pytest.raises(
        AccessError,
        match=f"^You are not allowed to {verb} 'Secured Document' "
        r"\(test_security.document\) records\.",
    ):
        env[DOC].with_user(user).check_access_rights(mode)


def test_no_group_allows_it_message(env, make_user):
    user = make_user(groups=("base.group_portal",))
    with pytest.raises(AccessError) as info:
        env["ir.model.access"].with_user(user).check_access_rights("unlink")
    assert "\t- Administration / Settings" in str(info.value)
    env["ir.model.access"].search(
        [("model_id.model", "=", "test_security.tag"), ("perm_unlink", "=", True)]
    ).write({"perm_unlink": False})
    with pytest.raises(AccessError, match="No group currently allows this operation."):
        env["test_security.tag"].with_user(user).check_access_rights("unlink")


def test_rights_add_up_over_groups(env, make_user):
    reader = make_user(groups=("base.group_user", "test_security.group_reader"))
    deleter = make_user(groups=("base.group_user", "test_security.group_deleter"))
    both = make_user(
        groups=("base.group_user", "test_security.group_reader", "test_security.group_deleter")
    )
    assert rights(env, reader) == {"read"}
    assert rights(env, deleter) == {"unlink"}
    assert rights(env, both) == {"read", "unlink"}


def test_implied_groups_grant_their_rights(env, make_user):
    manager = make_user(groups=("base.group_user", "test_security.group_manager"))
    # manager implies editor (read, write, create) and deleter (unlink)
    assert rights(env, manager) == {"read", "write", "create", "unlink"}
    assert can(env, manager, "test_security.restricted", "read")
    # implications are transitive: a group implying the manager group grants it all
    boss = env["res.groups"].create(
        {"name": "Boss", "implied_ids": [(4, env.ref("test_security.group_manager").id)]}
    )
    user = make_user(groups=("base.group_user",))
    user.write({"groups_id": [(4, boss.id)]})
    assert rights(env, user) == {"read", "write", "create", "unlink"}
    # as in Odoo, the user is given the implied groups explicitly
    assert env.ref("test_security.group_editor") in user.groups_id


def test_row_without_group_grants_everyone(env, make_user):
    for groups in (("base.group_user",), ("base.group_portal",), ("base.group_public",), ()):
        user = make_user(groups=groups)
        assert rights(env, user, "test_security.tag") >= {"read"}
    portal = make_user(groups=("base.group_portal",))
    assert rights(env, portal, "test_security.tag") == {"read"}


def test_inactive_right_grants_nothing(env, make_user):
    user = make_user(groups=("base.group_user", "test_security.group_reader"))
    assert can(env, user, DOC, "read")
    env.ref("test_security.access_document_reader").write({"active": False})
    assert not can(env, user, DOC, "read")


def test_superuser_and_sudo_bypass(env, make_user):
    user = make_user(groups=())
    assert env[DOC].check_access_rights("unlink")
    assert env[DOC].with_user(user).sudo().check_access_rights("unlink")
    assert not env[DOC].with_user(user).check_access_rights("unlink", raise_exception=False)


def test_invalid_mode_refused(env):
    with pytest.raises(ValueError):
        security.check_model_access(env(user=2), DOC, "drop")


# -- the cache follows every change ---------------------------------------------------------


def test_cache_follows_user_group_changes(env, make_user):
    user = make_user()
    assert not can(env, user, DOC, "read")
    user.write({"groups_id": [(4, env.ref("test_security.group_reader").id)]})
    assert can(env, user, DOC, "read")
    user.write({"groups_id": [(3, env.ref("test_security.group_reader").id)]})
    assert not can(env, user, DOC, "read")


def test_cache_follows_group_users_changes(env, make_user):
    user = make_user()
    reader = env.ref("test_security.group_reader")
    assert not can(env, user, DOC, "read")
    reader.write({"users": [(4, user.id)]})
    assert can(env, user, DOC, "read")
    reader.write({"users": [(3, user.id)]})
    assert not can(env, user, DOC, "read")


def test_cache_follows_implication_changes(env, make_user):
    user = make_user(groups=("base.group_user", "test_security.group_secret"))
    assert not can(env, user, DOC, "read")
    env.ref("test_security.group_secret").write(
        {"implied_ids": [(4, env.ref("test_security.group_reader").id)]}
    )
    assert can(env, user, DOC, "read")


def test_cache_follows_access_rows(env, make_user):
    user = make_user()
    assert not can(env, user, DOC, "read")
    access = env["ir.model.access"].create(
        {"name": "everyone reads", "model_id": env["ir.model"]._get_id(DOC), "perm_read": True}
    )
    assert can(env, user, DOC, "read")
    access.write({"perm_read": False, "perm_write": True})
    assert not can(env, user, DOC, "read") and can(env, user, DOC, "write")
    access.unlink()
    assert not can(env, user, DOC, "write")


def test_group_deletion_drops_its_rights(env, make_user):
    group = env["res.groups"].create({"name": "Temporary"})
    env["ir.model.access"].create(
        {
            "name": "tmp",
            "model_id": env["ir.model"]._get_id(DOC),
            "group_id": group.id,
            "perm_read": True,
        }
    )
    user = make_user(groups=("base.group_user",))
    user.write({"groups_id": [(4, group.id)]})
    assert can(env, user, DOC, "read")
    env["ir.model.access"].search([("group_id", "=", group.id)]).unlink()
    group.unlink()
    assert not can(env, user, DOC, "read")


def test_uncommitted_changes_do_not_leak_to_other_transactions(registry):
    """A transaction granting a right caches what it computes for itself only; meanwhile the
    others keep the committed answer, and once it rolls back nobody sees the grant."""
    from erplite import api

    cr1 = registry.cursor()
    try:
        env1 = api.Environment(cr1, 1, {})
        public = env1.ref("base.public_user")
        assert not env1[DOC].with_user(public).check_access_rights("read", raise_exception=False)
        env1.ref("test_security.group_reader").write({"users": [(4, public.id)]})
        assert env1[DOC].with_user(public).check_access_rights("read", raise_exception=False)
        with registry.cursor() as cr2:
            env2 = api.Environment(cr2, 1, {})
            assert (
                not env2[DOC]
                .with_user(public.id)
                .check_access_rights("read", raise_exception=False)
            )
        assert env1[DOC].with_user(public).check_access_rights("read", raise_exception=False)
    finally:
        cr1.rollback()
        cr1.close()
    with registry.cursor() as cr3:
        env3 = api.Environment(cr3, 1, {})
        public = env3.ref("base.public_user")
        assert not env3[DOC].with_user(public).check_access_rights("read", raise_exception=False)
        reader = env3.ref("test_security.group_reader").id
        assert reader not in security.user_group_ids(env3, public.id)


def test_access_signal_between_processes(registry, env):
    """A committed security change bumps the signal; another process's registry notices it
    and drops its cache."""
    from erplite import api

    with registry.cursor() as cr:
        security.check_access_signal(registry, cr)
        registry.access_cache[("marker",)] = True
        assert not security.check_access_signal(registry, cr)
        assert ("marker",) in registry.access_cache
        # another process commits a change and bumps the sequence
        cr.execute(SQL("SELECT nextval(%s)", security.SIGNAL_SEQUENCE))
        assert security.check_access_signal(registry, cr)
        assert ("marker",) not in registry.access_cache
    # our own commits bump it too, and know it
    with registry.cursor() as cr:
        before = registry.access_signal
        group = api.Environment(cr, 1, {})["res.groups"].create({"name": "Signalled"})
        group_id = group.id
    assert registry.access_signal > before
    with registry.cursor() as cr:
        assert not security.check_access_signal(registry, cr)
        api.Environment(cr, 1, {})["res.groups"].browse(group_id).unlink()
