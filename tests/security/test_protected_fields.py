"""Protected fields (``_protected_fields``): outside ``env.su`` a write of one is refused, a
create may only give its default, an ``_inherit`` extension adds to the set, and the model's
own actions still change it (as superuser). Models of the fixture module ``test_orm``."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError
from erplite.orm import model_setup


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def Ticket(env, user):
    return env["test_orm.ticket"].with_user(user)


def test_the_set_is_merged_over_extensions_and_prototype_children(env):
    assert env["test_orm.ticket"]._protected_names == frozenset({"state", "approved_by"})
    assert env["test_orm.ticket.special"]._protected_names == frozenset({"state", "approved_by"})
    assert env["res.partner"]._protected_names == frozenset()


def test_writing_a_protected_field_is_refused_naming_field_and_model(env, Ticket):
    ticket = Ticket.create({"name": "T1"})
    with pytest.raises(AccessError) as info:
        ticket.write({"state": "closed", "priority": 3})
    message = str(info.value)
    assert "'State' (state)" in message and "(test_orm.ticket)" in message
    env.invalidate_all()
    assert ticket.state == "new" and ticket.priority == 0  # nothing of the write applied
    with pytest.raises(AccessError, match=r"\(approved_by\)"):
        ticket.write({"approved_by": "me"})
    # even the current value: a client writes the fields it changes
    with pytest.raises(AccessError):
        ticket.write({"state": "new"})
    ticket.write({"priority": 2})  # the other fields are plain fields
    assert ticket.priority == 2


def test_the_prototype_child_protects_them_too(Ticket, env, user):
    special = env["test_orm.ticket.special"].with_user(user).create({"name": "S"})
    with pytest.raises(AccessError, match=r"test_orm\.ticket\.special"):
        special.write({"state": "closed"})


def test_create_accepts_the_default_only(env, Ticket):
    assert Ticket.create({"name": "given the default", "state": "new"}).state == "new"
    with pytest.raises(AccessError, match=r"'State' \(state\).*other than its default"):
        Ticket.create([{"name": "ok"}, {"name": "skips ahead", "state": "closed"}])
    with pytest.raises(AccessError, match="approved_by"):
        Ticket.create({"name": "pre-approved", "approved_by": "me"})
    assert Ticket.create({"name": "empty", "approved_by": False}).approved_by is False
    assert not env["test_orm.ticket"].search([("name", "in", ["ok", "skips ahead"])])


def test_a_context_default_cannot_set_it_either(Ticket):
    with pytest.raises(AccessError, match=r"\(state\)"):
        Ticket.with_context(default_state="closed").create({"name": "by context"})
    ticket = Ticket.with_context(default_state="new").create({"name": "default by context"})
    assert ticket.state == "new"


def test_the_models_action_and_superuser_change_it(env, Ticket):
    ticket = Ticket.create({"name": "T2"})
    ticket.action_open()
    assert ticket.state == "open"
    ticket.sudo().write({"state": "closed", "approved_by": "admin"})
    assert (ticket.state, ticket.approved_by) == ("closed", "admin")
    created = env["test_orm.ticket"].create({"name": "T3", "state": "closed"})  # env is su
    assert created.state == "closed"


def test_the_action_still_checks_the_users_right_to_change_the_records(env, make_user):
    reader = make_user(groups=("base.group_public",))
    ticket = env["test_orm.ticket"].create({"name": "T4"})
    with pytest.raises(AccessError):
        ticket.with_user(reader).action_open()
    assert ticket.state == "new"


def test_no_extra_statement_for_a_write_or_create(env, Ticket, assert_query_count):
    ticket = Ticket.create({"name": "T5"})
    ticket.write({"priority": 3})  # the user's rights and rules are cached from now on
    Ticket.create({"name": "T5b", "state": "new"})
    env.flush_all()
    # the same statements as on a model without protected fields: the UPDATE only
    with assert_query_count(1):
        ticket.write({"priority": 4})
        env.flush_all()
    with assert_query_count(1):
        Ticket.create({"name": "T6", "state": "new"})


def test_a_declaration_naming_no_field_is_refused_at_setup(env):
    model_class = type(env["test_orm.ticket"])

    class Broken(model_class):
        _register = False  # a class of this test only, never one of a registry
        _protected_fields = ["no_such_field"]
        _module = "test_orm"

    with pytest.raises(TypeError, match=r"names 'no_such_field'.*not a field"):
        model_setup.setup_protected_fields(Broken)

    class AString(model_class):
        _register = False
        _protected_fields = "state"
        _module = "test_orm"

    with pytest.raises(TypeError, match="list of field names"):
        model_setup.setup_protected_fields(AString)
