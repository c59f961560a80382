"""Automation rules fired by create, write and unlink: each trigger, the domains, each kind of
action, once per record, never recursively, as the user who made the change."""

from __future__ import annotations

import json

import pytest

from erplite.exceptions import AccessError, ValidationError

TASK = "test.automation.task"


def field(env, name, model=TASK):
    return env["ir.model.fields"].search([("model", "=", model), ("name", "=", name)])


def write_note(env, text):
    """An ``object_write`` action setting the task's ``note``."""
    return {
        "state": "object_write",
        "fields_lines": [(0, 0, {"col1": field(env, "note").id, "value": text})],
    }


def bump(step=1):
    """A ``method`` action calling the declared ``action_bump(step)``."""
    return {"state": "method", "method_name": "action_bump", "args": f"[{step}]"}


def test_on_create_runs_on_the_matching_new_records(env, make_rule):
    make_rule("on_create", [write_note(env, "created")], filter_domain="[('name', 'like', 'A')]")
    tasks = env[TASK].create([{"name": "A1"}, {"name": "B1"}])
    assert tasks.mapped("note") == ["created", False]
    tasks.write({"name": "A2"})  # not a creation
    assert tasks.mapped("note") == ["created", False]


def test_on_write_fires_when_a_watched_field_changes(env, make_rule):
    make_rule("on_write", [bump()], trigger_field_ids=[(6, 0, field(env, "state").ids)])
    task = env[TASK].create({"name": "t"})
    assert task.counter == 0  # not on creation
    task.write({"note": "x"})  # not watched
    assert task.counter == 0
    task.write({"state": "draft"})  # watched, but unchanged
    assert task.counter == 0
    task.write({"state": "open"})
    assert task.counter == 1


def test_pre_and_post_domains(env, make_rule):
    make_rule(
        "on_write",
        [bump(10)],
        filter_pre_domain="[('state', '=', 'draft')]",
        filter_domain="[('state', '=', 'done')]",
    )
    straight, via_open = env[TASK].create([{"name": "s"}, {"name": "o"}])
    straight.write({"state": "done"})  # draft -> done: both domains hold
    via_open.write({"state": "open"})
    via_open.write({"state": "done"})  # open -> done: the pre-domain does not hold
    assert (straight.counter, via_open.counter) == (10, 0)


def test_on_create_or_write(env, make_rule):
    make_rule("on_create_or_write", [bump()])
    task = env[TASK].create({"name": "t"})
    assert task.counter == 1
    task.write({"name": "u"})
    assert task.counter == 2  # and not more: its own write of counter does not fire it again


def test_on_unlink_runs_before_the_deletion(env, make_rule):
    make_rule(
        "on_unlink",
        [{"state": "object_create", "crud_model_id": env["ir.model"]._get_id("test.automation.note"),
          "fields_lines": [(0, 0, {"col1": field(env, "name", "test.automation.note").id,
                                   "value": "deleted"})]}],
    )  # fmt: skip
    env[TASK].create({"name": "t"}).unlink()
    assert env["test.automation.note"].search([]).mapped("name") == ["deleted"]


def test_value_change_triggers(env, make_rule):
    stage = env["test.automation.stage"].create({"name": "Won"})
    make_rule("on_stage_set", [write_note(env, "won")], trg_field_ref=stage.id)
    make_rule("on_state_set", [bump(1)], trg_selection_value="done")
    make_rule("on_priority_set", [bump(100)], trg_selection_value="1")
    make_rule("on_user_set", [bump(1000)])
    task = env[TASK].create({"name": "t"})
    assert (task.note, task.counter) == (False, 0)
    task.write({"stage_id": stage.id, "state": "open"})
    assert (task.note, task.counter) == ("won", 0)
    task.write({"state": "done", "priority": "1", "user_id": env.ref("base.user_admin").id})
    assert task.counter == 1101
    task.write({"state": "done", "note": "kept"})  # already done: not set again
    assert (task.note, task.counter) == ("kept", 1101)


def test_archive_and_unarchive(env, make_rule):
    make_rule("on_archive", [write_note(env, "archived")])
    make_rule("on_unarchive", [write_note(env, "back")])
    task = env[TASK].create({"name": "t"})
    assert task.note is False
    task.action_archive()
    assert task.note == "archived"
    task.action_unarchive()
    assert task.note == "back"


def test_each_record_once_and_no_recursion_between_rules(env, make_rule):
    # two rules writing each other's trigger field: each runs once per record, no loop
    make_rule(
        "on_write",
        [write_note(env, "from rule 1")],
        trigger_field_ids=[(6, 0, field(env, "counter").ids)],
    )
    make_rule("on_write", [bump()], trigger_field_ids=[(6, 0, field(env, "note").ids)])
    tasks = env[TASK].create([{"name": "a"}, {"name": "b"}])
    tasks.write({"counter": 5})
    assert tasks.mapped("counter") == [6, 6]  # bumped once each, by rule 2 through rule 1
    assert tasks.mapped("note") == ["from rule 1", "from rule 1"]


