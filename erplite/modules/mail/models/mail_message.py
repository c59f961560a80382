"""``mail.message``: one entry of a record's history (its chatter): a message to the
followers, an internal note, or a notification such as tracked field changes.

A message belongs to a document (``model``, ``res_id``); reading one needs read access to that
document, writing or deleting one write access (:mod:`erplite.tools.document_access`). Messages
are written by ``mail.thread`` (``message_post``, tracking), which checks the document first.
The body is sanitised HTML (the ``Html`` field's sanitiser)."""

from __future__ import annotations

import re
from typing import Any

from erplite import api, fields, models
from erplite.tools import document_access

_TAGS = re.compile(r"<[^>]+>")

MESSAGE_TYPES = [
    ("email", "Email"),
    ("comment", "Comment"),
    ("notification", "System notification"),
    ("auto_comment", "Automated Targeted Notification"),
    ("user_notification", "User Specific Notification"),
]


class MailMessage(models.Model):
    _name = "mail.message"
    _description = "Message"
    _order = "id desc"
    _rec_name = "record_name"
    # Indexes: res_id (a record's history), author and parent only: every tracked change
    # inserts rows here, and each index costs on every insert.

    subject = fields.Char("Subject")
    date = fields.Datetime("Date", default=fields.Datetime.now)
    body = fields.Html("Contents", default="")
    preview = fields.Char("Preview", compute="_compute_preview")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "message_attachment_rel",
        "message_id",
        "attachment_id",
        string="Attachments",
    )
    parent_id = fields.Many2one("mail.message", "Parent Message", index=True, ondelete="set null")
    model = fields.Char("Related Document Model")
    res_id = fields.Integer("Related Document ID", index=True)
    record_name = fields.Char("Message Record Name")
    message_type = fields.Selection(MESSAGE_TYPES, "Type", required=True, default="comment")
    subtype_id = fields.Many2one("mail.message.subtype", "Subtype", ondelete="set null")
    is_internal = fields.Boolean("Employee Only", related="subtype_id.internal")
    mail_activity_type_id = fields.Many2one(
        "mail.activity.type", "Mail Activity Type", ondelete="set null"
    )
    email_from = fields.Char("From")
    author_id = fields.Many2one("res.partner", "Author", index=True, ondelete="set null")
    partner_ids = fields.Many2many("res.partner", string="Recipients")
    tracking_value_ids = fields.One2many(
        "mail.tracking.value", "mail_message_id", string="Tracking values"
    )

    def _compute_preview(self):
        message: Any
        for message in self:
            text = _TAGS.sub(" ", message.body or "")
            message.preview = " ".join(text.split())[:120]

    # -- access through the document ----------------------------------------------------------
    def _check_rules(self, mode: str) -> None:
        super()._check_rules(mode)
        document_access.check(self, mode, "model")

    def _fetch_fields(self, fields: Any, join: tuple | None = None) -> list[int]:
        if not self.env.su:
            document_access.check(self, "read", "model")
        return super()._fetch_fields(fields, join)

    def _search(self, domain: Any, offset: int = 0, limit: int | None = None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        return document_access.search(self, super()._search, domain, offset, limit, order, "model")

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access_rights("create")  # the model's right first, then the documents'
        if not self.env.su:
            for vals in vals_list:
                document_access.check_records(
                    self.env, vals.get("model") or "", [vals.get("res_id") or 0], "write"
                )
        return super().create(vals_list)

    # -- the chatter --------------------------------------------------------------------------
    def message_format(self) -> list[dict]:
        """The messages as the chatter shows them: author, date, body, type, subtype,
        attachments and tracked changes."""
        result = []
        for message in self:
            result.append(
                {
                    "id": message.id,
                    "author": message.author_id.display_name or message.email_from or "",
                    "date": message.date,
                    "body": message.body or "",
                    "subject": message.subject or "",
                    "message_type": message.message_type,
                    "subtype": message.subtype_id.name or "",
                    "is_note": bool(message.subtype_id.internal),
                    "attachments": [
                        {"id": a.id, "name": a.name, "mimetype": a.mimetype}
                        for a in message.attachment_ids
                    ],
                    "tracking_values": message.sudo().tracking_value_ids._tracking_values_format(),
                }
            )
        return result
