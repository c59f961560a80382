"""``stock.move.line``: the part of a move drawn on one location.

Reserving a move makes one line per quant it draws on (``location_id`` is that quant's
location, under the move's source); a move that reserves nothing (a receipt, a consumable) has
one line from its source. The move's ``quantity`` is the sum of its lines'; validating the move
moves each line's quantity from the line's location to its destination. Lines are written by
the move's methods only.
"""

from __future__ import annotations

from erplite import fields, models

from .stock_quant import PRECISION


class StockMoveLine(models.Model):
    _name = "stock.move.line"
    _description = "Product Moves (Stock Move Line)"
    _order = "move_id, id"
    _check_company_auto = True

    move_id = fields.Many2one(
        "stock.move",
        string="Stock Operation",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    picking_id = fields.Many2one("stock.picking", string="Transfer", index=True, check_company=True)
    company_id = fields.Many2one("res.company", string="Company", required=True, index=True)
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        ondelete="cascade",
        check_company=True,
    )
    quantity = fields.Float("Quantity", digits=(16, PRECISION), default=0.0)
    location_id = fields.Many2one(
        "stock.location", string="From", required=True, check_company=True
    )
    location_dest_id = fields.Many2one(
        "stock.location", string="To", required=True, check_company=True
    )
    state = fields.Selection(related="move_id.state", string="Status")
    date = fields.Datetime(default=fields.Datetime.now, required=True)
    reference = fields.Char(related="move_id.reference")
