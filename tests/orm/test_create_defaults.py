"""Default values at create: fields without a default stay empty at no cost, but a
``default_<name>`` context key and an overridden ``default_get`` still fill them (Odoo 17)."""

from __future__ import annotations

from erplite.sql import SQL


def test_context_default_of_a_field_without_default(env):
    line = (
        env["test_orm.line"]
        .with_context(default_value=7)
        .create({"base_id": env["test_orm.base"].create({"name": "B"}).id})
    )
    assert line.value == 7
    plain = env["test_orm.line"].create({"base_id": line.base_id.id})
    assert plain.value == 0
    env.flush_all()
    env.cr.execute(SQL("SELECT value FROM test_orm_line WHERE id = %s", plain.id))
    assert env.cr.fetchone() == (None,)


def test_overridden_default_get_fills_a_field_without_default(env):
    wizard = env["test_orm.wizard"].create({})
    assert wizard.name == "wizard"
    named = env["test_orm.wizard"].create({"name": "given"})
    assert named.name == "given"
