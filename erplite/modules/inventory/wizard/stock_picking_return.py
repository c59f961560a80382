"""``stock.return.picking``: return the products of a done transfer.

Opened on a done transfer (``picking_id``, or ``active_id`` in the context: ``default_get``
takes it, as in Odoo 17), it proposes one line per done move with the quantity not yet
returned (an onchange of ``picking_id`` gives them to the form, as in Odoo 17; ``create``
fills a wizard created without lines, e.g. through RPC); ``create_returns`` makes the return
transfer (the operation type's return type, source and destination swapped, ``return_id``
pointing back), confirms and reserves it, and opens it. Returning more than was delivered (less
what earlier returns took) is refused, naming the product and the quantities.
"""

from __future__ import annotations

from erplite import Command, api, fields, models
from erplite.exceptions import UserError

from ..models.stock_quant import PRECISION, float_round


class StockReturnPicking(models.TransientModel):
    _name = "stock.return.picking"
    _description = "Return Picking"

    picking_id = fields.Many2one("stock.picking", string="Transfer", required=True)
    product_return_moves = fields.One2many("stock.return.picking.line", "wizard_id", "Moves")

    @api.model
    def default_get(self, fields_list):
        context = self.env.context
        if len(context.get("active_ids") or ()) > 1:
            raise UserError("You may only return one transfer at a time.")
        result = super().default_get(fields_list)
        if (
            "picking_id" in fields_list
            and context.get("active_model") == "stock.picking"
            and context.get("active_id")
        ):
            picking = self.env["stock.picking"].browse(context["active_id"]).exists()
            if picking:
                result["picking_id"] = picking.id
        return result

    @api.onchange("picking_id")
    def _onchange_picking_id(self):
        """The lines of the transfer's done moves, as the form proposes them (Odoo 17)."""
        picking = self.picking_id
        lines = [Command.create(v) for v in self._line_values(picking)] if picking else []
        self.product_return_moves = [Command.clear(), *lines]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("picking_id") and self.env.context.get("active_model") == (
                "stock.picking"
            ):
                vals["picking_id"] = self.env.context.get("active_id")
        wizards = super().create(vals_list)
        for wizard, vals in zip(wizards, vals_list):
            if "product_return_moves" not in vals and not wizard.product_return_moves:
                wizard._fill_lines()
        return wizards

    def _fill_lines(self) -> None:
        picking = self.picking_id
        if picking.state != "done":
            raise UserError(f"{picking.name} is not done: only done transfers can be returned.")
        lines = [{"wizard_id": self.id, **values} for values in self._line_values(picking)]
        self.env["stock.return.picking.line"].create(lines)

    @api.model
    def _line_values(self, picking) -> list[dict]:
        """One line per done move of ``picking``, with what can still be returned."""
        return [
            {
                "move_id": move.id,
                "product_id": move.product_id.id,
                "quantity": move._returnable_quantity(),
            }
            for move in picking.move_ids.filtered(lambda m: m.state == "done")
        ]

    def create_returns(self):
        """Make the return transfer; return the action opening it."""
        self.ensure_one()
        picking = self.picking_id
        picking.check_access("write")
        lines = self.product_return_moves.filtered(lambda line: line.quantity > 0)
        if not lines:
            raise UserError(f"Set a quantity to return on a product of {picking.name}.")
        for line in lines:
            returnable = line.move_id._returnable_quantity()
            if line.quantity > returnable:
                raise UserError(
                    f"Cannot return {line.quantity:g} {line.product_id.display_name} of "
                    f"{picking.name}: only {returnable:g} can still be returned."
                )
        return_type = picking.picking_type_id.return_picking_type_id or picking.picking_type_id
        new_picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": return_type.id,
                    "location_id": picking.location_dest_id.id,
                    "location_dest_id": picking.location_id.id,
                    "partner_id": picking.partner_id.id,
                    "origin": f"Return of {picking.name}",
                    "return_id": picking.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.quantity,
                                "location_id": picking.location_dest_id.id,
                                "location_dest_id": line.move_id.location_id.id,
                                "origin_returned_move_id": line.move_id.id,
                                "partner_id": picking.partner_id.id,
                                "company_id": line.move_id.company_id.id,
                                **line.move_id._return_values(),
                            },
                        )
                        for line in lines
                    ],
                }
            )
        )
        new_picking.action_confirm()
        new_picking.action_assign()
        return {
            "name": "Returned Picking",
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": new_picking.id,
            "view_mode": "form",
            "views": [[False, "form"]],
        }


class StockReturnPickingLine(models.TransientModel):
    _name = "stock.return.picking.line"
    _description = "Return Picking Line"

    wizard_id = fields.Many2one("stock.return.picking", string="Wizard", ondelete="cascade")
    product_id = fields.Many2one("product.product", string="Product", required=True)
    quantity = fields.Float("Quantity", digits=(16, PRECISION))
    move_id = fields.Many2one("stock.move", "Move")


class StockMove(models.Model):
    _inherit = "stock.move"

    def _returnable_quantity(self) -> float:
        """What of this done move can still be returned: done minus the returns not
        cancelled."""
        self.ensure_one()
        returned = sum(
            move.product_uom_qty if move.state != "done" else move.quantity
            for move in self.returned_move_ids
            if move.state != "cancel"
        )
        return float_round(self.quantity - returned)

    def _return_values(self) -> dict:
        """Extra values of the move returning this one (the sales bridge adds its line)."""
        return {}
