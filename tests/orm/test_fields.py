"""Field types: SQL conversion, read values, defaults, required, selection, relations, indexes."""

from __future__ import annotations

import datetime

import pytest

from erplite.exceptions import ValidationError
from erplite.sql import SQL
from tests.orm.conftest import table_columns

FIELDS = "test_orm.fields"


def _raw(env, table, record_id, column):
    """The value of ``column`` as PostgreSQL holds it (after flushing)."""
    env.cr.execute(
        SQL(
            "SELECT %s FROM %s WHERE id = %s",
            SQL.identifier(column),
            SQL.identifier(table),
            record_id,
        )
    )
    return env.cr.fetchone()[0]


def _reload(record):
    record.env.flush_all()
    record.env.invalidate_all()
    return record.browse(record.id)


# ---------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------


def test_every_field_type_has_its_column_type(cr):
    columns = table_columns(cr, "test_orm_fields")
    expected = {
        "name": "varchar",
        "code": "varchar",
        "text": "text",
        "html": "text",
        "count": "int4",
        "ratio": "float8",
        "price": "numeric",
        "amount": "numeric",
        "flag": "bool",
        "day": "date",
        "moment": "timestamp",
        "state": "varchar",
        "data": "bytea",
        "payload": "jsonb",
        "target_id": "int4",
        "currency_id": "int4",
        "create_uid": "int4",
        "create_date": "timestamp",
        "write_uid": "int4",
        "write_date": "timestamp",
    }
    assert {name: columns[name][0] for name in expected} == expected
    # x2many fields have no column
    assert "line_ids" not in columns and "tag_ids" not in columns


def test_char_size_is_varchar_n(cr):
    cr.execute(
        SQL(
            "SELECT character_maximum_length FROM information_schema.columns "
            "WHERE table_name = 'test_orm_fields' AND column_name = 'code'"
        )
    )
    assert cr.fetchone()[0] == 4


# ---------------------------------------------------------------------------------------------
# conversion to and from SQL, read values
# ---------------------------------------------------------------------------------------------


def test_values_round_trip_through_the_database(env):
    currency = env["res.currency"].search([], limit=1)
    target = env["test_orm.target"].create({"name": "T"})
    record = env[FIELDS].create(
        {
            "name": "Name",
            "code": "AB",
            "text": "long text",
            "html": "<p>hi</p>",
            "count": 7,
            "ratio": 0.5,
            "price": 3.14159,
            "currency_id": currency.id,
            "amount": 12.5,
            "flag": True,
            "day": "2024-02-29",
            "moment": "2024-02-29 13:45:10",
            "state": "done",
            "data": b"\x00\x01binary",
            "payload": {"a": [1, 2, {"b": None}]},
            "target_id": target.id,
        }
    )
    record = _reload(record)
    assert record.name == "Name"
    assert record.code == "AB"
    assert record.text == "long text"
    assert record.html == "<p>hi</p>"
    assert record.count == 7
    assert record.ratio == 0.5
    assert record.price == 3.14  # digits=(10, 2) rounds
    assert record.amount == 12.5
    assert record.flag is True
    assert record.day == datetime.date(2024, 2, 29)
    assert type(record.day) is datetime.date
    assert record.moment == datetime.datetime(2024, 2, 29, 13, 45, 10)
    assert record.moment.tzinfo is None
    assert record.state == "done"
    assert bytes(record.data) == b"\x00\x01binary"
    assert record.payload == {"a": [1, 2, {"b": None}]}
    assert record.target_id == target
    assert record.currency_id == currency


def test_sql_representation(env):
    record = env[FIELDS].create(
        {
            "day": datetime.date(2023, 1, 2),
            "moment": datetime.datetime(2023, 1, 2, 3, 4, 5),
            "payload": [1, "x"],
            "flag": False,
            "price": 2.005,
        }
    )
    env.flush_all()
    assert _raw(env, "test_orm_fields", record.id, "day") == datetime.date(2023, 1, 2)
    assert _raw(env, "test_orm_fields", record.id, "moment") == datetime.datetime(
        2023, 1, 2, 3, 4, 5
    )
    assert _raw(env, "test_orm_fields", record.id, "payload") == [1, "x"]
    assert _raw(env, "test_orm_fields", record.id, "flag") is False


def test_aware_datetime_is_stored_as_naive_utc(env):
    tz = datetime.timezone(datetime.timedelta(hours=2))
    record = env[FIELDS].create({"moment": datetime.datetime(2024, 5, 1, 12, 0, tzinfo=tz)})
    record = _reload(record)
    assert record.moment == datetime.datetime(2024, 5, 1, 10, 0)
    assert record.moment.tzinfo is None


