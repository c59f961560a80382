"""Recordset methods of the contract, the recordset protocol, and the x2many Command API."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import AccessError, MissingError
from erplite.sql import SQL

FIELDS = "test_orm.fields"
TAG = "test_orm.fields.tag"


@pytest.fixture
def tags(env):
    return env[TAG].create([{"name": name, "color": index} for index, name in enumerate("abcde")])


# ---------------------------------------------------------------------------------------------
# the recordset protocol
# ---------------------------------------------------------------------------------------------


def test_protocol(env, tags):
    a, b, c, d, e = tags
    assert len(tags) == 5
    assert bool(tags) and not env[TAG]
    assert [t.name for t in tags] == list("abcde")
    assert a in tags and env[TAG] not in tags
    assert "name" in tags  # a field name
    with pytest.raises(TypeError):
        env[FIELDS] in tags  # noqa: B015
    assert (a | b | a) == a + b
    assert (a | b | a).ids == [a.id, b.id]
    assert (a + a).ids == [a.id, a.id]
    assert ((a | b | c) & (b | c | d)).ids == [b.id, c.id]
    assert ((a | b | c) - b).ids == [a.id, c.id]
    assert (a | b) == (b | a)
    assert (a | b) != (a | c)
    assert tags[0] == a
    assert tags[-1] == e
    assert tags[1:3].ids == [b.id, c.id]
    assert tags[::-1].ids == list(reversed(tags.ids))
    assert list(reversed(tags)) == list(tags[::-1])
    assert tags.ids == [t.id for t in tags]
    assert a.id == a.ids[0]
    assert a < (a | b) and (a | b) > a and a <= a and a >= a
    assert hash(a | b) == hash(b | a)
    assert repr(a) == f"test_orm.fields.tag({a.id},)"
    with pytest.raises(TypeError):
        a | env[FIELDS]


def test_ensure_one(env, tags):
    assert tags[0].ensure_one() == tags[0]
    with pytest.raises(ValueError, match="Expected singleton"):
        tags.ensure_one()
    with pytest.raises(ValueError, match="Expected singleton"):
        env[TAG].ensure_one()
    with pytest.raises(ValueError, match="Expected singleton"):
        tags.name  # noqa: B018


def test_browse_and_exists(env, tags):
    Tag = env[TAG]
    assert Tag.browse(tags[0].id) == tags[0]
    assert Tag.browse(tags.ids) == tags
    assert Tag.browse() == Tag.browse([]) == Tag.browse(False)
    assert not Tag.browse()
    gone = tags[0]
    gone.unlink()
    assert not gone.exists()
    assert (tags - gone).exists() == tags - gone
    assert Tag.browse([gone.id, tags[1].id]).exists() == tags[1]
    with pytest.raises(MissingError):
        Tag.browse(gone.id).name  # noqa: B018


def test_read_of_deleted_records_returns_nothing_for_them(env, tags):
    """As Odoo 17: ``read()`` leaves out the records that no longer exist (``[]`` when all
    are gone), whatever the fields asked; ``exists()`` and a field of a deleted record
    behave as before (``MissingError``)."""
    Tag = env[TAG]
    gone, kept = tags[0], tags[1]
    gone_id = gone.id
    gone.unlink()
    env.flush_all()
    env.invalidate_all()
    both = Tag.browse([gone_id, kept.id])
    assert both.read(["name"]) == [{"id": kept.id, "name": kept.name}]
    env.invalidate_all()
    assert [row["id"] for row in both.read()] == [kept.id]
    env.invalidate_all()
    assert both.read(["display_name"]) == [{"id": kept.id, "display_name": kept.name}]
    env.invalidate_all()
    assert both.read(["id"]) == [{"id": kept.id}]
    assert Tag.browse(gone_id).read(["name"]) == []
    assert Tag.browse(gone_id).read(["id"]) == []
    assert both.exists() == kept
    with pytest.raises(MissingError):
        Tag.browse(gone_id).name  # noqa: B018


# ---------------------------------------------------------------------------------------------
# CRUD
# ---------------------------------------------------------------------------------------------


def test_create_write_unlink(env):
    Tag = env[TAG]
    one = Tag.create({"name": "one"})
    assert len(one) == 1 and one.name == "one"
    several = Tag.create([{"name": "x"}, {"name": "y"}])
    assert len(several) == 2 and several.mapped("name") == ["x", "y"]
    assert Tag.create([]) == Tag
    assert several.write({"color": 7}) is True
    assert several.mapped("color") == [7, 7]
    assert Tag.browse().write({"color": 1}) is True
    assert several.unlink() is True
    assert not several.exists()
    env.flush_all()
    env.cr.execute(SQL("SELECT count(*) FROM test_orm_fields_tag WHERE id = ANY(%s)", several.ids))
    assert env.cr.fetchone()[0] == 0


def test_read_and_search_read(env, tags):
    target = env["test_orm.target"].create({"name": "T"})
    record = env[FIELDS].create(
        {"name": "r", "target_id": target.id, "tag_ids": [(6, 0, tags[:2].ids)]}
    )
    assert record.read(["name", "target_id"]) == [
        {"id": record.id, "name": "r", "target_id": (target.id, "T")}
    ]
    rows = env[FIELDS].search_read([("id", "=", record.id)], ["name", "tag_ids", "target_id"])
    assert rows == [
        {"id": record.id, "name": "r", "tag_ids": tags[:2].ids, "target_id": (target.id, "T")}
    ]
    rows = env[TAG].search_read(
        [("id", "in", tags.ids)], ["name"], offset=1, limit=2, order="name desc"
    )
    assert [row["name"] for row in rows] == ["d", "c"]
    assert env[TAG].search_read([("id", "=", 0)], ["name"]) == []


def test_search_and_search_count(env, tags):
    Tag = env[TAG]
    scope = [("id", "in", tags.ids)]
    assert Tag.search(scope) == tags
    assert Tag.search(scope, order="color desc").mapped("name") == list("edcba")
    assert Tag.search(scope, limit=2).mapped("name") == ["a", "b"]
    assert Tag.search(scope, offset=3).mapped("name") == ["d", "e"]
    assert Tag.search_count(scope) == 5
    assert Tag.search_count(scope, limit=3) == 3
    assert Tag.search(scope, count=True) == 5
    assert Tag.search([("id", "in", [])]) == Tag


def test_search_count_with_limit_counts_without_ordering(env, tags, assert_query_count):
    """Which rows a limit keeps does not change how many: the counting subquery has no
    ORDER BY (the model's order or the id), only the LIMIT and OFFSET."""
    Tag = env[TAG]
    scope = [("id", "in", tags.ids)]
    env.flush_all()
    with assert_query_count(1) as statements:
        assert Tag.search_count(scope, limit=3) == 3
    text = (
        statements[0].as_string(None) if hasattr(statements[0], "as_string") else str(statements[0])
    )
    assert text.startswith("SELECT COUNT(*) FROM (SELECT ")
    assert "ORDER BY" not in text and "LIMIT" in text
    assert Tag.search_count(scope, limit=10) == 5
    assert Tag.search_count(scope, limit=0) == 0


def test_copy_resets_state_unless_copy_true(env):
    """As Odoo 17 (fields' ``_get_attrs``): a field named ``state`` is not copied unless it
    says ``copy=True``, so a copied document comes back in its default state."""
    record = env[FIELDS].create({"name": "confirmed", "state": "done"})
    assert record._fields["state"].copy is False
    duplicate = record.copy()
    assert (duplicate.name, duplicate.state) == ("confirmed", "draft")
    assert "state" not in record.copy_data()[0]
    line = env["test_orm.fields.line"].create({"name": "l", "state": "closed"})
    assert line._fields["state"].copy is True
    assert line.copy().state == "closed"


def test_copy(env, tags):
    target = env["test_orm.target"].create({"name": "T"})
    record = env[FIELDS].create(
        {
            "name": "orig",
            "count": 3,
            "target_id": target.id,
            "tag_ids": [(6, 0, tags[:2].ids)],
            "line_ids": [(0, 0, {"name": "line"})],
        }
    )
    copy = record.copy({"name": "copy"})
    assert copy != record
    assert copy.name == "copy"
    assert copy.count == 3
    assert copy.target_id == target
    assert copy.tag_ids == tags[:2]  # many2many links are copied
    assert not copy.line_ids  # one2many lines are not (copy=False by default)
    assert record.line_ids.name == "line"
    with pytest.raises(ValueError, match="Expected singleton"):
        (record | copy).copy()


def test_name_search_and_name_create(env, tags):
    Tag = env[TAG]
    assert Tag.name_search("c", [("id", "in", tags.ids)]) == [(tags[2].id, "c")]
    assert Tag.name_search("", [("id", "in", tags.ids)], limit=2) == [
        (tags[0].id, "a"),
        (tags[1].id, "b"),
    ]
    assert Tag.name_search("c", [("id", "in", tags.ids)], operator="!=") == [
        (t.id, t.name) for t in tags if t.name != "c"
    ]
    new_id, name = Tag.name_create("fresh")
    assert name == "fresh" and Tag.browse(new_id).name == "fresh"


def test_default_get_and_fields_get(env):
    assert env[FIELDS].default_get(["greeting", "name"]) == {"greeting": "hello"}
    description = env[TAG].fields_get(["name", "color"], ["type"])
    assert description == {"name": {"type": "char"}, "color": {"type": "integer"}}


# ---------------------------------------------------------------------------------------------
# functional helpers
# ---------------------------------------------------------------------------------------------


def test_mapped(env, tags):
    record = env[FIELDS].create(
        {
            "name": "m",
            "tag_ids": [(6, 0, tags[:3].ids)],
            "line_ids": [(0, 0, {"name": "l1", "tag_ids": [(6, 0, tags[3:].ids)]})],
        }
    )
    assert tags.mapped("name") == list("abcde")
    assert tags.mapped(lambda t: t.color * 2) == [0, 2, 4, 6, 8]
    assert record.mapped("tag_ids") == tags[:3]
    assert record.mapped("line_ids.tag_ids") == tags[3:]
    assert record.mapped("line_ids.tag_ids.name") == ["d", "e"]
    assert env[FIELDS].mapped("tag_ids") == env[TAG]
    assert env[FIELDS].mapped("name") == []
    assert tags.mapped(lambda t: t) == tags


def test_filtered_and_filtered_domain(env, tags):
    assert tags.filtered(lambda t: t.color % 2 == 0).mapped("name") == ["a", "c", "e"]
    assert tags.filtered("color").mapped("name") == list("bcde")
    assert tags.filtered_domain([("color", ">=", 3)]).mapped("name") == ["d", "e"]
    assert tags.filtered_domain(["|", ("name", "=", "a"), ("name", "=", "e")]).mapped("name") == [
        "a",
        "e",
    ]


def test_sorted(env, tags):
    shuffled = tags.browse([tags[3].id, tags[0].id, tags[4].id, tags[1].id, tags[2].id])
    assert shuffled.sorted().mapped("name") == list("abcde")  # _order = "name"
    assert shuffled.sorted(reverse=True).mapped("name") == list("edcba")
    assert shuffled.sorted("color").mapped("name") == list("abcde")
    assert shuffled.sorted("color desc").mapped("name") == list("edcba")
    assert shuffled.sorted(key=lambda t: -t.color).mapped("name") == list("edcba")
    assert shuffled.sorted("name", reverse=True).mapped("name") == list("edcba")


def test_grouped(env, tags):
    groups = tags.grouped(lambda t: t.color % 2)
    assert set(groups) == {0, 1}
    assert groups[0].mapped("name") == ["a", "c", "e"]
    assert groups[1].mapped("name") == ["b", "d"]
    by_name = tags.grouped("name")
    assert by_name["c"] == tags[2]


# ---------------------------------------------------------------------------------------------
# environments
# ---------------------------------------------------------------------------------------------


def test_environment_switches(env, tags, internal_user):
    as_user = tags.with_user(internal_user)
    assert as_user.env.uid == internal_user.id and as_user.ids == tags.ids
    assert as_user.sudo().env.su
    assert tags.with_context(x=1).env.context["x"] == 1
    assert tags.with_company(env.company).env.company == env.company
    assert tags.with_env(as_user.env).env is as_user.env


# ---------------------------------------------------------------------------------------------
# flush and invalidate
# ---------------------------------------------------------------------------------------------


def _db_value(env, record, column):
    env.cr.execute(
        SQL(
            "SELECT %s FROM %s WHERE id = %s",
            SQL.identifier(column),
            SQL.identifier(record._table),
            record.id,
        ),
        flush=False,
    )
    return env.cr.fetchone()[0]


def test_flush_model_and_recordset(env, tags):
    tags.flush_model()
    tags[0].write({"color": 42})
    assert _db_value(env, tags[0], "color") == 0  # still pending
    tags[0].flush_recordset(["color"])
    assert _db_value(env, tags[0], "color") == 42
    tags[1].write({"color": 43})
    env[TAG].flush_model(["color"])
    assert _db_value(env, tags[1], "color") == 43


def test_invalidate(env, tags, assert_query_count):
    tags.flush_model()
    env.cr.execute(SQL("UPDATE test_orm_fields_tag SET color = 99 WHERE id = %s", tags[0].id))
    assert tags[0].color == 0  # the cache does not know
    tags[0].invalidate_recordset(["color"])
    assert tags[0].color == 99
    env.cr.execute(SQL("UPDATE test_orm_fields_tag SET color = 98 WHERE id = %s", tags[1].id))
    env[TAG].invalidate_model()
    with assert_query_count(1):
        assert tags[1].color == 98
        assert tags[2].color == 2


# ---------------------------------------------------------------------------------------------
# access checks and archiving
# ---------------------------------------------------------------------------------------------


def test_check_access_rights_and_rule(env, internal_user):
    Tag = env[TAG]
    assert Tag.check_access_rights("read") is True
    assert Tag.with_user(internal_user).check_access_rights("unlink") is True
    Model = env["ir.model.data"].with_user(internal_user)
    assert Model.check_access_rights("unlink", raise_exception=False) is False
    with pytest.raises(AccessError):
        Model.check_access_rights("unlink")
    tag = Tag.create({"name": "ruled"})
    assert tag.with_user(internal_user).check_access_rule("write") is None


def test_action_archive_unarchive(env):
    records = env["test_orm.archivable"].create([{"name": "a"}, {"name": "b", "active": False}])
    records.action_archive()
    assert records.mapped("active") == [False, False]
    records.action_unarchive()
    assert records.mapped("active") == [True, True]


# ---------------------------------------------------------------------------------------------
# x2many commands
# ---------------------------------------------------------------------------------------------


def test_many2many_commands(env, tags):
    a, b, c, d, e = tags
    record = env[FIELDS].create({"tag_ids": [Command.set([a.id, b.id])]})
    assert record.tag_ids == a | b
    record.write({"tag_ids": [Command.link(c.id)]})
    assert record.tag_ids == a | b | c
    record.write({"tag_ids": [Command.unlink(a.id)]})
    assert record.tag_ids == b | c
    assert a.exists()  # unlink only removes the link
    record.write({"tag_ids": [Command.create({"name": "new"})]})
    new = record.tag_ids - b - c
    assert new.name == "new"
    record.write({"tag_ids": [Command.update(b.id, {"color": 77})]})
    assert b.color == 77
    record.write({"tag_ids": [Command.delete(c.id)]})
    assert not c.exists()
    assert record.tag_ids == b | new
    record.write({"tag_ids": [Command.clear()]})
    assert not record.tag_ids
    # raw triplets and a list of ids
    record.write({"tag_ids": [(6, 0, [d.id]), (4, e.id, 0), (4, a.id)]})
    assert record.tag_ids == d | e | a
    record.write({"tag_ids": [(3, d.id, 0), (5, 0, 0), (4, b.id, 0)]})
    assert record.tag_ids == b
    record.write({"tag_ids": [a.id, e.id]})
    assert record.tag_ids == a | e
    record.write({"tag_ids": b | d})
    assert record.tag_ids == b | d
    env.flush_all()
    env.invalidate_all()
    assert record.tag_ids == b | d


def test_one2many_commands(env):
    Line = env["test_orm.fields.line"]
    record = env[FIELDS].create(
        {
            "line_ids": [
                Command.create({"name": "l1", "sequence": 1}),
                (0, 0, {"name": "l2", "sequence": 2}),
            ]
        }
    )
    l1, l2 = record.line_ids.sorted("sequence")
    assert (l1.name, l2.name) == ("l1", "l2")
    record.write({"line_ids": [Command.update(l1.id, {"name": "L1"})]})
    assert l1.name == "L1"
    free = Line.create({"name": "free", "sequence": 3})
    record.write({"line_ids": [Command.link(free.id)]})
    assert free.parent_id == record
    assert record.line_ids == l1 | l2 | free
    record.write({"line_ids": [Command.delete(l2.id)]})
    assert not l2.exists()
    # unlink: the inverse is ondelete=cascade, so the line is deleted, as in Odoo
    record.write({"line_ids": [Command.unlink(free.id)]})
    assert not free.exists()
    assert record.line_ids == l1
    other = Line.create({"name": "other"})
    record.write({"line_ids": [Command.set([other.id])]})
    assert record.line_ids == other
    assert not l1.exists()
    record.write({"line_ids": [Command.clear()]})
    assert not record.line_ids and not other.exists()
    record.write({"line_ids": [(0, 0, {"name": "again"})]})
    env.flush_all()
    env.invalidate_all()
    assert record.line_ids.mapped("name") == ["again"]


def test_one2many_unlink_with_a_set_null_inverse(env):
    parent = env["res.partner"].create({"name": "Parent Co", "is_company": True})
    contact = env["res.partner"].create({"name": "Contact", "parent_id": parent.id})
    assert parent.child_ids == contact
    parent.write({"child_ids": [Command.unlink(contact.id)]})
    assert contact.exists() and not contact.parent_id
    parent.write({"child_ids": [Command.link(contact.id)]})
    assert contact.parent_id == parent
    parent.write({"child_ids": [Command.clear()]})
    assert contact.exists() and not contact.parent_id


@pytest.mark.parametrize(
    "value",
    [
        "not commands",
        [("x", 1, 2)],
        [(7, 0, 0)],
        [(0, 0, "not a dict")],
        [(1, 0, {})],
        [(4, "abc", 0)],
        [(6, 0, ["a"])],
        [(True, 0, 0)],
        12,
    ],
)
def test_bad_commands_are_refused(env, value):
    with pytest.raises(ValueError, match="test_orm.fields.tag_ids"):
        env[FIELDS].create({"tag_ids": value})


def test_name_search_goes_through_rec_names_search(env):
    Partner = env["res.partner"]
    company = Partner.create(
        {"name": "Zed Unique", "email": "zed.unique@example.com", "is_company": True}
    )
    contact = Partner.create({"name": "Contact of Zed", "parent_id": company.id})
    assert Partner.name_search("zed.unique@") == [(company.id, company.display_name)]
    # a relational value given by name uses the comodel's name search too
    found = Partner.search([("parent_id", "ilike", "zed.unique@")])
    assert found == contact
    assert (company | contact).filtered_domain([("parent_id", "ilike", "zed.unique@")]) == contact
    assert not Partner.search([("id", "=", contact.id), ("parent_id", "not ilike", "zed.unique@")])
