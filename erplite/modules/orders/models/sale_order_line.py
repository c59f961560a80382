"""``sale.order.line``: what an order sells, at which price, with which taxes.

Choosing a product proposes its description, its sales price and its taxes (those of the
order's company); each stays editable (computed, stored, ``readonly=False``, ``precompute``, as
in Odoo 17). The amounts are stored computes: a change of quantity, price, discount or taxes
recomputes the line, then its order's totals.

The lines of an order waiting for approval or confirmed are frozen: creating, changing or
deleting one raises ``UserError``.
"""

from __future__ import annotations

from erplite import api, fields, models
from erplite.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _description = "Sales Order Line"
    _order = "order_id, sequence, id"
    _check_company_auto = True

    order_id = fields.Many2one(
        "sale.order",
        string="Order Reference",
        required=True,
        ondelete="cascade",
        index=True,
        copy=False,
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        related="order_id.company_id", store=True, index=True, string="Company"
    )
    currency_id = fields.Many2one(related="order_id.currency_id", store=True, string="Currency")

    product_id = fields.Many2one(
        "product.product",
        string="Product",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    name = fields.Text(
        "Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    product_uom_qty = fields.Float("Quantity", digits=(16, 3), required=True, default=1.0)
    price_unit = fields.Float(
        "Unit Price",
        digits=(16, 2),
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    discount = fields.Float("Discount (%)", digits=(16, 2), default=0.0)
    tax_id = fields.Many2many(
        "account.tax",
        string="Taxes",
        compute="_compute_tax_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain=[("type_tax_use", "=", "sale")],
    )

    price_subtotal = fields.Monetary("Subtotal", compute="_compute_amount", store=True)
    price_tax = fields.Float("Total Tax", compute="_compute_amount", store=True)
    price_total = fields.Monetary("Total", compute="_compute_amount", store=True)

    # ------------------------------------------------------------------------------------------
    # what the product proposes
    # ------------------------------------------------------------------------------------------
    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.display_name
            else:
                line.name = line.name  # keep what was typed

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            line.price_unit = line.product_id.list_price if line.product_id else line.price_unit

    @api.depends("product_id", "company_id")
    def _compute_tax_id(self):
        for line in self:
            company = line.company_id or line.env.company
            line.tax_id = line.product_id.taxes_id._filter_taxes_by_company(company)

    # ------------------------------------------------------------------------------------------
    # amounts
    # ------------------------------------------------------------------------------------------
    @api.depends("product_uom_qty", "discount", "price_unit", "tax_id")
    def _compute_amount(self):
        for line in self:
            price = line.price_unit * (1.0 - (line.discount or 0.0) / 100.0)
            currency = line.currency_id or (line.company_id or line.env.company).currency_id
            taxes = line.tax_id.compute_all(
                price,
                currency=currency or None,
                quantity=line.product_uom_qty,
                product=line.product_id,
                partner=line.order_id.partner_id,
            )
            line.price_subtotal = taxes["total_excluded"]
            line.price_total = taxes["total_included"]
            # the difference of two rounded totals is not rounded (43.96 - 38.2 is
            # 5.760000000000005): the tax amount is rounded to the currency too, as in Odoo
            tax = taxes["total_included"] - taxes["total_excluded"]
            line.price_tax = currency.round(tax) if currency else tax

    @api.constrains("discount")
    def _check_discount(self):
        for line in self:
            if not 0.0 <= line.discount <= 100.0:
                raise ValidationError(
                    f"A discount is a percentage between 0 and 100, not {line.discount}."
                )

    # ------------------------------------------------------------------------------------------
    # frozen lines
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            sorted({vals["order_id"] for vals in vals_list if vals.get("order_id")})
        )
        orders._check_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.order_id._check_lines_editable()
        if vals.get("order_id"):
            self.env["sale.order"].browse(vals["order_id"])._check_lines_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked_order(self):
        self.order_id._check_lines_editable()
