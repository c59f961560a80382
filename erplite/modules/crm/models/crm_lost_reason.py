"""``crm.lost.reason``: why opportunities are lost."""

from __future__ import annotations

from typing import Any

from erplite import fields, models


class CrmLostReason(models.Model):
    """A reason given when an opportunity is marked lost; counts the leads lost for it."""

    _name = "crm.lost.reason"
    _description = "Opp. Lost Reason"
    _order = "name"

    name = fields.Char("Description", required=True)
    active = fields.Boolean("Active", default=True)
    leads_count = fields.Integer("Leads Count", compute="_compute_leads_count")

    def _compute_leads_count(self) -> None:
        counts: dict[int, int] = {}
        if self.ids:
            groups: Any = (
                self.env["crm.lead"]
                .with_context(active_test=False)
                .read_group(
                    [("lost_reason_id", "in", self.ids)], ["lost_reason_id"], ["lost_reason_id"]
                )
            )
            counts = {g["lost_reason_id"][0]: g["lost_reason_id_count"] for g in groups}
        reason: Any
        for reason in self:
            reason.leads_count = counts.get(reason.id, 0)
