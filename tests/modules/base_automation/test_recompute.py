"""Write rules fired by the ORM's recomputation of a stored computed field they watch (Odoo
17 patches ``_compute_field_value`` for it): a task's stored ``total`` changing because its
lines changed fires the rules watching ``total``, once, with the values before and after."""

from __future__ import annotations

TASK = "test.automation.task"
LINE = "test.automation.line"


def field(env, name, model=TASK):
    return env["ir.model.fields"].search([("model", "=", model), ("name", "=", name)])


BUMP = {"state": "method", "method_name": "action_bump", "args": "[1]"}


def watch_total(make_rule, env, **values):
    return make_rule(
        "on_write", [BUMP], trigger_field_ids=[(6, 0, field(env, "total").ids)], **values
    )


def test_a_recomputed_total_fires_the_rules_watching_it(env, make_rule):
    watch_total(make_rule, env)
    task = env[TASK].create({"name": "t", "line_ids": [(0, 0, {"amount": 5})]})
    env.flush_all()
    assert (task.total, task.counter) == (5, 0)  # the creation is not an update
    line = env[LINE].create({"task_id": task.id, "amount": 2})
    env.flush_all()
    assert (task.total, task.counter) == (7, 1)
    line.amount = 3  # read without a flush: the recomputation on read fires it too
    assert (task.total, task.counter) == (8, 2)
    line.write({"amount": 3})  # the total does not change: no rule
    env.flush_all()
    assert task.counter == 2


def test_the_domains_see_the_values_before_and_after(env, make_rule):
    watch_total(
        make_rule,
        env,
        filter_pre_domain="[('total', '<', 10)]",
        filter_domain="[('total', '>=', 10)]",
    )
    low, high = env[TASK].create(
        [{"name": "low", "line_ids": [(0, 0, {"amount": 1})]},
         {"name": "high", "line_ids": [(0, 0, {"amount": 20})]}]
    )  # fmt: skip
    env.flush_all()
    (low | high).line_ids.write({"amount": 15})  # low: 1 -> 15 crosses 10; high: 20 -> 15
    env.flush_all()
    assert (low.counter, high.counter) == (1, 0)


def test_a_rule_watching_any_field_fires_on_writes_only(env, make_rule):
    make_rule("on_write", [BUMP])  # no trigger fields
    task = env[TASK].create({"name": "t"})
    env.flush_all()
    env[LINE].create({"task_id": task.id, "amount": 4})
    env.flush_all()
    assert (task.total, task.counter) == (4, 0)


def test_a_value_condition_on_a_recomputed_field(env, make_rule):
    watch_total(make_rule, env, filter_domain="[('total', '=', 4)]")
    task = env[TASK].create({"name": "t"})
    env.flush_all()
    line = env[LINE].create({"task_id": task.id, "amount": 3})
    env.flush_all()
    assert task.counter == 0
    line.amount = 4
    env.flush_all()
    assert task.counter == 1


def test_its_own_actions_do_not_fire_it_again(env, make_rule):
    # the action adds a line to the task, which changes its total again: no second run there
    add_line = {"state": "method", "method_name": "action_add_line", "args": "[1]"}
    watch_total(make_rule, env).action_server_ids = [(0, 0, {
        "name": "add", "model_id": env["ir.model"]._get_id(TASK), **add_line})]  # fmt: skip
    task = env[TASK].create({"name": "t"})
    env.flush_all()
    env[LINE].create({"task_id": task.id, "amount": 4})
    env.flush_all()
    assert (task.total, task.counter, len(task.line_ids)) == (5, 1, 2)
    env[LINE].create({"task_id": task.id, "amount": 10})  # a change of its own: a run more
    env.flush_all()
    assert (task.total, task.counter, len(task.line_ids)) == (16, 2, 4)


def test_no_statement_more_without_a_rule_watching_the_recomputed_field(
    env, make_rule, assert_query_count
):
    make_rule("on_write", [BUMP], trigger_field_ids=[(6, 0, field(env, "state").ids)])
    task = env[TASK].create({"name": "t", "line_ids": [(0, 0, {"amount": 1})]})
    alone = env[LINE].create({"amount": 1})
    env.flush_all()
    with assert_query_count(1):  # a model without rules: UPDATE of amount and doubled
        alone.write({"amount": 2})
        env.flush_all()
    assert alone.doubled == 4
    # the line's and the task's total (no rule watches it) in one flush statement
    with assert_query_count(1):
        task.line_ids.write({"amount": 2})
        env.flush_all()
    assert (task.total, task.counter) == (2, 0)


def test_statements_of_a_recomputation_firing_a_rule(env, make_rule, assert_query_count):
    watch_total(make_rule, env)
    task = env[TASK].create({"name": "t", "line_ids": [(0, 0, {"amount": 1})]})
    env.flush_all()
    assert task.total == 1  # cached: the value before costs no SELECT
    # the line's UPDATE and the task's total and counter: one flush statement
    with assert_query_count(1):
        task.line_ids.write({"amount": 2})
        env.flush_all()
    assert (task.total, task.counter) == (2, 1)
