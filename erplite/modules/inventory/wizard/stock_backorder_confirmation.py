"""``stock.backorder.confirmation``: validating a transfer with less than its demand asks
whether the rest becomes a backorder (``process``) or is dropped (``process_cancel_backorder``),
as Odoo 17's wizard does."""

from __future__ import annotations

from erplite import fields, models


class StockBackorderConfirmation(models.TransientModel):
    _name = "stock.backorder.confirmation"
    _description = "Backorder Confirmation"

    pick_ids = fields.Many2many("stock.picking", string="Transfers")

    def process(self):
        """Validate, the rest of each transfer going to a backorder."""
        self.ensure_one()
        return self.pick_ids.with_context(skip_backorder=True).button_validate()

    def process_cancel_backorder(self):
        """Validate, dropping the rest (no backorder)."""
        self.ensure_one()
        return self.pick_ids.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=self.pick_ids.ids
        ).button_validate()
