"""The outgoing mail queue against a real SMTP server started by the test: messages to the
followers are queued in the transaction and sent by ``process_email_queue`` (the scheduled
job's method); a refusing or unreachable server leaves the mail queued with its reason and
retries it later, a permanent refusal puts it in ``exception``."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from smtp_server import free_port, smtp_server, text_of  # noqa: E402

RETRIES = 4  # RETRY_DELAYS of mail.mail


@pytest.fixture
def mail_server(env: Any) -> Any:
    """``mail_server(port)``: the only active ``ir.mail_server``, on 127.0.0.1:port."""

    def make(port: int) -> Any:
        env["ir.mail_server"].search([]).write({"active": False})
        return env["ir.mail_server"].create(
            {"name": "test", "smtp_host": "127.0.0.1", "smtp_port": port}
        )

    return make


def _queued(env: Any, order: Any) -> Any:
    return env["mail.mail"].search(
        [("model", "=", "sale.order"), ("res_id", "=", order.id)], order="id"
    )


def test_a_message_to_followers_is_queued_then_sent_by_the_job(
    env: Any, make_order: Any, customer: Any, mail_server: Any
) -> None:
    order = make_order()
    order.message_subscribe(partner_ids=[customer.id])
    order.message_post(
        body="<p>Your quotation is <b>ready</b><script>alert(1)</script></p>",
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
        subject="Quotation ready",
    )
    mail = _queued(env, order)
    assert mail.state == "outgoing" and mail.recipient_ids == customer
    assert "<script>" not in mail.body  # the message's body is sanitised
    with smtp_server() as (recorder, port):
        mail_server(port)
        assert env["mail.mail"].process_email_queue() == 1
    assert mail.state == "sent"
    ((recipients, received),) = recorder.messages
    assert recipients == ["azure@example.com"]
    assert received["Subject"] == "Quotation ready"
    assert "Your quotation is ready" in text_of(received)


def test_notes_are_not_mailed(env: Any, make_order: Any, customer: Any) -> None:
    order = make_order()
    order.message_subscribe(partner_ids=[customer.id])
    order.message_post(body="internal remark", subtype_xmlid="mail.mt_note")
    assert not _queued(env, order)


def test_a_temporary_refusal_keeps_the_mail_queued_and_retries_it(
    env: Any, make_order: Any, customer: Any, mail_server: Any
) -> None:
    order = make_order()
    order.message_subscribe(partner_ids=[customer.id])
    order.message_post(body="hello", message_type="comment", subtype_xmlid="mail.mt_comment")
    mail = _queued(env, order)
    with smtp_server() as (recorder, port):
        mail_server(port)
        recorder.refuse_data = "451 Try again later"
        env["mail.mail"].process_email_queue()
        assert mail.state == "outgoing"
        assert mail.attempt_count == 1
        assert "451 Try again later" in mail.failure_reason
        assert mail.scheduled_date > datetime.datetime.utcnow()
        # not due yet: the job leaves it alone
        assert env["mail.mail"].process_email_queue() == 0
        mail.scheduled_date = datetime.datetime.utcnow() - datetime.timedelta(seconds=1)
        recorder.refuse_data = None
        assert env["mail.mail"].process_email_queue() == 1
    assert mail.state == "sent" and len(recorder.messages) == 1


def test_a_permanent_refusal_is_a_failure_with_its_reason(
    env: Any, make_order: Any, customer: Any, mail_server: Any
) -> None:
    order = make_order()
    order.message_subscribe(partner_ids=[customer.id])
    order.message_post(body="hello", message_type="comment", subtype_xmlid="mail.mt_comment")
    mail = _queued(env, order)
    with smtp_server() as (recorder, port):
        mail_server(port)
        recorder.refuse_rcpt = "550 No such user here"
        env["mail.mail"].process_email_queue()
    assert mail.state == "exception"
    assert mail.failure_type == "mail_email_invalid"
    assert "550 No such user here" in mail.failure_reason
    assert recorder.messages == []


def test_an_unreachable_server_is_retried_then_given_up(
    env: Any, make_order: Any, customer: Any, mail_server: Any
) -> None:
    order = make_order()
    order.message_subscribe(partner_ids=[customer.id])
    order.message_post(body="hello", message_type="comment", subtype_xmlid="mail.mt_comment")
    mail = _queued(env, order)
    mail_server(free_port())  # nothing listens there
    for attempt in range(1, RETRIES + 2):
        mail.scheduled_date = False
        env["mail.mail"].process_email_queue()
        assert mail.attempt_count == attempt
        assert mail.failure_type == "mail_smtp"
        assert "127.0.0.1" in mail.failure_reason
    assert mail.state == "exception"
    assert mail.failure_reason.startswith(f"Given up after {RETRIES + 1} attempts")


def test_a_template_renders_subject_and_body_with_the_record(
    env: Any, make_order: Any, customer: Any, mail_server: Any
) -> None:
    order = make_order()
    # QWeb where base renders it (Odoo 17's body_html), else the inline syntax
    body = (
        '<p>Total: <t t-out="object.amount_total"/></p>'
        if "ir.qweb" in env
        else "<p>Total: {{ object.amount_total }}</p>"
    )
    template = env["mail.template"].create(
        {
            "name": "Order confirmation",
            "model_id": env["ir.model"]._get_id("sale.order"),
            "subject": "Order {{ object.name }} for {{ object.partner_id.name }}",
            "email_to": "{{ object.partner_id.email }}",
            "body_html": body,
        }
    )
    mail_id = template.send_mail(order.id)
    mail = env["mail.mail"].browse(mail_id)
    assert mail.subject == f"Order {order.name} for Azure Interior"
    assert mail.email_to == "azure@example.com"
    assert "Total: 110.0" in mail.body_html
    with smtp_server() as (recorder, port):
        mail_server(port)
        env["mail.mail"].process_email_queue()
    ((recipients, received),) = recorder.messages
    assert recipients == ["azure@example.com"]
    assert received["Subject"] == f"Order {order.name} for Azure Interior"


@pytest.mark.parametrize(
    "expression",
    ["{{ object._name }}", "{{ object.env.cr }}", "{{ object.sudo() }}", "{{ object.write({}) }}"],
)
def test_templates_cannot_reach_private_attributes_or_change_data(
    env: Any, make_order: Any, expression: str
) -> None:
    from erplite.exceptions import UserError

    template = env["mail.template"].create(
        {
            "name": "Evil",
            "model_id": env["ir.model"]._get_id("sale.order"),
            "subject": expression,
        }
    )
    with pytest.raises(UserError, match="cannot be rendered"):
        template.generate_email(make_order().id, ["subject"])


def test_the_scheduled_job_sends_the_queue_once_and_a_rollback_sends_nothing(
    clone_database: Any, erplite_addons_paths: Any
) -> None:
    """On a database of its own (the job commits): a mail queued by a committed transaction
    is sent by the job "Mail: Email Queue Manager" run through ``ir.cron._run_due``, once;
    one queued by a rolled-back transaction never existed."""
    from erplite import SUPERUSER_ID, Registry, api
    from erplite.sql import close_pool

    dsn = clone_database()
    registry = Registry(dsn, addons_paths=erplite_addons_paths)
    try:
        with smtp_server() as (recorder, port):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["ir.cron"].search([]).write({"active": False})
                job = env.ref("mail.ir_cron_mail_scheduler_action")
                due = datetime.datetime.utcnow() - datetime.timedelta(seconds=30)
                job.write({"active": True, "nextcall": due})
                env["ir.mail_server"].create(
                    {"name": "local", "smtp_host": "127.0.0.1", "smtp_port": port}
                )
                env["mail.mail"].create({"subject": "kept", "email_to": "a@example.com"})
            with pytest.raises(RuntimeError), registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["mail.mail"].create({"subject": "rolled back", "email_to": "b@example.com"})
                raise RuntimeError("the request fails after queuing")
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                assert env["ir.cron"]._run_due(env) == 1
                assert env["ir.cron"]._run_due(env) == 0  # rescheduled in a minute
        assert [message["Subject"] for _to, message in recorder.messages] == ["kept"]
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert env["mail.mail"].search([]).mapped("state") == ["sent"]
    finally:
        close_pool(dsn)
