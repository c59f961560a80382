"""The stamps of a customer's documents (orders, leads): the document carries its customer's
``x_sa_id`` and ``x_actor_id`` (stored related fields, recomputed when the customer's stamps
change), and is visible to a member exactly when its customer is (``x_sa_visible``, used by the
rules)."""

from __future__ import annotations

from erplite import api, fields, models

from .res_partner import _visibility


class SaStampedMixin(models.AbstractModel):
    _name = "sa.stamped.mixin"
    _description = "Governance Stamps of a Customer's Document"

    #: whether a document without a customer is visible to everyone (a lead may have none)
    _sa_visible_without_customer = False

    # the customer whose stamps the document carries (the document's own field)
    partner_id = fields.Many2one("res.partner")
    x_sa_id = fields.Many2one(
        related="partner_id.x_sa_id", store=True, index=True, string="Service Account"
    )
    x_actor_id = fields.Many2one(related="partner_id.x_actor_id", store=True, string="Actor")
    x_sa_visible = fields.Boolean(
        "Visible by Governance", compute="_compute_x_sa_visible", search="_search_x_sa_visible"
    )

    def _compute_x_sa_visible(self):
        visible = set(self.search([("id", "in", self.ids), ("x_sa_visible", "=", True)]).ids)
        for record in self:
            record["x_sa_visible"] = record.id in visible

    @api.model
    def _search_x_sa_visible(self, operator, value):
        domain = self.env["res.partner"]._governance_visible_domain("partner_id.")
        if self._sa_visible_without_customer:
            domain = ["|", ("partner_id", "=", False), *domain]
        return _visibility(domain, operator, value)
