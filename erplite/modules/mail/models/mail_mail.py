"""``mail.mail``: the outgoing mail queue (Odoo 17's model, with retries).

A mail is created in the transaction that decides to send it (a message to followers, a
template's ``send_mail``), in the state ``outgoing``: a rollback sends nothing. The scheduled
job "Mail: Email Queue Manager" calls :meth:`MailMail.process_email_queue`, which claims one
due mail at a time (``FOR UPDATE SKIP LOCKED``: any number of runners, never twice), sends it
through SMTP (``ir.mail_server``) and records the outcome:

- sent: ``state = 'sent'`` (deleted when ``auto_delete``, as in Odoo);
- a temporary failure (server unreachable, 4xx answer, timeout): the mail stays ``outgoing``
  with its ``failure_reason``, and is tried again after ``RETRY_DELAYS`` (1, 5, 15, 60
  minutes); once they are used up it goes to ``exception``;
- a permanent failure (5xx answer, no recipient, no server configured is temporary): state
  ``exception``, ``failure_type`` and ``failure_reason`` say why.

A failing SMTP server never blocks a user's request (sending happens in the job) and never
loses a mail (it stays in the queue with its error until it is sent or given up).
"""

from __future__ import annotations

import datetime
import email.utils
import html as html_module
import logging
import os
import re
import smtplib
from email.message import EmailMessage
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError
from erplite.sql import SQL

_logger = logging.getLogger(__name__)

#: minutes to wait before each new try after a temporary failure; then it is given up
RETRY_DELAYS = (1, 5, 15, 60)

