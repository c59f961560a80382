"""A module's tests, as its author writes them with the erplite pytest plugin."""

import pytest

from erplite import Registry
from erplite.exceptions import AccessError, ValidationError


def test_data_and_demo_data_are_loaded(env):
    note = env.ref("library_notes.note_welcome")
    assert note.partner_id == env.ref("base.main_partner")
    assert note.words == 3
    assert note.reference.startswith("NOTE/")
    assert env.ref("library_notes.note_demo").words == 4  # erplite_demo = true


def test_words_are_recomputed_in_one_update(env, assert_query_count):
    note = env["library.note"].create({"name": "Draft", "body": "one two"})
    env.flush_all()
    with assert_query_count(1):  # one UPDATE writes body and words together
        note.body = "one two three four"
        env.flush_all()
    assert note.words == 4


def test_access_rights_and_constraints(env):
    user = env["res.users"].create(
        {
            "name": "Uma",
            "login": "uma",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )
    note = env["library.note"].with_user(user).create({"name": "Mine"})
    with pytest.raises(AccessError):
        note.unlink()  # deleting is for managers
    with pytest.raises(ValidationError, match="A note needs a name"):
        note.write({"name": "  "})


def test_each_test_starts_from_the_installed_database(env):
    assert env["res.users"].search_count([("login", "=", "uma")]) == 0  # rolled back
    with pytest.raises(RuntimeError, match="cannot commit"):
        env.cr.commit()


def test_upgrade_keeps_the_notes(clone_database, erplite_addons_paths):
    dsn = clone_database()  # a copy of the installed database, free to commit
    registry = Registry.new(dsn, update=("library_notes",), addons_paths=erplite_addons_paths)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM library_note")
        assert cr.fetchone()[0] == 2
