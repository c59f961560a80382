"""``ir.cron``: due jobs run once each, in their own transaction, as their user; scheduling
(interval, numbercall, doall); failures; a job claimed by another worker is skipped."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import SUPERUSER_ID, api
from erplite.exceptions import UserError, ValidationError
from erplite.sql import SQL

PAST = datetime.datetime(2020, 1, 1, 12, 0, 0)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


@pytest.fixture
def crons(own_registry: Any) -> Iterator[Any]:
    """``make(**values)`` commits a job on partners and returns its id; every job is deleted
    before and after the test (``_run_due`` runs whatever is due in the database)."""

    def clear() -> None:
        with own_registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM ir_cron"))
            cr.execute(SQL("DELETE FROM res_partner WHERE name LIKE 'cron %%'"))

    def make(**values: Any) -> int:
        with own_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            vals = {
                "name": "job",
                "model_id": env["ir.model"]._get_id("res.partner"),
                "method_name": "name_create",
                "args": json.dumps(["cron partner"]),
                "nextcall": PAST,
                "interval_type": "days",
                "numbercall": -1,
                "user_id": env.ref("base.user_admin").id,
            }
            return env["ir.cron"].create({**vals, **values}).id

    clear()
    yield make
    clear()


def _read(registry: Any, model: str, domain: list, fields: list[str]) -> list[dict]:
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env[model].with_context(active_test=False).search_read(domain, fields, load=False)


def test_due_job_runs_once_as_its_user_and_is_rescheduled(own_registry, crons):
    job_id = crons(nextcall=_utcnow() - datetime.timedelta(hours=1), interval_type="days")
    crons(name="later", nextcall=datetime.datetime(2999, 1, 1))
    crons(name="inactive", active=False)
    assert own_registry["ir.cron"]._run_due(own_registry) == 1
    partners = _read(own_registry, "res.partner", [("name", "=", "cron partner")], ["create_uid"])
    with own_registry.cursor() as cr:
        admin_id = api.Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin").id
    assert [p["create_uid"] for p in partners] == [admin_id]  # as the job's user, not the superuser
    [job] = _read(
        own_registry, "ir.cron", [("id", "=", job_id)], ["nextcall", "lastcall", "numbercall"]
    )
    assert job["nextcall"] > _utcnow()  # one day later: in the future
    assert job["lastcall"] is not False and job["numbercall"] == -1
    assert own_registry["ir.cron"]._run_due(own_registry) == 0  # nothing due any more


def test_missed_runs_numbercall_and_doall(own_registry, crons):
    # three calls left, due for years: the missed calls are counted but run once (no doall)
    skip = crons(name="skip missed", numbercall=3, args=json.dumps(["cron skip"]))
    # doall: one run per missed interval, until numbercall is exhausted, then inactive
    catch_up = crons(name="catch up", numbercall=3, doall=True, args=json.dumps(["cron catch up"]))
    assert own_registry["ir.cron"]._run_due(own_registry) == 2
    counts = {
        name: len(_read(own_registry, "res.partner", [("name", "=", name)], ["id"]))
        for name in ("cron skip", "cron catch up")
    }
    assert counts == {"cron skip": 1, "cron catch up": 3}
    jobs = {
        j["id"]: j
        for j in _read(
            own_registry,
            "ir.cron",
            [("id", "in", [skip, catch_up])],
            ["numbercall", "active", "nextcall"],
        )
    }
    assert (jobs[skip]["numbercall"], jobs[skip]["active"]) == (0, False)
    assert (jobs[catch_up]["numbercall"], jobs[catch_up]["active"]) == (0, False)


def test_a_failing_job_is_rolled_back_and_rescheduled(own_registry, crons):
    # name_create with a keyword it does not take fails inside the job's transaction
    job_id = crons(name="broken", args=json.dumps({"nope": 1}), interval_type="weeks")
    assert own_registry["ir.cron"]._run_due(own_registry) == 1
    [job] = _read(own_registry, "ir.cron", [("id", "=", job_id)], ["nextcall", "active"])
    assert job["nextcall"] > _utcnow() and job["active"] is True


def test_a_job_claimed_by_another_worker_is_skipped_and_cannot_be_changed(own_registry, crons):
    job_id = crons(name="busy")
    worker = own_registry.cursor()
    try:
        # another worker holds the job (as _run_due does while the job runs)
        worker.execute(SQL("SELECT id FROM ir_cron WHERE id = %s FOR NO KEY UPDATE", job_id))
        assert own_registry["ir.cron"]._run_due(own_registry) == 0
        with own_registry.cursor() as cr:
            job = api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(job_id)
            with pytest.raises(UserError, match="this scheduled action is being run"):
                job.write({"name": "renamed"})
    finally:
        worker.rollback()
        worker.close()
    assert own_registry["ir.cron"]._run_due(own_registry) == 1


def test_method_must_be_a_public_method_of_the_model(env):
    model_id = env["ir.model"]._get_id("res.partner")
    base = {"name": "j", "model_id": model_id}
    with pytest.raises(
        ValidationError, match="'_compute_display_name' is not a public method name"
    ):
        env["ir.cron"].create({**base, "method_name": "_compute_display_name"})
    with pytest.raises(ValidationError, match="model 'res.partner' has no method 'fly'"):
        env["ir.cron"].create({**base, "method_name": "fly"})
    with pytest.raises(ValidationError, match="invalid args"):
        env["ir.cron"].create({**base, "method_name": "name_create", "args": '"one string"'})


def test_direct_trigger_runs_now_as_the_job_s_user(env, internal_user):
    job = env["ir.cron"].create(
        {
            "name": "now",
            "model_id": env["ir.model"]._get_id("res.partner"),
            "method_name": "name_create",
            "args": json.dumps(["triggered"]),
            "user_id": internal_user.id,
            "nextcall": "2999-01-01 00:00:00",
        }
    )
    job.method_direct_trigger()
    partner = env["res.partner"].search([("name", "=", "triggered")])
    assert partner.create_uid == internal_user
    assert job.lastcall
    assert job.nextcall == datetime.datetime(2999, 1, 1)


def test_only_administrators_manage_jobs(env, internal_user):
    from erplite.exceptions import AccessError

    with pytest.raises(AccessError):
        env["ir.cron"].with_user(internal_user).search([])


def test_a_trigger_runs_a_job_once_before_its_nextcall(own_registry, crons):
    later = datetime.datetime(2999, 1, 1)
    job_id = crons(name="triggered", nextcall=later, numbercall=5, args=json.dumps(["cron trig"]))
    assert own_registry["ir.cron"]._run_due(own_registry) == 0  # not due
    with own_registry.cursor() as cr:
        job = api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(job_id)
        job._trigger(_utcnow() + datetime.timedelta(days=1))  # tomorrow: not yet
        job._trigger()
    with own_registry.cursor() as cr:
        assert own_registry["ir.cron"]._next_wakeup(cr) <= _utcnow()
    assert own_registry["ir.cron"]._run_due(own_registry) == 1
    assert own_registry["ir.cron"]._run_due(own_registry) == 0  # the trigger was used up
    partners = _read(own_registry, "res.partner", [("name", "=", "cron trig")], ["id"])
    [job] = _read(own_registry, "ir.cron", [("id", "=", job_id)], ["nextcall", "numbercall"])
    assert (len(partners), job["nextcall"], job["numbercall"]) == (1, later, 4)
    with own_registry.cursor() as cr:
        cr.execute(SQL("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", job_id))
        assert cr.fetchone()[0] == 1  # tomorrow's trigger is kept
