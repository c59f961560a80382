"""The flush sends the pending writes of every model in one statement: each set of columns is
an UPDATE, the ones before the last as data-modifying CTEs (``FlushMixin._flush_models_towrite``)."""

from __future__ import annotations

import pytest

from erplite.exceptions import ValidationError
from erplite.sql import SQL

TAG = "test_orm.fields.tag"
CONSTRAINED = "test_orm.constrained"


def _text(statement) -> str:
    return statement.as_string(None) if hasattr(statement, "as_string") else str(statement)


def _row(env, table: str, record_id: int, columns: str) -> tuple:
    """The ``columns`` (comma-separated names) of one row, read without flushing."""
    selected = SQL(", ").join(SQL.identifier(name.strip()) for name in columns.split(","))
    statement = SQL("SELECT %s FROM %s WHERE id = %s", selected, SQL.identifier(table), record_id)
    env.cr.execute(statement, flush=False)
    return env.cr.fetchone()


def test_two_models_and_three_sets_of_columns_in_one_statement(env, assert_query_count):
    tags = env[TAG].create([{"name": f"t{i}", "color": i} for i in range(3)])
    record = env[CONSTRAINED].create({"name": "r", "low": 1, "high": 5})
    env.flush_all()
    tags[0].name = "renamed"
    tags[1:].write({"color": 40})
    record.write({"low": 3, "note": "moved"})
    with assert_query_count(1) as statements:
        env.flush_all()
    text = _text(statements[0])
    assert text.startswith("WITH") and text.count("UPDATE") == 3
    assert _row(env, "test_orm_fields_tag", tags[0].id, "name, color") == ("renamed", 0)
    assert _row(env, "test_orm_fields_tag", tags[2].id, "name, color") == ("t2", 40)
    assert _row(env, "test_orm_constrained", record.id, "low, note, doubled") == (3, "moved", 6)


def test_a_violation_in_one_part_changes_nothing_and_names_the_constraint(env):
    tag = env[TAG].create({"name": "before", "color": 1})
    record = env[CONSTRAINED].create({"name": "r", "low": 1, "high": 5})
    env.flush_all()
    with pytest.raises(ValidationError, match="^Low must not exceed high!$"):
        with env.cr.savepoint():
            tag.write({"name": "after"})
            record.write({"low": 9})
            env.flush_all()
    assert _row(env, "test_orm_fields_tag", tag.id, "name") == ("before",)
    assert _row(env, "test_orm_constrained", record.id, "low") == (1,)
