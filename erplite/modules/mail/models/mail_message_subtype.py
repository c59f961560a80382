"""``mail.message.subtype``: the kinds of messages a thread receives (a discussion message, a
note, a tracked change, "order confirmed"...). A follower follows some subtypes of a record;
an ``internal`` subtype (a note) is never sent to customers."""

from __future__ import annotations

from erplite import fields, models


class MailMessageSubtype(models.Model):
    _name = "mail.message.subtype"
    _description = "Message subtypes"
    _order = "sequence, id"

    name = fields.Char("Message Type", required=True)
    description = fields.Text("Description", help="The body of a message of this subtype")
    internal = fields.Boolean("Internal Only", help="Notes: never sent to external followers")
    res_model = fields.Char("Model", help="The model the subtype is for; empty: every model")
    default = fields.Boolean("Default", default=True, help="Followed by new followers")
    sequence = fields.Integer("Sequence", default=1)
    hidden = fields.Boolean("Hidden", help="Not offered in the followers' subtype choice")
    track_recipients = fields.Boolean("Track Recipients")