FAILURE_TYPES = [
    ("unknown", "Unknown error"),
    ("mail_email_invalid", "Invalid email address"),
    ("mail_email_missing", "Missing email address"),
    ("mail_smtp", "Connection failed (outgoing mail server problem)"),
]


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class MailMail(models.Model):
    _name = "mail.mail"
    _description = "Outgoing Mails"
    _inherits = {"mail.message": "mail_message_id"}
    _order = "id desc"
    _rec_name = "subject"

    mail_message_id = fields.Many2one(
        "mail.message", "Message", required=True, ondelete="cascade", index=True
    )
    body_html = fields.Text("Text Contents", help="Rich-text/HTML message")
    references = fields.Text("References", readonly=True)
    headers = fields.Text("Headers", copy=False)
    email_to = fields.Text("To", help="Message recipients (emails)")
    email_cc = fields.Char("Cc", help="Carbon copy message recipients")
    recipient_ids = fields.Many2many(
        "res.partner",
        "mail_mail_res_partner_rel",
        "mail_mail_id",
        "partner_id",
        string="To (Partners)",
    )
    state = fields.Selection(
        [
            ("outgoing", "Outgoing"),
            ("sent", "Sent"),
            ("received", "Received"),
            ("exception", "Delivery Failed"),
            ("cancel", "Cancelled"),
        ],
        "Status",
        readonly=True,
        copy=False,
        default="outgoing",
        index=True,
    )
    failure_type = fields.Selection(FAILURE_TYPES, string="Failure type")
    failure_reason = fields.Text("Failure Reason", readonly=True, copy=False)
    auto_delete = fields.Boolean("Auto Delete", help="Delete the mail once sent")
    scheduled_date = fields.Datetime(
        "Scheduled Send Date", index=True, help="Not sent before this date (UTC)"
    )
    attempt_count = fields.Integer("Attempts", readonly=True, copy=False)
    mail_server_id = fields.Many2one("ir.mail_server", "Outgoing mail server")

    # ------------------------------------------------------------------------------------------
    # the queue
    # ------------------------------------------------------------------------------------------
    @api.model
    def process_email_queue(self, batch_size: int = 100, auto_commit: bool = False) -> int:
        """Send up to ``batch_size`` due outgoing mails, one at a time, each claimed with
        ``FOR UPDATE SKIP LOCKED``; return how many were tried. With ``auto_commit`` (the
        scheduled job) each outcome is committed at once, so a crash never sends a mail
        twice nor forgets one that was sent."""
        tried = 0
        skipped: list[int] = []
        while tried < batch_size:
            mail = self._claim_next(skipped)
            if mail is None:
                break
            tried += 1
            mail._send_one()
            if auto_commit:
                self.env.cr.commit()
        return tried

    def _claim_next(self, skipped: list[int]) -> Any:
        """Lock the next due outgoing mail (not locked by another runner), or ``None``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM mail_mail WHERE state = 'outgoing' "
                "AND (scheduled_date IS NULL OR scheduled_date <= %s) "
                "AND NOT id = ANY(%s) "
                "ORDER BY scheduled_date NULLS FIRST, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                _utcnow(),
                skipped,
            ),
            flush=False,
        )
        row = self.env.cr.fetchone()
        if row is None:
            return None
        skipped.append(row[0])
        return self.sudo().browse(row[0])

    def send(self, raise_exception: bool = False) -> bool:
        """Send these mails now (Odoo 17's method), whatever their schedule."""
        for mail in self.sudo():
            if mail.state == "outgoing":
                mail._send_one(raise_exception=raise_exception)
        return True

    def mark_outgoing(self) -> bool:
        """Queue failed or cancelled mails again (a fresh series of tries)."""
        self.write(
            {
                "state": "outgoing",
                "attempt_count": 0,
                "failure_reason": False,
                "failure_type": False,
                "scheduled_date": False,
            }
        )
        return True

    def cancel(self) -> bool:
        self.write({"state": "cancel"})
        return True

    # ------------------------------------------------------------------------------------------
    # sending one mail
    # ------------------------------------------------------------------------------------------
    def _recipients(self) -> list[str]:
        addresses = []
        for text in (self.email_to or "", self.email_cc or ""):
            addresses += [a for _n, a in email.utils.getaddresses([text]) if a]
        for partner in self.recipient_ids:
            if partner.email:
                addresses.append(partner.email)
        return list(dict.fromkeys(addresses))

    def _build_email(self, sender: str, recipients: list[str]) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = self.subject or ""
        message["From"] = sender
        message["To"] = ", ".join(recipients)
        if self.email_cc:
            message["Cc"] = self.email_cc
        message["Date"] = email.utils.formatdate(localtime=False)
        message["Message-Id"] = email.utils.make_msgid(domain="erplite")
        if self.references:
            message["References"] = self.references
        body = self.body_html or self.body or ""
        message.set_content(_html_to_text(body))
        message.add_alternative(body, subtype="html")
        for attachment in self.attachment_ids.sudo():
            maintype, _slash, subtype = (
                attachment.mimetype or "application/octet-stream"
            ).partition("/")
            message.add_attachment(
                attachment.raw or b"",
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=attachment.name,
            )
        return message

    def _send_one(self, raise_exception: bool = False) -> None:
        """Try to send this mail once and record the outcome (see the module docstring)."""
        self.ensure_one()
        recipients = self._recipients()
        if not recipients:
            self._fail("mail_email_missing", "The mail has no recipient with an email address.")
            return
        settings = self.env["ir.mail_server"]._settings_for(self.mail_server_id)
        if settings is None:
            self._retry_later(
                "mail_smtp",
                "No outgoing mail server is configured (ir.mail_server or ERPLITE_SMTP_SERVER).",
            )
            return
        sender = self.email_from or _default_sender(self.env)
        message = self._build_email(sender, recipients)
        try:
            session = settings.connect()
            try:
                refused = session.send_message(message, from_addr=sender, to_addrs=recipients)
            finally:
                try:
                    session.quit()
                except (OSError, smtplib.SMTPException):
                    session.close()
        except smtplib.SMTPRecipientsRefused as error:
            self._fail("mail_email_invalid", _smtp_reason(error))
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                self._retry_later("mail_smtp", _smtp_reason(error))
            else:
                self._fail("mail_smtp", _smtp_reason(error))
        except (OSError, smtplib.SMTPException) as error:
            self._retry_later("mail_smtp", f"{settings.host}:{settings.port}: {error}")
        else:
            reason = "Refused recipients: " + ", ".join(sorted(refused)) if refused else False
            values = {"state": "sent", "failure_reason": reason, "failure_type": False}
            values["attempt_count"] = self.attempt_count + 1
            self.write(values)
            _logger.info("mail.mail %s sent to %d recipient(s)", self.id, len(recipients))
            if self.auto_delete:
                self.unlink()
            return
        if raise_exception:
            raise UserError(f"The mail could not be sent: {self.failure_reason}")

    def _retry_later(self, failure_type: str, reason: str) -> None:
        """A temporary failure: try again after the next delay, or give up."""
        attempts = self.attempt_count + 1
        values: dict[str, Any] = {
            "attempt_count": attempts,
            "failure_type": failure_type,
            "failure_reason": reason,
        }
        if attempts > len(RETRY_DELAYS):
            values["state"] = "exception"
            values["failure_reason"] = f"Given up after {attempts} attempts: {reason}"
        else:
            delay = datetime.timedelta(minutes=RETRY_DELAYS[attempts - 1])
            values["scheduled_date"] = _utcnow() + delay
        self.write(values)
        _logger.warning("mail.mail %s not sent (attempt %d): %s", self.id, attempts, reason)

    def _fail(self, failure_type: str, reason: str) -> None:
        """A permanent failure: the mail goes to ``exception``."""
        self.write(
            {
                "state": "exception",
                "failure_type": failure_type,
                "failure_reason": reason,
                "attempt_count": self.attempt_count + 1,
            }
        )
        _logger.warning("mail.mail %s failed: %s", self.id, reason)


def _smtp_reason(error: Any) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in error.recipients.items()
        )
    text = error.smtp_error
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{error.smtp_code} {text}"


def _default_sender(env: Any) -> str:
    return os.environ.get("ERPLITE_EMAIL_FROM") or env.user.partner_id.email or "erplite@localhost"


def _html_to_text(html: str) -> str:
    text = re.sub(r"<br\s*/?>|</p>|</div>|</li>", "\n", html, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return html_module.unescape(text).strip() + "\n"
