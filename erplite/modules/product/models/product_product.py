"""``product.product``: the things a company sells.

erplite has no product templates nor variants: a product is one record with its prices, its
category and the taxes applied when it is sold (``taxes_id``, by default the company's sale
tax). A product without a company is shared by every company; its taxes may then belong to
several companies, and each sale keeps those of its own company (as in Odoo 17, ``taxes_id`` is
not ``check_company``).
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.sql import SQL


class ProductProduct(models.Model):
    _name = "product.product"
    _description = "Product"
    _order = "default_code, name, id"
    _rec_names_search = ["name", "default_code"]
    _check_company_auto = True

    name = fields.Char(required=True, index="trigram")
    default_code = fields.Char("Internal Reference", index=True)
    description = fields.Text(help="Internal notes about the product.")
    type = fields.Selection(
        [("consu", "Consumable"), ("service", "Service"), ("product", "Storable Product")],
        string="Product Type",
        required=True,
        default="consu",
        help="A storable product has its stock managed; a consumable is delivered but not "
        "counted; a service is not delivered.",
    )
    list_price = fields.Float(
        "Sales Price",
        default=1.0,
        digits=(16, 2),
        help="Price at which the product is sold to customers.",
    )
    standard_price = fields.Float(
        "Cost", digits=(16, 2), help="What the product costs the company."
    )
    uom_name = fields.Char("Unit of Measure", required=True, default="Units")
    categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        required=True,
        index=True,
        default=lambda self: self._default_category(),
    )
    taxes_id = fields.Many2many(
        "account.tax",
        "product_taxes_rel",
        "prod_id",
        "tax_id",
        string="Customer Taxes",
        domain=[("type_tax_use", "=", "sale")],
        default=lambda self: self.env.company.account_sale_tax_id,
        help="Default taxes used when selling the product. A product shared by several "
        "companies holds the taxes of each: a sale keeps those of its own company.",
    )
    active = fields.Boolean(
        default=True, help="Archived products are hidden but kept on existing orders."
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        help="Leave empty to share the product with every company.",
    )

    _sql_constraints = [
        ("list_price_positive", "CHECK (list_price >= 0)", "The sales price cannot be negative."),
    ]

    def _default_category(self):
        return self.env.ref("product.product_category_all", raise_if_not_found=False)

    @api.depends("name", "default_code")
    def _compute_display_name(self):
        for product in self:
            if product.default_code:
                product.display_name = f"[{product.default_code}] {product.name}"
            else:
                product.display_name = product.name

    @classmethod
    def _display_name_sql(cls, column: Any) -> SQL:
        """``_compute_display_name`` in SQL (searches join it: see ``_display_name_sql`` of
        ``BaseModel``); ``name`` is required, never NULL."""
        code, name = column("default_code"), column("name")
        return SQL(
            "CASE WHEN %s <> '' THEN '[' || %s || '] ' || %s ELSE %s END", code, code, name, name
        )
