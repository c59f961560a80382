"""``mail.activity.type``: the kinds of activities planned on records (a call, an email to
send, a meeting, a to-do), with the delay their due date defaults to."""

from __future__ import annotations

from erplite import fields, models


class MailActivityType(models.Model):
    _name = "mail.activity.type"
    _description = "Activity Type"
    _order = "sequence, id"

    name = fields.Char("Name", required=True)
    summary = fields.Char("Default Summary")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    delay_count = fields.Integer(
        "Schedule", default=0, help="The due date is this many units after the scheduling"
    )
    delay_unit = fields.Selection(
        [("days", "days"), ("weeks", "weeks"), ("months", "months")],
        string="Delay units",
        required=True,
        default="days",
    )
    icon = fields.Char("Icon", help="A short label or symbol shown beside the activity")
    res_model = fields.Char("Model", help="Only for the records of this model; empty: any")
    category = fields.Selection(
        [("default", "None"), ("upload_file", "Upload Document"), ("phonecall", "Phonecall")],
        default="default",
    )
    default_user_id = fields.Many2one("res.users", string="Default User")
    default_note = fields.Html(string="Default Note")
