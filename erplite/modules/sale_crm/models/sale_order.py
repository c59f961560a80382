"""Quotations know the opportunity they were made from (``opportunity_id``). When one becomes
a sales order (the workflow's step to ``sale``: confirm, or a manager's approve), its
opportunity is marked won if the order's company says so (``crm_won_on_order_confirm``);
opportunities already won, lost or archived are left as they are."""

from __future__ import annotations

from typing import Any

from erplite import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    opportunity_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        index=True,
        check_company=True,
        ondelete="set null",
        domain="[('type', '=', 'opportunity'), '|', ('company_id', '=', False), "
        "('company_id', '=', company_id)]",
    )

    def _transition(self, step: str, values: dict | None = None) -> None:
        parent: Any = super()  # the method is the orders module's
        parent._transition(step, values)
        if self and self[:1].state == "sale":
            self._win_opportunities()

    def _win_opportunities(self) -> None:
        """Mark won the open opportunities (or leads) of the orders of ``self`` whose company
        asks for it. A side effect of the order's step, which the user was allowed to take:
        done as superuser, as the workflow writes the order's state."""
        orders: Any = self.sudo().filtered(
            lambda order: order.opportunity_id and order.company_id.crm_won_on_order_confirm
        )
        opportunities = orders.mapped("opportunity_id").filtered(
            lambda lead: lead._pipeline_state() in ("lead", "open")
        )
        if opportunities:
            opportunities.action_set_won()
