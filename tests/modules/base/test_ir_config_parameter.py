"""``ir.config_parameter``: defaults of a new database, get/set, administrators only, the
protected keys, and the cached ``database.secret`` behind session tokens."""

from __future__ import annotations

import re

import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import AccessError, ValidationError

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_a_new_database_has_the_default_parameters(env):
    Param = env["ir.config_parameter"]
    assert UUID.match(Param.get_param("database.secret"))
    assert UUID.match(Param.get_param("database.uuid"))
    assert Param.get_param("database.secret") != Param.get_param("database.uuid")
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", Param.get_param("database.create_date"))
    assert Param.get_param("web.base.url") == "http://localhost:8069"


def test_get_and_set(env):
    Param = env["ir.config_parameter"]
    assert Param.get_param("test.key") is False
    assert Param.get_param("test.key", "fallback") == "fallback"
    assert Param.set_param("test.key", 42) is False  # no previous value
    assert Param.get_param("test.key") == "42"  # values are strings
    assert Param.set_param("test.key", "43") == "42"
    assert Param.set_param("test.key", False) == "43"  # False deletes
    assert Param.search_count([("key", "=", "test.key")]) == 0


def test_only_administrators_read_and_write_parameters(env, internal_user):
    as_user = env["ir.config_parameter"].with_user(internal_user)
    with pytest.raises(AccessError):
        as_user.get_param("web.base.url")
    with pytest.raises(AccessError):
        as_user.set_param("test.key", "x")
    # code acting for the user reads through sudo(), as in Odoo
    assert as_user.sudo().get_param("web.base.url") == "http://localhost:8069"
    admin = env.ref("base.user_admin")
    assert (
        env["ir.config_parameter"].with_user(admin).get_param("web.base.url")
        == "http://localhost:8069"
    )


def test_default_parameters_cannot_be_renamed_or_deleted(env):
    secret = env["ir.config_parameter"].search([("key", "=", "database.secret")])
    with pytest.raises(
        ValidationError, match="You cannot rename config parameters with keys database.secret"
    ):
        secret.write({"key": "database.other"})
    with pytest.raises(ValidationError, match="You cannot delete the database.secret record"):
        secret.unlink()
    with pytest.raises(ValidationError):
        env["ir.config_parameter"].set_param("database.uuid", False)


def test_secret_is_cached_and_follows_committed_changes(own_registry):
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        original = env["ir.config_parameter"]._get_secret()
        token = env.ref("base.user_admin")._compute_session_token("sid")
    # read from memory now: no query
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        before = cr.sql_count
        assert env["ir.config_parameter"]._get_secret() == original
        assert cr.sql_count == before
    # a change seen at once by its own transaction, forgotten if rolled back
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("database.secret", "rotated")
        assert env["ir.config_parameter"]._get_secret() == "rotated"
        cr.rollback()
        assert env["ir.config_parameter"]._get_secret() == original
    # committed: every later transaction uses the new secret, and session tokens change
    with own_registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param(
            "database.secret", "rotated"
        )
    with own_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        assert env["ir.config_parameter"]._get_secret() == "rotated"
        assert env.ref("base.user_admin")._compute_session_token("sid") != token
