"""``ir.autovacuum``: the daily job cleans transient models and expired HTTP sessions, and
only administrators may run it."""

from __future__ import annotations

import datetime

import pytest
from psycopg.types.json import Jsonb

from erplite.exceptions import AccessError
from erplite.http.session import SESSION_LIFETIME
from erplite.sql import SQL


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def test_the_job_is_installed_daily_as_the_superuser(env):
    job = env.ref("base.autovacuum_job")
    assert (job.model_name, job.method_name) == ("ir.autovacuum", "run_vacuum_cleaner")
    assert (job.interval_number, job.interval_type, job.numbercall) == (1, "days", -1)
    assert job.user_id == env.ref("base.user_root")


def test_vacuum_deletes_old_wizards_and_expired_sessions(env):
    # the table the session store makes (rolled back with the test)
    env.cr.execute(
        SQL(
            "CREATE TABLE IF NOT EXISTS http_session (sid varchar(64) PRIMARY KEY,"
            " data jsonb NOT NULL, create_date timestamp, last_seen timestamp)"
        )
    )
    old = _utcnow() - datetime.timedelta(seconds=SESSION_LIFETIME + 60)
    for sid, seen in (("a" * 43, old), ("b" * 43, _utcnow())):
        env.cr.execute(
            SQL(
                "INSERT INTO http_session (sid, data, create_date, last_seen) VALUES (%s, %s, %s, %s)",
                sid,
                Jsonb({}),
                seen,
                seen,
            )
        )
    wizards = env["test_orm.wizard"].create([{"name": "old"}, {"name": "new"}])
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE test_orm_wizard SET write_date = %s WHERE id = %s",
            _utcnow() - datetime.timedelta(hours=5),
            wizards[0].id,
        )
    )
    env.invalidate_all()
    assert env["ir.autovacuum"].run_vacuum_cleaner() >= 2
    assert wizards.exists() == wizards[1]
    env.cr.execute(SQL("SELECT sid FROM http_session WHERE sid IN (%s, %s)", "a" * 43, "b" * 43))
    assert [row[0] for row in env.cr.fetchall()] == ["b" * 43]


def test_only_administrators_run_the_vacuum(env, internal_user):
    with pytest.raises(AccessError, match="Only administrators"):
        env["ir.autovacuum"].with_user(internal_user).run_vacuum_cleaner()
