"""Time-based rules run by their job, and what rules cost: statements per write, a model
without rules paying nothing, and rules changed in one transaction seen by the others."""

from __future__ import annotations

import datetime

from erplite import SUPERUSER_ID, api
from erplite.sql import SQL

TASK = "test.automation.task"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def field(env, name):
    return env["ir.model.fields"].search([("model", "=", TASK), ("name", "=", name)])


BUMP = {"state": "method", "method_name": "action_bump", "args": "[1]"}


def test_on_time_runs_once_per_record_when_the_delay_after_the_date_passed(env, make_rule):
    make_rule(
        "on_time",
        [BUMP],
        trg_date_id=field(env, "deadline").id,
        trg_date_range=1,
        trg_date_range_type="hour",
        filter_domain="[('state', '!=', 'done')]",
    )
    now = _now()
    late, soon, done = env[TASK].create(
        [
            {"name": "late", "deadline": now - datetime.timedelta(hours=2)},
            {"name": "soon", "deadline": now - datetime.timedelta(minutes=30)},
            {"name": "done", "deadline": now - datetime.timedelta(hours=2), "state": "done"},
        ]
    )
    automation = env["base.automation"]
    assert automation.process_time_based_rules() == 1
    assert (late.counter, soon.counter, done.counter) == (1, 0, 0)
    assert automation.process_time_based_rules() == 0  # late's moment is before last_run
    assert late.counter == 1


def test_on_time_runs_each_record_on_its_own_and_skips_a_failing_one(env, make_rule, caplog):
    rule = make_rule(
        "on_time",
        [{"state": "method", "method_name": "action_bump_unless_broken", "args": "[]"}],
        trg_date_id=field(env, "deadline").id,
        trg_date_range=0,
        trg_date_range_type="hour",
    )
    past = _now() - datetime.timedelta(hours=1)
    first, broken, last = env[TASK].create(
        [{"name": "first", "deadline": past}, {"name": "broken", "deadline": past},
         {"name": "last", "deadline": past}]
    )  # fmt: skip
    with caplog.at_level("ERROR"):
        assert env["base.automation"].process_time_based_rules() == 2
    assert (first.counter, broken.counter, last.counter) == (1, 0, 1)
    assert f"failed on {TASK},{broken.id}" in caplog.text and "is broken" in caplog.text
    assert rule.last_run  # the run moved on: the broken record is not retried forever
    assert env["base.automation"].process_time_based_rules() == 0


def test_on_time_with_a_date_field_and_a_negative_delay(env, make_rule):
    make_rule(
        "on_time",
        [BUMP],
        trg_date_id=field(env, "due_date").id,
        trg_date_range=-2,
        trg_date_range_type="day",
    )
    today = _now().date()
    in_one_day, in_five_days = env[TASK].create(
        [
            {"name": "tomorrow", "due_date": today + datetime.timedelta(days=1)},
            {"name": "later", "due_date": today + datetime.timedelta(days=5)},
        ]
    )
    env["base.automation"].process_time_based_rules()
    assert (in_one_day.counter, in_five_days.counter) == (1, 0)  # two days before the date


def test_time_rules_have_a_job_triggered_when_they_change(env, make_rule):
    job = env.ref("base_automation.ir_cron_data_base_automation_check")
    assert (job.method_name, job.model_name) == ("process_time_based_rules", "base.automation")
    make_rule("on_time_created", [BUMP])
    assert env["ir.cron.trigger"].search([("cron_id", "=", job.id)])


def test_statements_of_a_write_firing_a_rule(env, make_rule, assert_query_count):
    make_rule(
        "on_write",
        [BUMP],
        trigger_field_ids=[(6, 0, field(env, "state").ids)],
        filter_domain="[('state', '=', 'done')]",
    )
    warm, task, plain = env[TASK].create([{"name": "w"}, {"name": "t"}, {"name": "p"}])
    env.flush_all()
    env.invalidate_all()
    # first in the transaction: the old values, the action and its groups are read
    with assert_query_count(4) as cold:
        warm.write({"state": "done"})
        env.flush_all()
    print(f"\nfirst write firing a rule in a transaction: {len(cold)} statements")
    with assert_query_count(1):  # the UPDATE of state and of the counter the action bumped
        task.write({"state": "done"})
        env.flush_all()
    assert task.counter == 1
    with assert_query_count(1):  # a field no rule watches: the hook returns at once
        plain.write({"note": "n"})
        env.flush_all()


def test_a_model_without_rules_pays_no_statement(env, make_rule, assert_query_count):
    make_rule("on_create_or_write", [BUMP])  # rules exist, on another model
    note = env["test.automation.note"].create({"name": "n"})
    env.flush_all()
    with assert_query_count(1):
        note.write({"name": "m"})
        env.flush_all()


def test_a_committed_rule_is_seen_by_other_transactions(automation_registry):
    with automation_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        assert env[TASK].create({"name": "before"}).counter == 0  # rules cached (none)
        rule = env["base.automation"].create(
            {
                "name": "committed",
                "model_id": env["ir.model"]._get_id(TASK),
                "trigger": "on_create",
                "action_server_ids": [
                    (0, 0, {"name": "bump", "model_id": env["ir.model"]._get_id(TASK), **BUMP})
                ],
            }
        )
        rule_id = rule.id
    try:
        with automation_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            task = env[TASK].create({"name": "after"})
            assert task.counter == 1
            cr.rollback()
    finally:
        with automation_registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM base_automation WHERE id = %s", rule_id))
            cr.execute(SQL("DELETE FROM test_automation_task WHERE name = 'before'"))


def test_on_time_updated_runs_after_the_last_write(env, make_rule):
    make_rule("on_time_updated", [BUMP], trg_date_range=1, trg_date_range_type="day")
    stale, fresh = env[TASK].create([{"name": "stale"}, {"name": "fresh"}])
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE test_automation_task SET write_date = %s WHERE id = %s",
            _now() - datetime.timedelta(days=2),
            stale.id,
        )
    )
    env.invalidate_all()
    env["base.automation"].process_time_based_rules()
    assert (stale.counter, fresh.counter) == (1, 0)


def test_the_job_is_woken_when_the_next_record_falls_due(env, make_rule):
    make_rule(
        "on_time",
        [BUMP],
        trg_date_id=field(env, "deadline").id,
        trg_date_range=30,
        trg_date_range_type="minutes",
    )
    deadline = _now() + datetime.timedelta(hours=2)
    env[TASK].create([{"name": "later", "deadline": deadline + datetime.timedelta(hours=1)},
                      {"name": "next", "deadline": deadline}])  # fmt: skip
    job = env.ref("base_automation.ir_cron_data_base_automation_check")
    job.nextcall = _now() + datetime.timedelta(days=1)
    env["base.automation"].process_time_based_rules()
    moments = env["ir.cron.trigger"].search([("cron_id", "=", job.id)]).mapped("call_at")
    assert deadline + datetime.timedelta(minutes=30) in moments  # not the job's next interval
    env["base.automation"].process_time_based_rules()  # again: no second trigger for it
    again = env["ir.cron.trigger"].search([("cron_id", "=", job.id)]).mapped("call_at")
    assert again.count(deadline + datetime.timedelta(minutes=30)) == 1
