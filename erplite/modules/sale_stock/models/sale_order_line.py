"""What an order line delivered: ``qty_delivered``, from its done moves.

A done move to a customer location adds its quantity; a done move from a customer location (a
return) takes it off, as Odoo 17 counts returns that are to be refunded.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    move_ids = fields.One2many("stock.move", "sale_line_id", string="Stock Moves")
    qty_delivered = fields.Float(
        "Delivery Quantity",
        digits=(16, 3),
        compute="_compute_qty_delivered",
        store=True,
        help="What the done deliveries of the line took to the customer, less returns.",
    )

    @api.depends("move_ids.state", "move_ids.quantity")
    def _compute_qty_delivered(self):
        line: Any
        for line in self:
            delivered = 0.0
            for move in line.move_ids:
                if move.state != "done":
                    continue
                if move.location_dest_id.usage == "customer":
                    delivered += move.quantity
                elif move.location_id.usage == "customer":
                    delivered -= move.quantity
            line.qty_delivered = round(delivered, 3)

    def _needs_delivery(self) -> bool:
        return self.product_id.type == "product"

    def _quantity_to_deliver(self) -> float:
        """The line's quantity not yet covered by its moves (cancelled ones aside)."""
        planned = sum(
            move.quantity if move.state == "done" else move.product_uom_qty
            for move in self.move_ids
            if move.state != "cancel" and move.location_dest_id.usage == "customer"
        )
        return round(self.product_uom_qty - planned, 3)