def test_webhook_action_queues_one_delivery_per_record(env, make_rule):
    make_rule(
        "on_create",
        [{"state": "webhook", "webhook_url": "http://127.0.0.1:9/hook",
          "webhook_field_ids": [(6, 0, field(env, "name").ids)]}],
    )  # fmt: skip
    tasks = env[TASK].create([{"name": "a"}, {"name": "b"}])
    deliveries = env["ir.webhook.delivery"].search([], order="id")
    payloads = [json.loads(delivery.body) for delivery in deliveries]
    assert [(p["event"], p["model"], p["ids"]) for p in payloads] == [
        ("on_create", TASK, [tasks[0].id]),
        ("on_create", TASK, [tasks[1].id]),
    ]
    assert [[v["name"] for v in p["values"]] for p in payloads] == [["a"], ["b"]]


def test_each_action_runs_once_per_record_with_that_record_active(env, make_rule):
    # Odoo 17's _process: for each action, for each record: active_id(s) = that record
    method = {"state": "method", "method_name": "action_note_call", "args": "[]"}
    make_rule("on_write", [method, bump()], trigger_field_ids=[(6, 0, field(env, "state").ids)])
    a, b, c = env[TASK].create([{"name": "a"}, {"name": "b"}, {"name": "c"}])
    (a | b | c).write({"state": "open"})
    notes = env["test.automation.note"].search([], order="id").mapped("name")
    assert notes == [f"self=[{t.id}] active_ids=[{t.id}]" for t in (a, b, c)]
    assert (a | b | c).mapped("counter") == [1, 1, 1]


def test_a_rule_does_not_fire_again_on_the_records_its_actions_write(env, make_rule):
    # the action writes the watched field of its record: no second run on that record, but
    # a write of another record by the action fires the rule there
    make_rule("on_write", [bump()], trigger_field_ids=[(6, 0, field(env, "counter").ids)])
    task = env[TASK].create({"name": "t"})
    task.write({"counter": 10})
    assert task.counter == 11


def test_rules_run_as_the_user_with_their_rights(env, make_rule, user):
    make_rule("on_create", [bump()])
    task = env[TASK].with_user(user).create({"name": "mine"})
    assert task.counter == 1 and task.write_uid == user  # the action wrote as the user
    # an action doing what the user may not (creating notes): the change is refused whole
    make_rule(
        "on_write",
        [{"state": "object_create", "crud_model_id": env["ir.model"]._get_id("test.automation.note"),
          "fields_lines": [(0, 0, {"col1": field(env, "name", "test.automation.note").id,
                                   "value": "n"})]}],
    )  # fmt: skip
    with pytest.raises(AccessError):
        task.with_user(user).write({"name": "changed"})


def test_only_administrators_manage_rules(env, user):
    with pytest.raises(AccessError):
        env["base.automation"].with_user(user).search([])
    with pytest.raises(AccessError):
        env["base.automation"].with_user(user).create(
            {"name": "x", "model_id": env["ir.model"]._get_id(TASK), "trigger": "on_create"}
        )


def test_bad_rules_are_refused_with_the_reason(env, make_rule):
    with pytest.raises(ValidationError, match="invalid filter_domain"):
        make_rule("on_create", [], filter_domain="[('nope', '=', 1)]")
    with pytest.raises(ValidationError, match="invalid filter_domain"):
        make_rule("on_create", [], filter_domain="__import__('os')")
    with pytest.raises(ValidationError, match="'closed' is not a value of 'state'"):
        make_rule("on_state_set", [], trg_selection_value="closed")
    with pytest.raises(ValidationError, match="needs a field 'stage_id'"):
        make_rule("on_stage_set", [], model="res.partner")


def test_an_inactive_rule_does_nothing(env, make_rule):
    rule = make_rule("on_create", [bump()])
    rule.active = False
    assert env[TASK].create({"name": "t"}).counter == 0


def test_a_multi_action_runs_its_children_in_order(env, make_rule):
    model_id = env["ir.model"]._get_id(TASK)
    first = env["ir.actions.server"].create(
        {"name": "first", "model_id": model_id, "sequence": 1, **write_note(env, "one")}
    )
    second = env["ir.actions.server"].create(
        {"name": "second", "model_id": model_id, "sequence": 2, **bump(7)}
    )
    make_rule("on_create", [{"state": "multi", "child_ids": [(6, 0, [second.id, first.id])]}])
    task = env[TASK].create({"name": "t"})
    assert (task.note, task.counter) == ("one", 7)
