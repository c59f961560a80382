"""The transfers and moves of a sales order: ``stock.picking.sale_id``, ``stock.move.sale_line_id``
(kept by the moves of backorders and returns)."""

from __future__ import annotations

from typing import Any

from erplite import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    sale_id = fields.Many2one(
        "sale.order", string="Sales Order", index=True, copy=True, check_company=True
    )


class StockMove(models.Model):
    _inherit = "stock.move"

    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sale Line", index=True, check_company=True
    )

    def _rest_vals(self, rest: float) -> dict:
        # the rest of a move (its backorder) still delivers the same sale line
        parent: Any = super()  # the method is inventory's, unknown to the type checker
        return {**parent._rest_vals(rest), "sale_line_id": self.sale_line_id.id}

    def _return_values(self) -> dict:
        # a return takes back what the line delivered
        parent: Any = super()
        return {**parent._return_values(), "sale_line_id": self.sale_line_id.id}
