"""A sales order's deliveries.

Taking the workflow's step to ``sale`` (confirm, or a manager's approve) makes the delivery of
the order's storable products not yet planned: one transfer per order, of the delivery type
of the order's warehouse (by default the company's first), from its stock to the customers,
with one move per line, confirmed and linked (``picking_ids``, ``sale_line_id``). The order's
``delivery_status``: ``pending`` while nothing is delivered, ``partial`` once a delivery is
done and another one is open, ``full`` once all are done (False with no delivery).

Cancelling an order cancels its open deliveries, and is refused for an order whose delivery is
done (return the products first).
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

DELIVERY_STATUSES = [
    ("pending", "Not Delivered"),
    ("partial", "Partially Delivered"),
    ("full", "Fully Delivered"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Warehouse",
        compute="_compute_warehouse_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="The warehouse its products are delivered from.",
    )
    picking_ids = fields.One2many("stock.picking", "sale_id", string="Transfers")
    delivery_count = fields.Integer("Delivery Orders", compute="_compute_delivery_count")
    delivery_status = fields.Selection(
        DELIVERY_STATUSES,
        string="Delivery Status",
        compute="_compute_delivery_status",
        store=True,
        help="Whether the order's products have been delivered.",
    )

    @api.depends("company_id")
    def _compute_warehouse_id(self):
        order: Any
        for order in self:
            if not order.warehouse_id or order.warehouse_id.company_id != order.company_id:
                order.warehouse_id = (
                    self.env["stock.warehouse"]
                    .sudo()
                    .search([("company_id", "=", order.company_id.id)], limit=1)
                )

    @api.depends("picking_ids")
    def _compute_delivery_count(self):
        order: Any
        for order in self:
            order.delivery_count = len(order.picking_ids)

    @api.depends("picking_ids.state")
    def _compute_delivery_status(self):
        order: Any
        for order in self:
            states = [p.state for p in order.picking_ids if p.state != "cancel"]
            if not states:
                order.delivery_status = False
            elif all(state == "done" for state in states):
                order.delivery_status = "full"
            elif any(state == "done" for state in states):
                order.delivery_status = "partial"
            else:
                order.delivery_status = "pending"

    # ------------------------------------------------------------------------------------------
    # the workflow's steps
    # ------------------------------------------------------------------------------------------
    def _transition(self, step: str, values: dict | None = None) -> None:
        if step == "cancel":
            self._check_not_delivered()
        parent: Any = super()  # the method is the orders module's
        parent._transition(step, values)
        if step == "cancel":
            self.sudo().picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ).action_cancel()
        elif self and self[:1].state == "sale":
            self._create_deliveries()

    def _check_not_delivered(self) -> None:
        for order in self.sudo():
            done = order.picking_ids.filtered(lambda p: p.state == "done")
            if done:
                raise UserError(
                    f"{order.name} cannot be cancelled: its delivery {', '.join(done.mapped('name'))}"
                    " is done. Return the products first."
                )

    def _create_deliveries(self) -> None:
        """One delivery per order of the storable products its moves do not cover yet (added
        to the order's open delivery if it has one), confirmed."""
        Picking = self.env["stock.picking"].sudo()
        for order in self.sudo():
            moves = []
            for line in order.order_line:
                if line._needs_delivery():
                    quantity = line._quantity_to_deliver()
                    if quantity > 0:
                        moves.append((line, quantity))
            if not moves:
                continue
            warehouse = order.warehouse_id
            if not warehouse:
                raise UserError(
                    f"{order.name} cannot be delivered: its company {order.company_id.name} has "
                    "no warehouse."
                )
            picking_type = warehouse.out_type_id
            open_picking = order.picking_ids.filtered(
                lambda p, t=picking_type: (
                    p.state not in ("done", "cancel") and p.picking_type_id == t
                )
            )[:1]
            move_vals = [
                {
                    "name": line.name,
                    "product_id": line.product_id.id,
                    "product_uom_qty": quantity,
                    "sale_line_id": line.id,
                    "partner_id": order.partner_id.id,
                    "origin": order.name,
                    "company_id": order.company_id.id,
                    "location_id": picking_type.default_location_src_id.id,
                    "location_dest_id": picking_type.default_location_dest_id.id,
                    "picking_type_id": picking_type.id,
                }
                for line, quantity in moves
            ]
            if open_picking:
                for vals in move_vals:
                    vals["picking_id"] = open_picking.id
                self.env["stock.move"].sudo().create(move_vals)._action_confirm()
                continue
            picking = Picking.create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": order.partner_id.id,
                    "origin": order.name,
                    "sale_id": order.id,
                    "scheduled_date": order.date_order,
                    "move_ids": [(0, 0, vals) for vals in move_vals],
                }
            )
            picking.action_confirm()

    # ------------------------------------------------------------------------------------------
    # screens
    # ------------------------------------------------------------------------------------------
    def action_view_delivery(self):
        """The order's deliveries: the form of the only one, else their list."""
        self.ensure_one()
        pickings = self.picking_ids
        action = {
            "name": "Delivery Orders",
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "domain": [("sale_id", "=", self.id)],
            "context": {"default_sale_id": self.id},
        }
        if len(pickings) == 1:
            action.update(view_mode="form", views=[[False, "form"]], res_id=pickings.id)
        else:
            action.update(view_mode="tree,form", views=[[False, "tree"], [False, "form"]])
        return action
