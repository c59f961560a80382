"""Model kinds and inheritance, ``_inherits``, ``_order``, ``_rec_name``, ``_parent_store``,
magic fields and archiving."""

from __future__ import annotations

import datetime

import pytest

from erplite import models
from erplite.exceptions import UserError
from erplite.sql import SQL
from tests.orm.conftest import table_columns


def _tables(cr):
    cr.execute(SQL("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return {row[0] for row in cr.fetchall()}


# ---------------------------------------------------------------------------------------------
# kinds of models
# ---------------------------------------------------------------------------------------------


def test_model_abstract_and_transient(env, cr):
    tables = _tables(cr)
    assert "test_orm_animal" in tables
    assert "test_orm_wizard" in tables
    assert "test_orm_mixin_named" not in tables  # an AbstractModel has no table
    assert isinstance(env["test_orm.animal"], models.Model)
    assert isinstance(env["test_orm.mixin.named"], models.AbstractModel)
    assert isinstance(env["test_orm.wizard"], models.TransientModel)
    assert env["test_orm.wizard"]._transient is True
    assert env["test_orm.animal"]._transient is False
    assert env["test_orm.mixin.named"]._abstract is True


def test_transient_records_work_like_others(env):
    animal = env["test_orm.animal"].create({"name": "Rex"})
    wizard = env["test_orm.wizard"].create({"animal_id": animal.id})
    assert wizard.name == "wizard"  # the overridden default_get fills it
    assert wizard.animal_id == animal
    assert wizard.create_uid == env.user


def test_several_mixins(env, cr):
    record = env["test_orm.multi"].create({"name": "m", "extra": "e"})
    assert record.counter == 1  # the mixin's default
    assert set(table_columns(cr, "test_orm_multi")) >= {"name", "nickname", "counter", "extra"}
    # super() goes through every mixin, in Odoo's order (the first of _inherit first)
    assert record.describe() == ["counted:1", "named:m", "multi"]
    record.bump()
    assert record.counter == 2
    model_class = type(record)
    names = [getattr(klass, "_name", None) for klass in model_class.__mro__]
    assert names.index("test_orm.mixin.named") < names.index("test_orm.mixin.counted")


def test_magic_fields_on_a_concrete_model_inheriting_abstract_mixins(env, cr):
    """``_log_access`` follows the concrete model's own ``_auto``, not its abstract mixins':
    the magic fields and their columns exist, and create/write fill them."""
    Multi = env["test_orm.multi"]
    assert type(Multi)._log_access is True
    assert env["test_orm.mixin.named"]._log_access is False  # the mixin itself has none
    magic = {"create_uid", "create_date", "write_uid", "write_date"}
    assert magic <= set(Multi._fields)
    assert magic <= set(table_columns(cr, "test_orm_multi"))
    record = Multi.create({"name": "m"})
    assert record.create_uid == env.user and record.create_date
    record.write({"extra": "e"})
    env.flush_all()
    env.invalidate_all()
    assert record.write_uid == env.user and record.write_date >= record.create_date
    assert record.read(["create_uid"])[0]["create_uid"][0] == env.uid


def test_classical_extension_in_the_same_model(env, cr):
    animal = env["test_orm.animal"].create({"name": "Generic"})
    # the extension's field, default override and method override apply to the model
    assert animal.color == "brown"
    assert animal.legs == 3
    assert animal.speak() == ["animal:...", "extended"]
    assert "color" in table_columns(cr, "test_orm_animal")


def test_classical_extension_across_modules(env, cr):
    partner = env["res.partner"].create({"name": "Ext", "test_orm_nickname": "nick"})
    assert partner.test_orm_nickname == "nick"
    assert partner.test_orm_marker() == "test_orm"
    assert "test_orm_nickname" in table_columns(cr, "res_partner")
    # the base definition is still there, below the extension
    assert "complete_name" in partner._fields
    modules = [klass.__dict__.get("_module") for klass in type(partner).__mro__]
    assert modules.index("test_orm") < modules.index("base")


def test_prototype_inheritance(env, cr):
    dog = env["test_orm.dog"].create({"name": "Rex", "breed": "lab"})
    assert dog._table == "test_orm_dog"
    assert {"name", "sequence", "sound", "legs", "breed", "color"} <= set(
        table_columns(cr, "test_orm_dog")
    )
    assert "breed" not in env["test_orm.animal"]._fields
    assert dog.sound == "woof"  # its own default
    assert dog.color == "brown"  # an extension of the parent declared after the child applies
    assert dog.legs == 3
    assert dog.speak() == ["animal:woof", "extended", "dog"]
    assert not env["test_orm.animal"].search([("name", "=", "Rex")])


# ---------------------------------------------------------------------------------------------
# _inherits
# ---------------------------------------------------------------------------------------------


def test_inherits_create_read_write_search(env, cr):
    owner = env["test_orm.owner"].create({"name": "Ollie", "leash": "red", "sound": "hi"})
    animal = owner.animal_id
    assert animal and animal._name == "test_orm.animal"
    assert (animal.name, animal.sound) == ("Ollie", "hi")
    assert owner.name == "Ollie"
    assert owner.legs == 3  # the parent's default
    # the parent's fields are not columns of the child
    assert "name" not in table_columns(cr, "test_orm_owner")
    owner.write({"name": "Olga", "leash": "blue"})
    assert animal.name == "Olga"
    assert owner.leash == "blue"
    env.flush_all()
    env.invalidate_all()
    assert owner.read(["name", "leash", "animal_id"])[0]["name"] == "Olga"
    assert env["test_orm.owner"].search([("name", "=", "Olga")]) == owner
    assert env["test_orm.owner"].search([("sound", "=", "hi"), ("leash", "=", "blue")]) == owner
    assert not env["test_orm.owner"].search([("name", "=", "Ollie")])
    # ordering by an inherited field works too
    other = env["test_orm.owner"].create({"name": "Aaron"})
    found = env["test_orm.owner"].search([("id", "in", [owner.id, other.id])], order="name")
    assert found.ids == [other.id, owner.id]


def test_inherits_with_an_existing_parent(env):
    animal = env["test_orm.animal"].create({"name": "Shared"})
    owner = env["test_orm.owner"].create({"animal_id": animal.id, "leash": "x"})
    assert owner.name == "Shared"
    animal.name = "Renamed"
    assert owner.name == "Renamed"


def test_inherits_unlink_keeps_the_parent_and_cascades(env):
    owner = env["test_orm.owner"].create({"name": "Tmp"})
    animal = owner.animal_id
    owner.unlink()
    assert animal.exists()
    owner = env["test_orm.owner"].create({"name": "Tmp2"})
    animal = owner.animal_id
    animal.unlink()
    assert not owner.exists()


def test_inherits_res_users_res_partner(env):
    user = env["res.users"].create(
        {"name": "Delegated Dan", "login": "dan.delegated", "email": "dan@example.com"}
    )
    partner = user.partner_id
    assert partner.name == "Delegated Dan"
    assert partner.email == "dan@example.com"
    user.write({"name": "Daniel"})
    assert partner.name == "Daniel"
    assert env["res.users"].search([("name", "=", "Daniel")]) == user
    assert env["res.users"].search([("email", "=", "dan@example.com")]) == user


def test_an_inherited_name_is_the_rec_name(env):
    # res.users has no name of its own: its partner's, inherited, names it (as in Odoo)
    user = env["res.users"].create({"name": "Named Nora", "login": "nora.named"})
    assert env["res.users"]._rec_name == "name"
    assert user.display_name == "Named Nora"
    assert user.read(["display_name"])[0]["display_name"] == "Named Nora"


# ---------------------------------------------------------------------------------------------
# _order, _rec_name, display_name
# ---------------------------------------------------------------------------------------------


def test_order_is_the_default_search_order(env):
    model = env["test_orm.animal"]
    records = model.create(
        [
            {"name": "b", "sequence": 2},
            {"name": "a", "sequence": 1},
            {"name": "c", "sequence": 2},
        ]
    )
    found = model.search([("id", "in", records.ids)])
    # "sequence, name desc, id"
    assert found.mapped("name") == ["a", "c", "b"]
    assert model.search([("id", "in", records.ids)], order="name").mapped("name") == ["a", "b", "c"]


def test_rec_name_and_display_name(env):
    coded = env["test_orm.coded"].create({"code": "C-1", "label": "Label"})
    assert coded._rec_name == "code"
    assert coded.display_name == "C-1"
    assert env["test_orm.animal"]._rec_name == "name"
    assert env["test_orm.coded"].name_search("C-")[0] == (coded.id, "C-1")
    coded.code = "C-2"
    assert coded.display_name == "C-2"  # invalidated by its dependency
    wizard = env["test_orm.wizard"].create({"name": "w"})
    assert wizard.display_name == "w"


def test_display_name_without_rec_name(env):
    model = env["test_orm.comp.line"]
    assert model._rec_name is None
    line = model.create({"price": 1})
    assert line.display_name == f"test_orm.comp.line,{line.id}"


def test_order_of_coded(env):
    records = env["test_orm.coded"].create(
        [
            {"code": "b", "priority": 1},
            {"code": "a", "priority": 1},
            {"code": "z", "priority": 5},
        ]
    )
    assert env["test_orm.coded"].search([("id", "in", records.ids)]).mapped("code") == [
        "z",
        "a",
        "b",
    ]


# ---------------------------------------------------------------------------------------------
# _parent_store
# ---------------------------------------------------------------------------------------------


def _tree(env):
    Category = env["test_orm.category"]
    root = Category.create({"name": "root"})
    child = Category.create({"name": "child", "parent_id": root.id})
    leaf = Category.create({"name": "leaf", "parent_id": child.id})
    other = Category.create({"name": "other"})
    return root, child, leaf, other


def test_parent_path_is_maintained(env):
    root, child, leaf, other = _tree(env)
    assert root.parent_path == f"{root.id}/"
    assert child.parent_path == f"{root.id}/{child.id}/"
    assert leaf.parent_path == f"{root.id}/{child.id}/{leaf.id}/"
    # moving a subtree updates the paths of every descendant
    child.write({"parent_id": other.id})
    env.flush_all()
    env.invalidate_all()
    assert child.parent_path == f"{other.id}/{child.id}/"
    assert leaf.parent_path == f"{other.id}/{child.id}/{leaf.id}/"
    child.parent_id = False
    env.invalidate_all()
    assert leaf.parent_path == f"{child.id}/{leaf.id}/"


def test_parent_store_refuses_cycles(env):
    root, child, leaf, _other = _tree(env)
    with pytest.raises(UserError, match="Recursion"):
        with env.cr.savepoint():
            root.write({"parent_id": leaf.id})
    with pytest.raises(UserError, match="Recursion"):
        with env.cr.savepoint():
            child.write({"parent_id": child.id})
    env.invalidate_all()
    assert root.parent_path == f"{root.id}/"


def test_parent_path_batch_create(env):
    root = env["test_orm.category"].create({"name": "r"})
    children = env["test_orm.category"].create(
        [{"name": f"c{i}", "parent_id": root.id} for i in range(3)]
    )
    assert [c.parent_path for c in children] == [f"{root.id}/{c.id}/" for c in children]


def test_child_of_parent_of_with_parent_store(env):
    root, child, leaf, other = _tree(env)
    Category = env["test_orm.category"]
    assert Category.search([("id", "child_of", root.id)]) == root | child | leaf
    assert Category.search([("id", "parent_of", leaf.id)]) == root | child | leaf
    assert Category.search([("id", "child_of", [child.id, other.id])]) == child | leaf | other


# ---------------------------------------------------------------------------------------------
# magic fields
# ---------------------------------------------------------------------------------------------


def test_magic_fields(env, internal_user):
    before = datetime.datetime.utcnow().replace(microsecond=0) - datetime.timedelta(seconds=5)
    animal = env["test_orm.animal"].create({"name": "magic"})
    assert animal.create_uid == env.user
    assert animal.write_uid == env.user
    assert isinstance(animal.create_date, datetime.datetime)
    assert animal.create_date >= before
    assert animal.create_date.tzinfo is None
    assert animal.write_date == animal.create_date
    animal.with_user(internal_user).write({"name": "changed"})
    assert animal.write_uid == internal_user
    assert animal.create_uid == env.user
    env.flush_all()
    env.cr.execute(
        SQL("SELECT create_uid, write_uid FROM test_orm_animal WHERE id = %s", animal.id)
    )
    assert env.cr.fetchone() == (env.uid, internal_user.id)
    assert animal.display_name == "changed"
    for name in ("id", "create_uid", "create_date", "write_uid", "write_date", "display_name"):
        assert name in animal._fields


def test_magic_fields_are_not_writable_by_copy(env):
    animal = env["test_orm.animal"].create({"name": "orig"})
    copy = animal.copy()
    assert copy.create_date is not False
    assert copy.id != animal.id
    assert copy.name == "orig"


# ---------------------------------------------------------------------------------------------
# active and archiving
# ---------------------------------------------------------------------------------------------


def test_archiving(env):
    Archivable = env["test_orm.archivable"]
    records = Archivable.create([{"name": "on"}, {"name": "off"}])
    on, off = records
    assert records.mapped("active") == [True, True]
    off.action_archive()
    assert off.active is False
    assert Archivable.search([("id", "in", records.ids)]) == on
    assert Archivable.with_context(active_test=False).search([("id", "in", records.ids)]) == records
    assert Archivable.search([("id", "in", records.ids), ("active", "=", False)]) == off
    assert (
        Archivable.search([("id", "in", records.ids), ("active", "in", [True, False])]) == records
    )
    assert Archivable.search_count([("id", "in", records.ids)]) == 1
    off.action_unarchive()
    assert off.active is True
    assert Archivable.search([("id", "in", records.ids)]) == records


def test_archived_records_stay_readable_by_browse(env):
    record = env["test_orm.archivable"].create({"name": "x", "active": False})
    env.invalidate_all()
    assert record.name == "x"
    assert record.exists()


def test_inherits_copy_duplicates_the_parent(env):
    owner = env["test_orm.owner"].create({"name": "Rex", "leash": "l"})
    copy = owner.copy()
    assert copy.animal_id != owner.animal_id
    assert (copy.name, copy.leash) == ("Rex", "l")


def test_stored_compute_on_an_inherited_field_follows_the_parent(env):
    owner = env["test_orm.owner"].create({"name": "Rex", "leash": "l"})
    assert owner.label == "Rex/l"
    owner.animal_id.name = "Max"
    assert owner.label == "Max/l"
    owner.name = "Bob"
    assert owner.label == "Bob/l"
    env.flush_all()
    env.cr.execute(SQL("SELECT label FROM test_orm_owner WHERE id = %s", owner.id))
    assert env.cr.fetchone()[0] == "Bob/l"


def test_transient_vacuum(env):
    Wizard = env["test_orm.wizard"]
    old, fresh = Wizard.create([{"name": "old"}, {"name": "fresh"}])
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE test_orm_wizard SET write_date = write_date - interval '2 hours' WHERE id = %s",
            old.id,
        )
    )
    env.invalidate_all()
    Wizard._transient_vacuum()
    assert not old.exists()
    assert fresh.exists()