def test_empty_values_read_as_false(env):
    record = _reload(env[FIELDS].create({"state": False, "greeting": False}))
    for name in ("name", "text", "html", "day", "moment", "state", "data", "payload", "greeting"):
        assert record[name] is False, name
    assert record.count == 0
    assert record.ratio == 0.0
    assert record.flag is False
    # a many2one reads as an empty recordset of its comodel, x2many as empty recordsets
    assert record.target_id._name == "test_orm.target"
    assert not record.target_id and len(record.target_id) == 0
    assert record.line_ids._name == "test_orm.fields.line" and not record.line_ids
    assert record.tag_ids._name == "test_orm.fields.tag" and not record.tag_ids


def test_empty_values_stored_as_null(env):
    record = env[FIELDS].create({"name": "", "count": 0, "day": False})
    env.flush_all()
    assert _raw(env, "test_orm_fields", record.id, "name") in (None, "")
    assert _raw(env, "test_orm_fields", record.id, "day") is None
    assert _raw(env, "test_orm_fields", record.id, "target_id") is None


def test_read_format(env):
    target = env["test_orm.target"].create({"name": "Target"})
    tags = env["test_orm.fields.tag"].create([{"name": "b"}, {"name": "a"}])
    record = env[FIELDS].create(
        {
            "name": "R",
            "target_id": target.id,
            "day": "2024-01-31",
            "tag_ids": [(6, 0, tags.ids)],
            "moment": "2024-01-31 08:00:00",
        }
    )
    [values] = _reload(record).read(
        [
            "name",
            "target_id",
            "restrict_id",
            "day",
            "moment",
            "tag_ids",
            "line_ids",
            "count",
            "flag",
        ]
    )
    assert values["id"] == record.id
    assert values["target_id"] == (target.id, "Target")
    assert values["restrict_id"] is False
    assert values["day"] == datetime.date(2024, 1, 31)
    assert values["moment"] == datetime.datetime(2024, 1, 31, 8, 0)
    assert sorted(values["tag_ids"]) == sorted(tags.ids)
    assert values["line_ids"] == []
    assert values["count"] == 0
    assert values["flag"] is False
    [raw] = record.read(["target_id"], load="_classic_write")
    assert raw["target_id"] == target.id


def test_read_without_fields_reads_every_field(env):
    record = env[FIELDS].create({"name": "all"})
    [values] = record.read()
    assert {"id", "name", "payload", "tag_ids", "display_name", "create_date"} <= set(values)


def test_wrong_values_are_refused(env):
    model = env[FIELDS]
    with pytest.raises(ValueError, match="test_orm.fields.count"):
        model.create({"count": "abc"})
    with pytest.raises(ValueError, match="test_orm.fields.ratio"):
        model.create({"ratio": "not a number"})
    with pytest.raises(ValueError, match="test_orm.fields.day"):
        model.create({"day": "31/01/2024"})
    with pytest.raises(ValueError, match="test_orm.fields.code"):
        model.create({"code": "TOO LONG"})
    with pytest.raises(ValueError, match="test_orm.fields.target_id"):
        model.create({"target_id": "abc"})
    with pytest.raises(ValueError, match="test_orm.fields.payload"):
        model.create({"payload": {"x": object()}})
    with pytest.raises(ValueError, match="test_orm.fields.tag_ids"):
        model.create({"tag_ids": "abc"})


# ---------------------------------------------------------------------------------------------
# defaults
# ---------------------------------------------------------------------------------------------


def test_static_and_callable_defaults(env):
    target = env["test_orm.target"].search([], limit=1) or env["test_orm.target"].create(
        {"name": "first"}
    )
    first = env["test_orm.target"].search([], limit=1)
    record = env[FIELDS].create({})
    assert record.greeting == "hello"
    assert record.state == "draft"
    assert record.default_count == 42  # the callable got the empty recordset of the model
    assert record.default_target_id == first
    assert target


def test_given_values_win_over_defaults(env):
    record = env[FIELDS].create({"greeting": "bye", "default_count": 1, "state": "done"})
    assert (record.greeting, record.default_count, record.state) == ("bye", 1, "done")


def test_default_from_context(env):
    record = env[FIELDS].with_context(default_greeting="ctx", default_count=3).create({})
    assert record.greeting == "ctx"
    assert record.count == 3


def test_default_get(env):
    defaults = env[FIELDS].default_get(["greeting", "state", "default_count", "name"])
    assert defaults == {"greeting": "hello", "state": "draft", "default_count": 42}


# ---------------------------------------------------------------------------------------------
# required
# ---------------------------------------------------------------------------------------------


