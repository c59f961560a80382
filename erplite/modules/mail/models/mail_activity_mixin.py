"""``mail.activity.mixin``: activities on the records of a model (Odoo 17's mixin).

A model inheriting it gets ``activity_ids`` (its planned activities, soonest first),
``activity_state`` (``overdue``/``today``/``planned`` of the most urgent one, searchable),
``activity_user_id``, ``activity_type_id``, ``activity_date_deadline``, ``activity_summary``,
``my_activity_date_deadline`` (the current user's next deadline on the record), and
``activity_schedule(act_type_xmlid, date_deadline, summary, note, user_id=...)``.
Deleting a record deletes its activities.
"""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from erplite import api, fields, models

from .mail_activity import STATES, deadline_state, user_today


class MailActivityMixin(models.AbstractModel):
    _name = "mail.activity.mixin"
    _description = "Activity Mixin"

    activity_ids = fields.Many2many(
        "mail.activity", compute="_compute_activity_ids", string="Activities", copy=False
    )
    activity_state = fields.Selection(
        STATES,
        string="Activity State",
        compute="_compute_activity_fields",
        search="_search_activity_state",
    )
    activity_user_id = fields.Many2one(
        "res.users", "Responsible User", compute="_compute_activity_fields"
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type", "Next Activity Type", compute="_compute_activity_fields"
    )
    activity_date_deadline = fields.Date(
        "Next Activity Deadline", compute="_compute_activity_fields"
    )
    my_activity_date_deadline = fields.Date(
        "My Activity Deadline", compute="_compute_activity_fields"
    )
    activity_summary = fields.Char("Next Activity Summary", compute="_compute_activity_fields")

    def _activities_by_record(self) -> dict[int, list[dict]]:
        """The activities of ``self`` (read as superuser after the records themselves were
        read by the user), soonest first, by record id: one query."""
        rows = (
            self.env["mail.activity"]
            .sudo()
            .search_read(
                [("res_model", "=", self._name), ("res_id", "in", [i for i in self.ids if i])],
                ["res_id", "user_id", "activity_type_id", "date_deadline", "summary"],
                load="",
            )
        )
        by_record: dict[int, list[dict]] = {}
        for row in rows:
            by_record.setdefault(row["res_id"], []).append(row)
        return by_record

    def _compute_activity_ids(self):
        by_record = self._activities_by_record()
        record: Any
        for record in self:
            record.activity_ids = [(6, 0, [row["id"] for row in by_record.get(record.id, [])])]

    def _compute_activity_fields(self):
        by_record = self._activities_by_record()
        today = user_today(self.env.user)
        uid = self.env.uid
        record: Any
        for record in self:
            rows = by_record.get(record.id, [])
            first = rows[0] if rows else None
            mine = [row for row in rows if row["user_id"] == uid]
            record.activity_state = (
                deadline_state(first["date_deadline"], today) if first else False
            )
            record.activity_user_id = first["user_id"] if first else False
            record.activity_type_id = first["activity_type_id"] if first else False
            record.activity_date_deadline = first["date_deadline"] if first else False
            record.activity_summary = first["summary"] if first else False
            record.my_activity_date_deadline = mine[0]["date_deadline"] if mine else False

    def _search_activity_state(self, operator: str, value: Any) -> list:
        """Records whose most urgent activity is in the state(s) ``value`` (``False``: none)."""
        values = [value] if not isinstance(value, list | tuple) else list(value)
        if operator not in ("=", "in", "!=", "not in"):
            raise ValueError(f"activity_state: operator {operator!r} is not supported")
        rows = (
            self.env["mail.activity"]
            .sudo()
            .search_read([("res_model", "=", self._name)], ["res_id", "date_deadline"], load="")
        )
        soonest: dict[int, datetime.date] = {}
        for row in rows:
            current = soonest.get(row["res_id"])
            if current is None or row["date_deadline"] < current:
                soonest[row["res_id"]] = row["date_deadline"]
        today = user_today(self.env.user)
        matching = [
            res_id for res_id, day in soonest.items() if deadline_state(day, today) in values
        ]
        positive = operator in ("=", "in")
        if False in values:
            with_activity = list(soonest)
            if positive:
                return ["|", ("id", "in", matching), ("id", "not in", with_activity)]
            return [("id", "in", [i for i in with_activity if i not in matching])]
        return [("id", "in" if positive else "not in", matching)]

    @api.model
    def _default_activity_type(self) -> Any:
        return self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)

    def activity_schedule(
        self,
        act_type_xmlid: str = "",
        date_deadline: datetime.date | str | None = None,
        summary: str = "",
        note: str = "",
        **act_values: Any,
    ) -> Any:
        """Plan an activity on each record (Odoo 17's signature): of type
        ``act_type_xmlid`` (default: To-Do), due on ``date_deadline`` (default: today plus
        the type's delay), assigned to ``user_id`` (default: the current user)."""
        activity_type = (
            self.env.ref(act_type_xmlid) if act_type_xmlid else self._default_activity_type()
        )
        if date_deadline is None:
            date_deadline = deadline_for(activity_type, user_today(self.env.user))
        model_id = self.env["ir.model"]._get_id(self._name)
        values_list = []
        for record in self:
            values = {
                "res_model_id": model_id,
                "res_model": self._name,
                "res_id": record.id,
                "activity_type_id": activity_type.id if activity_type else False,
                "summary": summary or (activity_type.summary if activity_type else False),
                "note": note or (activity_type.default_note if activity_type else False),
                "date_deadline": date_deadline,
                "automated": True,
            }
            values.update(act_values)
            values_list.append(values)
        activities = self.env["mail.activity"].create(values_list)
        self.invalidate_recordset(["activity_ids"], flush=False)
        return activities

    def unlink(self):
        ids = list(self.ids)
        name = self._name
        result = super().unlink()
        if ids:
            self.env["mail.activity"].sudo().search(
                [("res_model", "=", name), ("res_id", "in", ids)]
            ).unlink()
        return result


def deadline_for(activity_type: Any, today: datetime.date) -> datetime.date:
    """Today plus the type's delay (the due date of a new activity of that type)."""
    if not activity_type or not activity_type.delay_count:
        return today
    count = activity_type.delay_count
    if activity_type.delay_unit == "weeks":
        return today + datetime.timedelta(weeks=count)
    if activity_type.delay_unit == "months":
        return today + relativedelta(months=count)
    return today + datetime.timedelta(days=count)
