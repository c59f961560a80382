"""``mail.activity``: something to do on a record, by someone, by a date (Odoo 17's model).

An activity has a type (``activity_type_id``), a ``summary``, a ``note``, a due date
(``date_deadline``) and an assignee (``user_id``); its ``state`` is ``overdue`` (due before
today), ``today`` or ``planned``, today being the assignee's (their time zone). Marking it done
(``action_done()`` / ``action_feedback(feedback)``) posts "<type> done" with the feedback in the
record's chatter and removes the activity; ``action_cancel()`` removes it without a trace, as
deleting one does in Odoo.

Access goes through the record (:mod:`erplite.tools.document_access`): whoever may read the
record sees its activities, whoever may change it plans or edits them; the assignee may always
mark their own activity done.

The scheduled job "Mail: Activity Reminders" calls :meth:`MailActivity.send_due_reminders`:
one email per activity due today or overdue, to its assignee, once.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import escape

from erplite import api, fields, models
from erplite.tools import document_access

STATES = [("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned")]


def user_today(user: Any) -> datetime.date:
    """Today's date in ``user``'s time zone (UTC when they have none)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    try:
        zone = ZoneInfo(user.tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def deadline_state(deadline: datetime.date | None, today: datetime.date) -> str | bool:
    if not deadline:
        return False
    if deadline < today:
        return "overdue"
    if deadline == today:
        return "today"
    return "planned"


class MailActivity(models.Model):
    _name = "mail.activity"
    _description = "Activity"
    _order = "date_deadline ASC, id ASC"
    _rec_name = "summary"

    res_model_id = fields.Many2one(
        "ir.model", "Document Model", index=True, ondelete="cascade", required=True
    )
    res_model = fields.Char("Related Document Model", index=True, required=True)
    res_id = fields.Integer("Related Document ID", index=True, required=True)
    res_name = fields.Char("Document Name", compute="_compute_res_name")
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity Type", ondelete="restrict"
    )
    icon = fields.Char("Icon", related="activity_type_id.icon")
    summary = fields.Char("Summary")
    note = fields.Html("Note")
    date_deadline = fields.Date("Due Date", index=True, required=True, default=fields.Date.today)
    user_id = fields.Many2one(
        "res.users", "Assigned to", default=lambda self: self.env.user, index=True, required=True
    )
    request_partner_id = fields.Many2one("res.partner", string="Requesting Partner")
    state = fields.Selection(STATES, "State", compute="_compute_state", search="_search_state")
    automated = fields.Boolean("Automated activity", readonly=True)
    reminder_sent = fields.Boolean("Reminder sent", readonly=True, copy=False)

    # -- computed -----------------------------------------------------------------------------
    def _compute_res_name(self):
        activity: Any
        for activity in self:
            name = ""
            if activity.res_model in self.env and activity.res_id:
                record = self.env[activity.res_model].sudo().browse(activity.res_id).exists()
                name = record.display_name if record else ""
            activity.res_name = name

    @api.depends("date_deadline", "user_id")
    def _compute_state(self):
        activity: Any
        for activity in self:
            activity.state = deadline_state(
                activity.date_deadline, user_today(activity.user_id or self.env.user)
            )

    def _search_state(self, operator: str, value: Any) -> list:
        """``state`` as a condition on the due date, for today in the current user's zone."""
        today = user_today(self.env.user)
        by_state = {
            "overdue": [("date_deadline", "<", today)],
            "today": [("date_deadline", "=", today)],
            "planned": [("date_deadline", ">", today)],
        }
        values = [value] if isinstance(value, str) else list(value or [])
        if operator in ("=", "in"):
            wanted = [v for v in values if v in by_state]
        elif operator in ("!=", "not in"):
            wanted = [s for s in by_state if s not in values]
        else:
            raise ValueError(f"mail.activity.state: operator {operator!r} is not supported")
        if not wanted:
            return [("id", "=", 0)]
        domain: list = ["|"] * (len(wanted) - 1)
        for state in wanted:
            domain += by_state[state]
        return domain

    # -- access through the record ------------------------------------------------------------
    def _check_rules(self, mode: str) -> None:
        super()._check_rules(mode)
        if mode != "read" and self._assigned_to_me():
            document_access.check(self, "read", "res_model")
            return
        document_access.check(self, mode, "res_model")

    def _assigned_to_me(self) -> bool:
        rows = self.sudo().read(["user_id"], load="")
        return bool(rows) and all(row["user_id"] == self.env.uid for row in rows)

    def _fetch_fields(self, fields: Any, join: tuple | None = None) -> list[int]:
        if not self.env.su:
            document_access.check(self, "read", "res_model")
        return super()._fetch_fields(fields, join)

    def _search(self, domain: Any, offset: int = 0, limit: int | None = None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        return document_access.search(
            self, super()._search, domain, offset, limit, order, "res_model"
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access_rights("create")  # the model's right first, then the documents'
        # the document of a dialog's new activity comes from its context (default_res_model,
        # default_res_id): known before the document's right is checked below
        vals_list = [self._with_document_defaults(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("res_model_id") and not vals.get("res_model"):
                vals["res_model"] = self.env["ir.model"].sudo().browse(vals["res_model_id"]).model
            elif vals.get("res_model") and not vals.get("res_model_id"):
                vals["res_model_id"] = self.env["ir.model"]._get_id(vals["res_model"])
            if not self.env.su:
                document_access.check_records(
                    self.env, vals.get("res_model") or "", [vals.get("res_id") or 0], "write"
                )
        return super().create(vals_list)

    def _with_document_defaults(self, vals: dict) -> dict:
        missing = [name for name in ("res_model", "res_id") if not vals.get(name)]
        if "res_model" in missing and vals.get("res_model_id"):
            missing.remove("res_model")
        if not missing or not any(f"default_{name}" in self.env.context for name in missing):
            return vals
        return {**self.default_get(missing), **vals}

    # -- done, cancel -------------------------------------------------------------------------
    def action_done(self) -> bool:
        """Mark the activities done (see :meth:`action_feedback`)."""
        self.action_feedback()
        return True

    def action_feedback(self, feedback: str | bool = False) -> list[int]:
        """Post "<type> done: <summary>" and ``feedback`` on each activity's record, then
        remove the activities; return the ids of the messages posted."""
        message_ids = []
        for activity in self:
            activity.check_access("write")
            record = self.env[activity.res_model].browse(activity.res_id)
            kind = activity.activity_type_id.name or "Activity"
            body = f"<p>{escape(kind)} done"
            if activity.summary:
                body += f": {escape(activity.summary)}"
            body += "</p>"
            if feedback:
                body += f"<p>{escape(feedback)}</p>"
            if activity.note:
                body += f"<div>{activity.note}</div>"
            if hasattr(record, "message_post"):
                message = record.sudo().message_post(
                    body=body,
                    subtype_xmlid="mail.mt_activities",
                    message_type="notification",
                    author_id=self.env.user.partner_id.id,
                )
                message.sudo().mail_activity_type_id = activity.activity_type_id
                message_ids.append(message.id)
        self.sudo().unlink()
        return message_ids

    def action_cancel(self) -> bool:
        """Remove the activities without posting anything (Odoo deletes cancelled ones)."""
        for activity in self:
            activity.check_access("write")
        self.sudo().unlink()
        return True

    # -- my activities ------------------------------------------------------------------------
    @api.model
    def get_my_activity_counts(self) -> list[dict]:
        """The current user's activities counted by model and state (Odoo 17's systray
        figures): ``[{"model", "name", "total_count", "overdue_count", "today_count",
        "planned_count"}]``, one dict per model, in model order; one query."""
        today = user_today(self.env.user)
        groups = self.sudo()._read_group(
            [("user_id", "=", self.env.uid)], ["res_model", "date_deadline:day"], ["__count"]
        )
        result: dict[str, dict] = {}
        for model_name, day, count in groups:
            if model_name not in self.env:
                continue
            entry = result.setdefault(
                model_name,
                {
                    "model": model_name,
                    "name": self.env[model_name]._description or model_name,
                    "total_count": 0,
                    "overdue_count": 0,
                    "today_count": 0,
                    "planned_count": 0,
                },
            )
            deadline = day.date() if isinstance(day, datetime.datetime) else day
            entry[f"{deadline_state(deadline, today)}_count"] += count
            entry["total_count"] += count
        return [result[name] for name in sorted(result)]

    # -- reminders ----------------------------------------------------------------------------
    @api.model
    def send_due_reminders(self) -> int:
        """Email each assignee of an activity due today or overdue (once per activity);
        return the number of reminders queued. Called by the scheduled job."""
        activities = self.sudo().search(
            [("reminder_sent", "=", False), ("date_deadline", "<=", fields.Date.today())]
        )
        count = 0
        for activity in activities:
            user = activity.user_id
            if not user.partner_id.email:
                continue
            state = deadline_state(activity.date_deadline, user_today(user))
            if state == "planned":
                continue  # not yet due where the assignee lives
            title = activity.summary or activity.activity_type_id.name or "Activity"
            body = (
                f"<p>{escape(title)} on {escape(activity.res_name or activity.res_model)} "
                f"is due on {activity.date_deadline.isoformat()}"
                f"{' (overdue)' if state == 'overdue' else ''}.</p>"
            )
            self.env["mail.mail"].sudo().create(
                {
                    "subject": f"Reminder: {title}",
                    "body_html": body,
                    "body": body,
                    "recipient_ids": [(6, 0, [user.partner_id.id])],
                    "model": activity.res_model,
                    "res_id": activity.res_id,
                    "message_type": "email",
                    "auto_delete": True,
                }
            )
            count += 1
        activities.filtered(lambda a: a.date_deadline).write({"reminder_sent": True})
        return count