def test_required_is_not_null_in_the_table(cr):
    columns = table_columns(cr, "test_orm_required")
    assert columns["name"][1] is False
    assert columns["target_id"][1] is False
    assert columns["note"][1] is True


def test_required_checked_at_create(env):
    target = env["test_orm.target"].create({"name": "T"})
    with pytest.raises(ValidationError) as info:
        env["test_orm.required"].create({"target_id": target.id})
    assert "test_orm.required.name" in str(info.value)
    with pytest.raises(ValidationError, match="test_orm.required.target_id"):
        env["test_orm.required"].create({"name": "x"})
    with pytest.raises(ValidationError, match="test_orm.required.name"):
        env["test_orm.required"].create({"name": False, "target_id": target.id})


def test_required_checked_at_write(env):
    target = env["test_orm.target"].create({"name": "T"})
    record = env["test_orm.required"].create({"name": "x", "target_id": target.id})
    with pytest.raises(ValidationError, match="test_orm.required.name"):
        record.write({"name": False})


def test_required_many2one_defaults_to_restrict(env):
    field = env["test_orm.required"]._fields["target_id"]
    assert field.ondelete == "restrict"


# ---------------------------------------------------------------------------------------------
# selection
# ---------------------------------------------------------------------------------------------


def test_selection_values_are_validated(env):
    record = env[FIELDS].create({"state": "done"})
    with pytest.raises(ValueError, match="test_orm.fields.state"):
        record.write({"state": "bogus"})
    with pytest.raises(ValueError, match="bogus"):
        env[FIELDS].create({"state": "bogus"})


def test_selection_add_through_inherit(env):
    field = env[FIELDS]._fields["state"]
    assert field.selection == [("draft", "Draft"), ("done", "Done"), ("cancel", "Cancelled")]
    record = env[FIELDS].create({"state": "cancel"})
    assert _reload(record).state == "cancel"
    described = env[FIELDS].fields_get(["state"])["state"]
    assert described["selection"] == [["draft", "Draft"], ["done", "Done"], ["cancel", "Cancelled"]]


# ---------------------------------------------------------------------------------------------
# many2one
# ---------------------------------------------------------------------------------------------


def _fk_actions(cr, table):
    cr.execute(
        SQL(
            "SELECT a.attname, c.confdeltype FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
            table,
        )
    )
    return dict(cr.fetchall())


def test_many2one_foreign_keys_honour_ondelete(cr):
    actions = _fk_actions(cr, "test_orm_fields")
    # a: no action, r: restrict, c: cascade, n: set null
    assert actions["target_id"] == "n"
    assert actions["restrict_id"] == "r"
    assert actions["cascade_id"] == "c"


def test_ondelete_set_null(env):
    target = env["test_orm.target"].create({"name": "T"})
    record = env[FIELDS].create({"target_id": target.id})
    target.unlink()
    assert not record.target_id
    assert _raw(env, "test_orm_fields", record.id, "target_id") is None


def test_ondelete_cascade(env):
    target = env["test_orm.target"].create({"name": "T"})
    record = env[FIELDS].create({"cascade_id": target.id})
    target.unlink()
    assert not record.exists()


def test_ondelete_restrict(env):
    target = env["test_orm.target"].create({"name": "T"})
    record = env[FIELDS].create({"restrict_id": target.id})
    with pytest.raises(ValidationError):
        with env.cr.savepoint():
            target.unlink()
    assert target.exists() and record.exists()
    assert record.restrict_id == target


def test_many2one_accepts_record_id_and_recordset(env):
    target = env["test_orm.target"].create({"name": "T"})
    first = env[FIELDS].create({"target_id": target})
    second = env[FIELDS].create({"target_id": target.id})
    assert first.target_id == second.target_id == target
    first.target_id = False
    assert not first.target_id


def test_many2one_is_indexed(cr):
    cr.execute(SQL("SELECT indexname FROM pg_indexes WHERE tablename = 'test_orm_fields'"))
    names = {row[0] for row in cr.fetchall()}
    assert "test_orm_fields__target_id_index" in names


# ---------------------------------------------------------------------------------------------
# one2many and many2many
# ---------------------------------------------------------------------------------------------


def test_one2many_through_its_inverse(env):
    record = env[FIELDS].create(
        {
            "name": "parent",
            "line_ids": [
                (0, 0, {"name": "b", "sequence": 2}),
                (0, 0, {"name": "a", "sequence": 1}),
            ],
        }
    )
    lines = record.line_ids
    assert sorted(lines.mapped("name")) == ["a", "b"]
    assert _reload(record).line_ids.mapped("name") == ["a", "b"]  # the comodel's _order
    assert all(line.parent_id == record for line in lines)
    other = env["test_orm.fields.line"].create({"name": "c", "sequence": 3, "parent_id": record.id})
    assert other in record.line_ids  # the cache follows the inverse
    assert _reload(record).line_ids.mapped("name") == ["a", "b", "c"]
    other.parent_id = False
    assert other not in record.line_ids


