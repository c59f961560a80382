"""The mail states of ``ir.actions.server`` (Odoo 17's, added by the mail module):

- ``mail_post``: send an email from ``template_id`` on each record (queued, sent by the mail
  queue's job; ``mail_post_method`` ``"comment"`` posts it in the chatter instead, as a
  message to the followers);
- ``followers``: add ``partner_ids`` as followers of each record;
- ``next_activity``: plan an activity (``activity_type_id``, ``activity_summary``,
  ``activity_note``, due ``activity_date_deadline_range`` ``activity_date_deadline_range_type``
  after today) for ``activity_user_id`` (``activity_user_type="specific"``) or for the user in
  the record's field ``activity_user_field_name`` (``"generic"``, e.g. ``user_id``).

They run as the calling user, with their rights, as the other states do.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from erplite import api, fields, models
from erplite.exceptions import UserError, ValidationError

from .mail_activity import user_today


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[
            ("mail_post", "Send Email"),
            ("followers", "Add Followers"),
            ("next_activity", "Create Activity"),
        ],
    )
    template_id = fields.Many2one("mail.template", "Email Template", ondelete="set null")
    mail_post_method = fields.Selection(
        [("email", "Email"), ("comment", "Message")],
        string="Send Email As",
        default="email",
    )
    partner_ids = fields.Many2many("res.partner", string="Add Followers")
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity Type")
    activity_summary = fields.Char("Activity Summary")
    activity_note = fields.Html("Activity Note")
    activity_date_deadline_range = fields.Integer("Due Date In")
    activity_date_deadline_range_type = fields.Selection(
        [("days", "Days"), ("weeks", "Weeks"), ("months", "Months")],
        string="Due type",
        default="days",
    )
    activity_user_type = fields.Selection(
        [("specific", "Specific User"), ("generic", "Generic User From Record")],
        default="specific",
        string="User Type",
    )
    activity_user_id = fields.Many2one("res.users", string="Responsible")
    activity_user_field_name = fields.Char("User Field", default="user_id")

    @api.constrains("state", "template_id", "activity_type_id", "model_id")
    def _check_mail_states(self):
        for action in self:
            label = f"Server action {action.name!r}"
            model_name = action.model_id.model
            if action.state == "mail_post":
                if not action.template_id:
                    raise ValidationError(f"{label}: choose the email template to send")
                if action.template_id.model != model_name:
                    raise ValidationError(
                        f"{label}: the template {action.template_id.name!r} is for "
                        f"{action.template_id.model}, not {model_name}"
                    )
            elif action.state in ("followers", "next_activity"):
                needed = "mail.thread" if action.state == "followers" else "mail.activity.mixin"
                model = self.env[model_name] if model_name in self.env else None
                if model is None or not hasattr(
                    model, "message_subscribe" if needed == "mail.thread" else "activity_schedule"
                ):
                    raise ValidationError(f"{label}: the model {model_name} is not a {needed}")

    def _run_action_mail_post(self, records: Any) -> Any:
        template = self.template_id
        for record in records:
            if self.mail_post_method == "comment":
                values = template.generate_email(record.id, ["subject", "body_html"])
                record.message_post(
                    body=values["body_html"],
                    subject=values["subject"] or None,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            else:
                template.with_env(records.env).send_mail(record.id)
        return False

    def _run_action_followers(self, records: Any) -> Any:
        if records and self.partner_ids:
            records.message_subscribe(partner_ids=self.partner_ids.ids)
        return False

    def _run_action_next_activity(self, records: Any) -> Any:
        if not records:
            return False
        today = user_today(records.env.user)
        count = self.activity_date_deadline_range or 0
        unit = self.activity_date_deadline_range_type or "days"
        deadline: datetime.date = today + relativedelta(**{unit: count})
        for record in records:
            if self.activity_user_type == "generic":
                name = self.activity_user_field_name or "user_id"
                if name not in record._fields or record._fields[name].comodel_name != "res.users":
                    raise UserError(
                        f"Server action {self.name!r}: {record._name}.{name} is not a user field"
                    )
                user = record[name] or records.env.user
            else:
                user = self.activity_user_id or records.env.user
            record.activity_schedule(
                date_deadline=deadline,
                summary=self.activity_summary or "",
                note=self.activity_note or "",
                user_id=user.id,
                activity_type_id=self.activity_type_id.id or False,
            )
        return False
