"""Activities: planned on a record, their state by due date, done with feedback in the
chatter, "my activities" counted by state, reminders queued by the scheduled job's method."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from erplite.exceptions import AccessError

TODAY = datetime.date.today()


def _plan(env: Any, order: Any, days: int, user: Any, summary: str = "Call back") -> Any:
    return env["mail.activity"].create(
        {
            "res_model": "sale.order",
            "res_id": order.id,
            "activity_type_id": env.ref("mail.mail_activity_data_call").id,
            "summary": summary,
            "date_deadline": TODAY + datetime.timedelta(days=days),
            "user_id": user.id,
        }
    )


def test_state_follows_the_due_date(env: Any, make_order: Any) -> None:
    order = make_order()
    states = [_plan(env, order, days, env.user).state for days in (-2, 0, 3)]
    assert states == ["overdue", "today", "planned"]
    found = env["mail.activity"].search([("res_id", "=", order.id), ("state", "=", "overdue")])
    assert found.mapped("date_deadline") == [TODAY - datetime.timedelta(days=2)]


def test_done_with_feedback_posts_in_the_chatter_and_removes_it(env: Any, make_order: Any) -> None:
    order = make_order()
    activity = _plan(env, order, 0, env.user, summary="Confirm the delivery date")
    activity.action_feedback(feedback="Customer agreed on Friday")
    assert not activity.exists()
    body = order.message_ids[0].body
    assert "Call done: Confirm the delivery date" in body
    assert "Customer agreed on Friday" in body
    assert order.message_ids[0].mail_activity_type_id == env.ref("mail.mail_activity_data_call")


def test_my_activities_are_counted_by_state(env: Any, make_order: Any, salesman: Any) -> None:
    order = make_order(user_id=salesman.id)
    for days in (-1, -5, 0, 4):
        _plan(env, order, days, salesman)
    _plan(env, order, 0, env.user)  # someone else's
    counts = env["res.users"].with_user(salesman).systray_get_activities()
    assert counts == [
        {
            "model": "sale.order",
            "name": "Sales Order",
            "total_count": 4,
            "overdue_count": 2,
            "today_count": 1,
            "planned_count": 1,
        }
    ]


def test_activities_are_seen_through_the_record(
    env: Any, make_order: Any, salesman: Any, make_user: Any
) -> None:
    other = make_user("other", "sales_team.group_sale_salesman")
    mine = make_order(user_id=salesman.id)
    theirs = make_order(user_id=other.id)
    activities = _plan(env, mine, 1, salesman) | _plan(env, theirs, 1, other)
    visible = env["mail.activity"].with_user(salesman).search([("id", "in", activities.ids)])
    assert visible.mapped("res_id") == [mine.id]
    env.invalidate_all()
    with pytest.raises(AccessError):
        env["mail.activity"].with_user(salesman).browse(activities[1].id).read(["summary"])
    with pytest.raises(AccessError):
        _plan(env(user=salesman), theirs, 1, salesman)


def test_reminders_are_queued_once_for_due_activities(
    env: Any, make_order: Any, salesman: Any
) -> None:
    order = make_order(user_id=salesman.id)
    _plan(env, order, -1, salesman, summary="Overdue call")
    _plan(env, order, 0, salesman, summary="Call today")
    _plan(env, order, 2, salesman, summary="Later call")
    assert env["mail.activity"].send_due_reminders() == 2
    mails = env["mail.mail"].search([("subject", "like", "Reminder:")], order="id")
    assert sorted(mails.mapped("subject")) == ["Reminder: Call today", "Reminder: Overdue call"]
    assert set(mails.mapped("recipient_ids")) == {salesman.partner_id}
    assert env["mail.activity"].send_due_reminders() == 0


def test_the_reminder_job_and_the_queue_job_are_scheduled(env: Any) -> None:
    queue = env.ref("mail.ir_cron_mail_scheduler_action")
    reminders = env.ref("mail.ir_cron_mail_activity_reminders")
    assert (queue.model_id.model, queue.method_name) == ("mail.mail", "process_email_queue")
    assert (reminders.model_id.model, reminders.method_name) == (
        "mail.activity",
        "send_due_reminders",
    )
    assert queue.active and queue.numbercall == -1