def test_many2many_relation_table_named_as_odoo(env, cr):
    field = env[FIELDS]._fields["tag_ids"]
    assert field.relation == "test_orm_fields_test_orm_fields_tag_rel"
    assert field.column1 == "test_orm_fields_id"
    assert field.column2 == "test_orm_fields_tag_id"
    columns = table_columns(cr, "test_orm_fields_test_orm_fields_tag_rel")
    assert set(columns) == {"test_orm_fields_id", "test_orm_fields_tag_id"}
    explicit = env[FIELDS]._fields["other_tag_ids"]
    assert (explicit.relation, explicit.column1, explicit.column2) == (
        "test_orm_fields_other_rel",
        "record_id",
        "tag_id",
    )
    assert set(table_columns(cr, "test_orm_fields_other_rel")) == {"record_id", "tag_id"}
    # the line model's many2many to the same comodel gets its own table
    line_field = env["test_orm.fields.line"]._fields["tag_ids"]
    assert line_field.relation == "test_orm_fields_line_test_orm_fields_tag_rel"


def test_many2many_rows(env):
    tags = env["test_orm.fields.tag"].create([{"name": "x"}, {"name": "y"}])
    record = env[FIELDS].create({"tag_ids": [(6, 0, tags.ids)]})
    env.flush_all()
    env.cr.execute(
        SQL(
            "SELECT test_orm_fields_tag_id FROM test_orm_fields_test_orm_fields_tag_rel "
            "WHERE test_orm_fields_id = %s ORDER BY 1",
            record.id,
        )
    )
    assert [row[0] for row in env.cr.fetchall()] == sorted(tags.ids)
    tags[0].unlink()
    assert _reload(record).tag_ids == tags[1]


# ---------------------------------------------------------------------------------------------
# indexes
# ---------------------------------------------------------------------------------------------


def _indexes(cr, table):
    cr.execute(SQL("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", table))
    return dict(cr.fetchall())


def test_index_true_creates_a_btree_index(cr):
    indexes = _indexes(cr, "test_orm_fields")
    definition = indexes["test_orm_fields__name_index"]
    assert "btree" in definition and "(name)" in definition
    assert not any("(code)" in d for d in indexes.values())


def test_trigram_index_falls_back_to_btree_without_pg_trgm(cr):
    cr.execute(SQL("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"))
    has_trgm = cr.fetchone() is not None
    indexes = _indexes(cr, "test_orm_fields")
    relevant = {name: d for name, d in indexes.items() if "(trigram_name" in d}
    assert len(relevant) == 1
    definition = next(iter(relevant.values()))
    if has_trgm:
        assert "gin" in definition and "gin_trgm_ops" in definition
    else:
        assert "btree" in definition
        assert "test_orm_fields__trigram_name_index" in relevant


# ---------------------------------------------------------------------------------------------
# fields_get
# ---------------------------------------------------------------------------------------------


def test_fields_get_describes_fields(env):
    description = env[FIELDS].fields_get(["name", "target_id", "line_ids", "tag_ids", "code"])
    assert description["name"]["type"] == "char"
    assert description["code"]["size"] == 4
    assert description["target_id"]["relation"] == "test_orm.target"
    assert description["line_ids"]["relation_field"] == "parent_id"
    assert description["tag_ids"]["type"] == "many2many"
    only = env[FIELDS].fields_get(["name"], attributes=["type", "string"])
    assert only == {"name": {"type": "char", "string": "Name"}}


def test_x2many_values_leave_archived_records_out_whatever_read_them_first(env):
    Category = env["test_orm.category"]
    parent = Category.create({"name": "p"})
    on = Category.create({"name": "on", "parent_id": parent.id})
    off = Category.create({"name": "off", "parent_id": parent.id, "active": False})
    env.flush_all()
    env.invalidate_all()
    assert parent.with_context(active_test=False).child_ids == on | off
    assert parent.child_ids == on  # the same cached value, filtered
    env.invalidate_all()
    assert parent.child_ids == on
    assert parent.with_context(active_test=False).child_ids == on | off
    # many2many: the same
    archivable = env["test_orm.archivable"].create([{"name": "a"}, {"name": "b", "active": False}])
    assert archivable.with_context(active_test=False).mapped("active") == [True, False]
