"""``stock.warehouse.orderpoint``: a min/max reordering rule of a product in a location.

When the forecast of the product in the location (``virtual_available`` there, plus what draft
receipts made by the rule already bring) falls below ``product_min_qty``, the scheduler orders
enough to reach ``product_max_qty`` (rounded up to a multiple of ``qty_multiple``): a draft
receipt from the vendors' location into the rule's location, one per warehouse, each rule a
move of it. ``run_scheduler`` is the method of the ``ir.cron`` job "Inventory: reordering
rules" (``inventory.ir_cron_scheduler_action``), as Odoo's procurement scheduler.
"""

from __future__ import annotations

import math
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import ValidationError

from .stock_quant import PRECISION, computed_quantity, float_round


class StockWarehouseOrderpoint(models.Model):
    _name = "stock.warehouse.orderpoint"
    _description = "Minimum Inventory Rule"
    _order = "location_id, product_id, id"
    _check_company_auto = True

    name = fields.Char("Name", required=True, copy=False, default=lambda self: self._default_name())
    active = fields.Boolean(default=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        "Warehouse",
        required=True,
        ondelete="cascade",
        check_company=True,
        default=lambda self: self._default_warehouse(),
    )
    location_id = fields.Many2one(
        "stock.location",
        "Location",
        required=True,
        ondelete="cascade",
        check_company=True,
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    product_id = fields.Many2one(
        "product.product",
        "Product",
        required=True,
        ondelete="cascade",
        check_company=True,
        domain=[("type", "=", "product")],
    )
    company_id = fields.Many2one(
        "res.company",
        "Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    product_min_qty = fields.Float("Min Quantity", digits=(16, PRECISION), default=0.0)
    product_max_qty = fields.Float("Max Quantity", digits=(16, PRECISION), default=0.0)
    qty_multiple = fields.Float("Multiple Quantity", digits=(16, PRECISION), default=1.0)
    qty_forecast = computed_quantity(
        "Forecast", "_compute_qty", "The product's forecast in the location."
    )
    qty_to_order = computed_quantity(
        "To Order", "_compute_qty", "What the next run of the scheduler orders."
    )
    move_ids = fields.One2many("stock.move", "orderpoint_id", string="Replenishments")

    _sql_constraints = [
        (
            "qty_multiple_check",
            "CHECK(qty_multiple >= 0)",
            "Qty Multiple must be greater than or equal to zero.",
        ),
        (
            "product_location_check",
            "unique(product_id, location_id, company_id)",
            "A product has one reordering rule per location.",
        ),
    ]

    def _default_name(self) -> str:
        return self.env["ir.sequence"].sudo().next_by_code("stock.orderpoint") or "OP"

    def _default_warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    @api.depends("warehouse_id")
    def _compute_location_id(self):
        orderpoint: Any
        for orderpoint in self:
            if not orderpoint.location_id:
                orderpoint.location_id = orderpoint.warehouse_id.lot_stock_id

    @api.constrains("product_min_qty", "product_max_qty")
    def _check_min_max(self):
        for orderpoint in self:
            if orderpoint.product_min_qty < 0 or orderpoint.product_max_qty < 0:
                raise ValidationError(
                    f"{orderpoint.name} ({orderpoint.product_id.display_name}): the minimum and "
                    "maximum quantities cannot be negative."
                )
            if orderpoint.product_min_qty > orderpoint.product_max_qty:
                raise ValidationError(
                    f"{orderpoint.name} ({orderpoint.product_id.display_name}): the minimum "
                    f"({orderpoint.product_min_qty:g}) cannot exceed the maximum "
                    f"({orderpoint.product_max_qty:g})."
                )

    def _compute_qty(self):
        drafts = self._draft_quantities()
        orderpoint: Any
        for orderpoint in self:
            product = orderpoint.product_id.with_context(location=orderpoint.location_id.id)
            forecast = float_round(product.virtual_available + drafts.get(orderpoint.id, 0.0))
            orderpoint.qty_forecast = forecast
            orderpoint.qty_to_order = orderpoint._quantity_to_order(forecast)

    def _draft_quantities(self) -> dict[int, float]:
        groups = (
            self.env["stock.move"]
            .sudo()
            ._read_group(
                [("orderpoint_id", "in", self.ids), ("state", "=", "draft")],
                ["orderpoint_id"],
                ["product_uom_qty:sum"],
            )
        )
        return {orderpoint.id: quantity or 0.0 for orderpoint, quantity in groups}

    def _quantity_to_order(self, forecast: float) -> float:
        if forecast >= self.product_min_qty:
            return 0.0
        quantity = self.product_max_qty - forecast
        if self.qty_multiple > 0:
            quantity = math.ceil(round(quantity / self.qty_multiple, PRECISION)) * self.qty_multiple
        return float_round(quantity)

    @api.model
    @api.private
    def run_scheduler(self) -> int:
        """Turn the rules below their minimum into draft receipts, one per warehouse; return
        the number of receipts made (the method of the scheduled job)."""
        self.env["stock.picking"].check_access_rights("create")
        orderpoints = self.search([])
        return orderpoints._procure()

    def action_replenish(self):
        """Order now what the rules need (the button of the rules' list)."""
        self.env["stock.picking"].check_access_rights("create")
        self._procure()
        return True

    def _procure(self) -> int:
        vendors: Any = self.env.ref("inventory.stock_location_suppliers")
        by_warehouse: dict = {}
        for orderpoint in self:
            quantity = orderpoint.qty_to_order
            if quantity > 0:
                by_warehouse.setdefault(orderpoint.warehouse_id, []).append((orderpoint, quantity))
        Picking = self.env["stock.picking"].sudo()
        for warehouse, rows in by_warehouse.items():
            Picking.create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "location_id": vendors.id,
                    "location_dest_id": warehouse.lot_stock_id.id,
                    "origin": ", ".join(orderpoint.name for orderpoint, _qty in rows),
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": orderpoint.product_id.id,
                                "product_uom_qty": quantity,
                                "location_id": vendors.id,
                                "location_dest_id": orderpoint.location_id.id,
                                "orderpoint_id": orderpoint.id,
                                "origin": orderpoint.name,
                                "company_id": orderpoint.company_id.id,
                            },
                        )
                        for orderpoint, quantity in rows
                    ],
                }
            )
        return len(by_warehouse)


class StockMove(models.Model):
    _inherit = "stock.move"

    orderpoint_id = fields.Many2one(
        "stock.warehouse.orderpoint", "Reordering Rule", index=True, check_company=True
    )


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _invalidate_quantities(self) -> None:
        # the rules' forecasts are computed from the products' quantities
        parent: Any = super()  # the method is product_product.py's
        parent._invalidate_quantities()
        self.env["stock.warehouse.orderpoint"].invalidate_model(
            ["qty_forecast", "qty_to_order"], flush=False
        )
