"""``sale.order.history``: one record per workflow step taken on an order: which step, from
which state to which, by whom and when. Written by the workflow only (users read it)."""

from __future__ import annotations

from erplite import fields, models

from .sale_order import ORDER_STATES, TRANSITIONS


class SaleOrderHistory(models.Model):
    _name = "sale.order.history"
    _description = "Sales Order Workflow History"
    _order = "date, id"
    _rec_name = "step"

    order_id = fields.Many2one(
        "sale.order", string="Order", required=True, index=True, ondelete="cascade"
    )
    step = fields.Selection([(step, step.capitalize()) for step in TRANSITIONS], required=True)
    from_state = fields.Selection(ORDER_STATES, string="From", required=True)
    to_state = fields.Selection(ORDER_STATES, string="To", required=True)
    user_id = fields.Many2one("res.users", string="Done by", required=True, ondelete="restrict")
    date = fields.Datetime("Done on", required=True, default=fields.Datetime.now)
    company_id = fields.Many2one(related="order_id.company_id", store=True, string="Company")
