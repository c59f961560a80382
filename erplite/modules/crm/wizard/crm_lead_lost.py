"""``crm.lead.lost``: Odoo 17's "Mark as Lost" wizard: the leads (``lead_ids``, by default the
context's ``active_ids``) are marked lost with the reason chosen; a closing note, when one is
written, is posted on each of them first."""

from __future__ import annotations

import re
from typing import Any

from erplite import fields, models
from erplite.exceptions import UserError


def _is_html_empty(html: str | bool | None) -> bool:
    """Whether ``html`` shows no text (tags, spaces and non-breaking spaces only)."""
    if not html:
        return True
    text = re.sub(r"<[^>]*>|&nbsp;|\s", "", str(html))
    return not text


class CrmLeadLost(models.TransientModel):
    _name = "crm.lead.lost"
    _description = "Get Lost Reason"

    lead_ids = fields.Many2many(
        "crm.lead",
        "crm_lead_lost_lead_rel",
        "wizard_id",
        "lead_id",
        string="Leads",
        default=lambda self: self._default_lead_ids(),
    )
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", ondelete="cascade")
    lost_feedback = fields.Html("Closing Note")

    def _default_lead_ids(self) -> list[int]:
        """The context's ``active_ids`` when they are leads (``active_model`` ``crm.lead``)."""
        context = self.env.context
        if context.get("active_model", "crm.lead") != "crm.lead":
            return []
        return list(context.get("active_ids") or [])

    def action_lost_reason_apply(self) -> Any:
        """Mark the leads lost (refused, with nothing changed, for a won or lost one)."""
        self.ensure_one()
        if not self.lead_ids:
            raise UserError("Choose the leads to mark as lost.")
        self.lead_ids._check_transition("lost")
        if not _is_html_empty(self.lost_feedback):
            lead: Any
            for lead in self.lead_ids:
                lead.message_post(
                    body=f"<p>Lost Comment:</p>{self.lost_feedback}",
                    subtype_xmlid="mail.mt_note",
                    message_type="comment",
                )
        return self.lead_ids.action_set_lost(lost_reason_id=self.lost_reason_id.id)
