"""``mail.tracking.value``: the old and new value of one tracked field, attached to the
message that records the change (``mail.thread``'s tracking writes them).

Values are kept by type, as Odoo 17 does: integers (booleans and many2one ids too) in
``*_value_integer``, floats and monetary amounts in ``*_value_float`` (with ``currency_id``),
dates and datetimes in ``*_value_datetime``, texts and html in ``*_value_text``, and
characters in ``*_value_char`` (the label of a selection, the display name of a many2one)."""

from __future__ import annotations

from typing import Any

from erplite import fields, models


class MailTrackingValue(models.Model):
    _name = "mail.tracking.value"
    _description = "Mail Tracking Value"
    _order = "id"
    _rec_name = "field_id"
    # part of its message, which says who and when: no create/write columns (four fewer
    # values and two fewer foreign-key checks per tracked field on the hot path)
    _log_access = False

    field_id = fields.Many2one(
        "ir.model.fields", required=True, ondelete="cascade", string="Changed Field"
    )
    old_value_integer = fields.Integer("Old Value Integer")
    old_value_float = fields.Float("Old Value Float")
    old_value_char = fields.Char("Old Value Char")
    old_value_text = fields.Text("Old Value Text")
    old_value_datetime = fields.Datetime("Old Value DateTime")
    new_value_integer = fields.Integer("New Value Integer")
    new_value_float = fields.Float("New Value Float")
    new_value_char = fields.Char("New Value Char")
    new_value_text = fields.Text("New Value Text")
    new_value_datetime = fields.Datetime("New Value Datetime")
    currency_id = fields.Many2one("res.currency", "Currency", ondelete="set null")
    mail_message_id = fields.Many2one(
        "mail.message", "Message ID", required=True, index=True, ondelete="cascade"
    )

    def _value_display(self, side: str) -> str:
        """The ``side`` ("old" or "new") value as a person reads it."""
        self.ensure_one()
        kind = self.field_id.ttype
        if kind in ("integer",):
            return str(self[f"{side}_value_integer"])
        if kind == "boolean":
            return "Yes" if self[f"{side}_value_integer"] else "No"
        value: Any
        if kind in ("float", "monetary"):
            value = self[f"{side}_value_float"]
            if kind == "monetary" and self.currency_id:
                return f"{value:,.2f} {self.currency_id.symbol or self.currency_id.name}"
            return f"{value:,.2f}"
        if kind in ("date", "datetime"):
            value = self[f"{side}_value_datetime"]
            if not value:
                return ""
            return value.date().isoformat() if kind == "date" else value.isoformat(" ")
        if kind in ("text", "html"):
            return self[f"{side}_value_text"] or ""
        return self[f"{side}_value_char"] or ""

    def _tracking_values_format(self) -> list[dict]:
        """The changes as dicts for the chatter: field label, old and new value."""
        return [
            {
                "id": value.id,
                "field": value.field_id.name,
                "changed_field": value.field_id.field_description or value.field_id.name,
                "old_value": value._value_display("old"),
                "new_value": value._value_display("new"),
            }
            for value in self
        ]
