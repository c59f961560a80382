"""The environment: its attributes, and derived environments sharing one transaction."""

from __future__ import annotations

import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import AccessError


def test_attributes(env, cr):
    assert env.cr is cr
    assert env.uid == SUPERUSER_ID
    assert env.su is True
    assert dict(env.context) == {}
    assert env.user == env["res.users"].browse(SUPERUSER_ID)
    assert env.user._name == "res.users"
    assert env.company == env.user.company_id
    assert env.company._name == "res.company"
    assert env.company in env.companies
    assert env.ref("base.user_admin")._name == "res.users"
    assert env.ref("base.main_company") == env.company
    assert env.ref("base.nonexistent", raise_if_not_found=False) is None
    with pytest.raises(ValueError):
        env.ref("base.nonexistent")
    assert "res.partner" in env
    with pytest.raises(KeyError):
        env["no.such.model"]


def test_context_is_immutable(env):
    derived = env["res.partner"].with_context(lang="fr_FR").env
    assert derived.context["lang"] == "fr_FR"
    with pytest.raises(TypeError):
        derived.context["lang"] = "en_US"


def test_derived_environments(env, internal_user):
    partner = env["res.partner"].create({"name": "Env"})
    as_user = partner.with_user(internal_user)
    assert as_user.env.uid == internal_user.id
    assert as_user.env.su is False
    assert as_user.env.user == internal_user
    assert as_user.sudo().env.su is True
    assert as_user.sudo().env.uid == internal_user.id
    assert as_user.sudo().sudo(False).env.su is False
    with_ctx = partner.with_context(a=1).with_context(b=2)
    assert dict(with_ctx.env.context) == {"a": 1, "b": 2}
    assert dict(partner.with_context({"c": 3}).env.context) == {"c": 3}
    company = env.company
    assert partner.with_company(company).env.company == company
    assert partner.with_company(company).env.context["allowed_company_ids"][0] == company.id
    other_env = api.Environment(env.cr, internal_user.id, {"x": 1})
    assert partner.with_env(other_env).env is other_env
    assert env(context={"y": 2}).context == {"y": 2}


def test_derived_environments_share_one_transaction_cache(env, internal_user, assert_query_count):
    partner = env["res.partner"].create({"name": "Shared"})
    env.flush_all()
    derived = [
        partner.sudo(),
        partner.with_user(internal_user),
        partner.with_context(lang="fr_FR"),
        partner.with_company(env.company),
    ]
    for record in derived:
        assert record.env.transaction is env.transaction
        assert record.env.cache is env.cache
    # the user's rights and rules known (a user's first read of a model asks for them once;
    # reading the shared cache as that user then needs the record rules' verdict, which the
    # cached company of the partner gives without a query: see erplite.orm.read_checks)
    env["res.partner"].with_user(internal_user).search([], limit=1)
    # a write in one environment is seen by the others without a query
    partner.with_context(foo=1).write({"name": "Changed"})
    with assert_query_count(0):
        assert [record.name for record in derived] == ["Changed"] * 4
    assert derived[1].sudo().name == "Changed"


def test_environment_equality(env, internal_user):
    assert env(context={}) == env
    assert env(user=internal_user.id) != env
    assert env(su=False).su is True  # the superuser's environments are always su, as in Odoo
    user_env = env(user=internal_user.id)
    assert user_env(su=True) != user_env
    assert user_env(su=True)(su=False) == user_env


def test_with_company_refuses_a_foreign_company(env, internal_user):
    company = env["res.company"].create({"name": "Elsewhere"})
    with pytest.raises(AccessError):
        env["res.partner"].with_user(internal_user).with_company(company)


def test_with_user_is_not_superuser(env):
    admin = env.ref("base.user_admin")
    record = env["res.partner"].with_user(admin)
    assert record.env.su is False
    assert record.env.uid == admin.id


def test_a_closed_cursor_frees_its_environments_without_the_collector(registry):
    """The transaction and its environments refer to each other; closing the cursor breaks
    that cycle, so a request's environments go as soon as the request is done."""
    import gc
    import weakref

    gc.disable()
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            derived = env(context={"lang": "en_US"})
            env["res.partner"].search([], limit=1)
            refs = [weakref.ref(env), weakref.ref(derived), weakref.ref(cr.transaction)]
            transaction = cr.transaction
        assert transaction.default_env is None
        del env, derived, transaction, cr
        assert [ref() for ref in refs] == [None, None, None]
    finally:
        gc.enable()
