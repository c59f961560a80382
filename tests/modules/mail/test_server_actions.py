"""The mail states of ``ir.actions.server``: send an email from a template, add followers,
plan an activity, run as the calling user."""

from __future__ import annotations

from typing import Any

import pytest

from erplite.exceptions import AccessError, ValidationError


def _action(env: Any, **values: Any) -> Any:
    return env["ir.actions.server"].create(
        {"name": "Test", "model_id": env["ir.model"]._get_id("sale.order"), **values}
    )


def _run(action: Any, records: Any) -> Any:
    """Run ``action`` on ``records`` as their environment's user."""
    return (
        action.with_env(records.env)
        .with_context(active_model=records._name, active_ids=records.ids)
        .run()
    )


def test_mail_post_queues_the_template_on_each_record(env: Any, make_order: Any) -> None:
    template = env["mail.template"].create(
        {
            "name": "Thanks",
            "model_id": env["ir.model"]._get_id("sale.order"),
            "subject": "Thanks for {{ object.name }}",
            "email_to": "{{ object.partner_id.email }}",
            "body_html": "<p>Thanks</p>",
        }
    )
    orders = make_order() | make_order()
    action = _action(env, state="mail_post", template_id=template.id)
    _run(action, orders)
    mails = env["mail.mail"].search([("res_id", "in", orders.ids), ("model", "=", "sale.order")])
    assert sorted(mails.mapped("subject")) == sorted(f"Thanks for {o.name}" for o in orders)


def test_followers_and_next_activity(
    env: Any, make_order: Any, customer: Any, salesman: Any
) -> None:
    order = make_order(user_id=salesman.id)
    _run(_action(env, state="followers", partner_ids=[(6, 0, [customer.id])]), order)
    assert customer in order.message_partner_ids
    activity_action = _action(
        env,
        state="next_activity",
        activity_type_id=env.ref("mail.mail_activity_data_call").id,
        activity_summary="Call about the quotation",
        activity_date_deadline_range=2,
        activity_user_type="generic",
        activity_user_field_name="user_id",
    )
    _run(activity_action, order)
    activity = order.activity_ids
    assert activity.summary == "Call about the quotation"
    assert activity.user_id == salesman
    assert activity.state == "planned"
    assert order.activity_state == "planned"


def test_a_template_of_another_model_is_refused(env: Any) -> None:
    template = env["mail.template"].create(
        {"name": "Partner", "model_id": env["ir.model"]._get_id("res.partner")}
    )
    with pytest.raises(ValidationError, match="is for res.partner"):
        _action(env, state="mail_post", template_id=template.id)


def test_actions_run_with_the_callers_rights(
    env: Any, make_order: Any, customer: Any, make_user: Any
) -> None:
    other = make_user("other", "sales_team.group_sale_salesman")
    order = make_order(user_id=env.user.id)  # not other's
    action = _action(env, state="followers", partner_ids=[(6, 0, [customer.id])])
    with pytest.raises(AccessError):
        _run(action.with_user(other), order.with_user(other))
