"""The stamps on leads: a lead or opportunity of a governed customer carries its customer's
``x_sa_id`` and ``x_actor_id`` (stored related fields, recomputed when the customer's stamps
change), and is visible to a member exactly when its customer is (``x_sa_visible``, used by the
rules); a lead without a customer is not governed."""

from __future__ import annotations

from erplite import api, fields, models

from .res_partner import _visibility


class CrmLead(models.Model):
    _inherit = "crm.lead"

    x_sa_id = fields.Many2one(
        related="partner_id.x_sa_id", store=True, index=True, string="Service Account"
    )
    x_actor_id = fields.Many2one(related="partner_id.x_actor_id", store=True, string="Actor")
    x_sa_visible = fields.Boolean(
        "Visible by Governance", compute="_compute_x_sa_visible", search="_search_x_sa_visible"
    )

    def _compute_x_sa_visible(self):
        visible = set(self.search([("id", "in", self.ids), ("x_sa_visible", "=", True)]).ids)
        for lead in self:
            lead["x_sa_visible"] = lead.id in visible

    @api.model
    def _search_x_sa_visible(self, operator, value):
        domain = self.env["res.partner"]._governance_visible_domain("partner_id.")
        return _visibility(["|", ("partner_id", "=", False), *domain], operator, value)
