"""Companies get a default sale tax, proposed on the products they create."""

from __future__ import annotations

from erplite import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    account_sale_tax_id = fields.Many2one(
        "account.tax",
        string="Default Sale Tax",
        domain=[("type_tax_use", "=", "sale")],
        help="Proposed on new products of this company.",
    )
