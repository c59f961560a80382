"""``account.tax``: the taxes applied to sold products, and how they are computed.

A small version of Odoo's ``account.tax``: a percentage of the price or a fixed amount per
unit, included in the price or added to it. :meth:`AccountTax.compute_all` is the one place
where a price becomes untaxed and taxed amounts; sale order lines call it.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import ValidationError


class AccountTax(models.Model):
    _name = "account.tax"
    _description = "Tax"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char("Tax Name", required=True)
    description = fields.Char("Label on Invoices")
    type_tax_use = fields.Selection(
        [("sale", "Sales"), ("purchase", "Purchases"), ("none", "None")],
        string="Tax Type",
        required=True,
        default="sale",
        help="Determines where the tax is selectable.",
    )
    amount_type = fields.Selection(
        [("percent", "Percentage of Price"), ("fixed", "Fixed")],
        string="Tax Computation",
        required=True,
        default="percent",
        help="Percentage of Price: the amount is a percentage of the untaxed price.\n"
        "Fixed: the amount is a fixed value per unit sold.",
    )
    amount = fields.Float(
        required=True,
        digits=(16, 4),
        default=0.0,
        help="The percentage (15 for 15%), or the amount per unit when fixed.",
    )
    price_include = fields.Boolean(
        "Included in Price",
        default=False,
        help="Whether the prices this tax applies to already contain it.",
    )
    active = fields.Boolean(default=True, help="Archived taxes are no longer proposed.")
    sequence = fields.Integer(default=1, help="Taxes are applied in this order.")
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id, type_tax_use)",
            "Tax names must be unique per company and tax type!",
        ),
    ]

    @api.constrains("amount", "amount_type")
    def _check_amount(self):
        for tax in self:
            if tax.amount_type == "percent" and not -100 < tax.amount <= 100:
                raise ValidationError(
                    f"The percentage of tax {tax.name!r} must be between -100 and 100, "
                    f"not {tax.amount}."
                )

    def _filter_taxes_by_company(self, company: Any) -> Any:
        """The taxes of ``self`` that belong to ``company`` (a shared product holds the taxes
        of several companies)."""
        return self.filtered(lambda tax: tax.company_id == company)

    def compute_all(
        self,
        price_unit: float,
        currency: Any = None,
        quantity: float = 1.0,
        product: Any = None,
        partner: Any = None,
    ) -> dict[str, Any]:
        """The taxes of ``self`` applied to ``quantity`` units at ``price_unit``.

        Returns Odoo's structure: ``total_excluded`` (untaxed), ``total_included`` (taxed),
        ``total_void`` (= ``total_excluded``), ``base``, and ``taxes``, one dict per tax
        (``id``, ``name``, ``amount``, ``base``, ``sequence``, ``price_include``) in the order
        they apply. Every amount is rounded to ``currency`` (default: the first tax's company
        currency, else the current company's); each tax is rounded on its own, and the totals
        are the sums of rounded amounts, so that ``total_included - total_excluded`` is always
        the sum of the listed tax amounts.

        Taxes included in the price are first taken out of it; the others are then computed on
        that untaxed base. ``product`` and ``partner`` are accepted for compatibility with
        Odoo's signature; this version does not use them.
        """
        taxes = self.sorted(key=lambda tax: (tax.sequence, tax.id))
        if currency is None:
            currency = (taxes[:1].company_id or self.env.company).currency_id
        sign = -1.0 if quantity < 0 else 1.0
        total = price_unit * quantity

        # Taxes included in the price: the price is base + those taxes.
        included_fixed = sum(
            tax.amount * quantity
            for tax in taxes
            if tax.price_include and tax.amount_type == "fixed"
        )
        included_rate = sum(
            tax.amount for tax in taxes if tax.price_include and tax.amount_type == "percent"
        )
        base = (total - included_fixed) / (1.0 + included_rate / 100.0)

        details = []
        for tax in taxes:
            if tax.amount_type == "fixed":
                amount = sign * abs(quantity) * tax.amount
            else:
                amount = base * tax.amount / 100.0
            details.append(
                {
                    "id": tax.id,
                    "name": tax.name,
                    "amount": currency.round(amount),
                    "base": currency.round(base),
                    "sequence": tax.sequence,
                    "price_include": tax.price_include,
                }
            )
        included = sum(detail["amount"] for detail in details if detail["price_include"])
        excluded = sum(detail["amount"] for detail in details if not detail["price_include"])
        # For included taxes the rounded taxed total is the price itself: the untaxed amount
        # absorbs the rounding, as in Odoo.
        total_excluded = (
            currency.round(currency.round(total) - included)
            if included_rate or included_fixed
            else currency.round(base)
        )
        total_included = currency.round(total_excluded + included + excluded)
        return {
            "base": currency.round(base),
            "taxes": details,
            "total_excluded": total_excluded,
            "total_included": total_included,
            "total_void": total_excluded,
        }
