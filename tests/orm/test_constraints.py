"""``@api.constrains`` and ``_sql_constraints``: when they run, on which records, their errors,
and a failure leaving the database as it was."""

from __future__ import annotations

import uuid

import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import ValidationError
from erplite.sql import SQL

MODEL = "test_orm.constrained"


def _checked(calls, name):
    return [ids for check, ids in calls if check == name]


def _count(cr, name):
    cr.execute(SQL("SELECT count(*) FROM test_orm_constrained WHERE name = %s", name))
    return cr.fetchone()[0]


# ---------------------------------------------------------------------------------------------
# @api.constrains
# ---------------------------------------------------------------------------------------------


def test_constrains_runs_after_create_on_the_new_records(env, constraint_calls):
    records = env[MODEL].create([{"name": "a"}, {"name": "b"}])
    assert _checked(constraint_calls, "name") == [tuple(records.ids)]


def test_constrains_runs_after_write_on_the_written_records_only(env, constraint_calls):
    records = env[MODEL].create([{"name": "a"}, {"name": "b"}, {"name": "c"}])
    constraint_calls.clear()
    records[1].write({"name": "bb"})
    assert _checked(constraint_calls, "name") == [(records[1].id,)]
    constraint_calls.clear()
    records.write({"note": "unrelated"})
    assert not _checked(constraint_calls, "name")


def test_constrains_refuses(env):
    with pytest.raises(ValidationError, match="forbidden"):
        env[MODEL].create({"name": "forbidden"})
    record = env[MODEL].create({"name": "fine"})
    with pytest.raises(ValidationError, match="forbidden"):
        record.write({"name": "forbidden"})


def test_constrains_runs_after_recompute_on_the_recomputed_records(env, constraint_calls):
    Parent = env["test_orm.constrained.parent"]
    parent, other = Parent.create([{"name": "p"}, {"name": "o"}])
    children = env[MODEL].create(
        [{"name": f"c{i}", "low": 10, "parent_id": parent.id} for i in range(2)]
    )
    outsider = env[MODEL].create({"name": "x", "low": 10, "parent_id": other.id})
    env.flush_all()
    constraint_calls.clear()
    parent.factor = 3
    env.flush_all()
    assert children.mapped("doubled") == [30, 30]
    assert _checked(constraint_calls, "doubled") == [tuple(children.ids)]
    assert outsider.doubled == 20
    parent.factor = 500  # doubled = 5000 > 1000
    with pytest.raises(ValidationError, match="too large"):
        with env.cr.savepoint():
            env.flush_all()


# ---------------------------------------------------------------------------------------------
# _sql_constraints
# ---------------------------------------------------------------------------------------------


def test_sql_constraints_exist_in_the_table(cr):
    cr.execute(
        SQL("SELECT conname FROM pg_constraint WHERE conrelid = 'test_orm_constrained'::regclass")
    )
    names = {row[0] for row in cr.fetchall()}
    assert {"test_orm_constrained_code_unique", "test_orm_constrained_range_check"} <= names


def test_unique_violation_raises_the_declared_message(env):
    env[MODEL].create({"name": "first", "code": "C1"})
    with pytest.raises(ValidationError) as info:
        with env.cr.savepoint():
            env[MODEL].create({"name": "second", "code": "C1"})
    assert str(info.value) == "The code must be unique!"
    # the transaction goes on
    assert env[MODEL].search_count([("code", "=", "C1")]) == 1


def test_check_violation_on_write_raises_at_flush(env):
    record = env[MODEL].create({"name": "r", "low": 1, "high": 5})
    with pytest.raises(ValidationError, match="^Low must not exceed high!$"):
        with env.cr.savepoint():
            record.write({"low": 9})
            env.flush_all()
    env.invalidate_all()
    assert (record.low, record.high) == (1, 5)


def test_check_violation_on_create(env):
    with pytest.raises(ValidationError, match="Low must not exceed high"):
        with env.cr.savepoint():
            env[MODEL].create({"name": "bad", "low": 20, "high": 10})
    assert not env[MODEL].search([("name", "=", "bad")])


# ---------------------------------------------------------------------------------------------
# a failure leaves the database as it was
# ---------------------------------------------------------------------------------------------


def test_savepoint_undoes_a_failed_python_constraint(env):
    kept = env[MODEL].create({"name": "kept"})
    with pytest.raises(ValidationError):
        with env.cr.savepoint():
            env[MODEL].create([{"name": "undone"}, {"name": "forbidden"}])
    assert env[MODEL].search([("name", "in", ["undone", "forbidden"])]) == env[MODEL]
    assert kept.exists()
    env.cr.execute(
        SQL("SELECT count(*) FROM test_orm_constrained WHERE name IN ('undone', 'forbidden')")
    )
    assert env.cr.fetchone()[0] == 0


def test_savepoint_drops_the_pending_writes_of_a_failed_write(env):
    record = env[MODEL].create({"name": "before", "low": 1})
    env.flush_all()
    with pytest.raises(ValidationError):
        with env.cr.savepoint():
            record.write({"name": "forbidden", "low": 2})
    env.flush_all()  # nothing of the failed write is left to send
    env.cr.execute(SQL("SELECT name, low FROM test_orm_constrained WHERE id = %s", record.id))
    assert env.cr.fetchone() == ("before", 1)
    assert record.name == "before"


@pytest.fixture
def tag():
    """A unique name for the records a test commits (or must not commit)."""
    return f"constraint-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def cleanup(registry, tag):
    yield
    with registry.cursor() as cr:  # only if a test failed and committed something
        cr.execute(SQL("DELETE FROM test_orm_constrained WHERE name LIKE %s", tag + "%"))


@pytest.mark.usefixtures("cleanup")
@pytest.mark.parametrize("failure", ["python", "sql_unique", "sql_check", "sql_at_commit"])
def test_failure_leaves_the_database_as_it_was(registry, tag, failure):
    with pytest.raises(ValidationError):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Model = env[MODEL]
            Model.create({"name": f"{tag}-ok", "code": f"{tag}-code"})
            if failure == "python":
                Model.create({"name": "forbidden", "code": f"{tag}-x"})
            elif failure == "sql_unique":
                Model.create({"name": f"{tag}-dup", "code": f"{tag}-code"})
            elif failure == "sql_check":
                Model.create({"name": f"{tag}-check", "low": 50, "high": 1})
            else:
                # the UPDATE is sent by the flush of the commit itself
                Model.search([("name", "=", f"{tag}-ok")]).write({"low": 99, "high": 1})
    with registry.cursor() as check:
        assert _count(check, f"{tag}-ok") == 0
        check.execute(
            SQL(
                "SELECT count(*) FROM test_orm_constrained WHERE name LIKE %s OR name = 'forbidden'",
                tag + "%",
            )
        )
        assert check.fetchone()[0] == 0


@pytest.mark.usefixtures("cleanup")
def test_success_is_committed(registry, tag):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env[MODEL].create({"name": f"{tag}-ok"})
    with registry.cursor() as check:
        assert _count(check, f"{tag}-ok") == 1
