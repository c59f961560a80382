"""The company's setting: whether confirming a quotation wins its opportunity."""

from __future__ import annotations

from erplite import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_won_on_order_confirm = fields.Boolean(
        "Won on Order Confirmation",
        default=True,
        help="When a quotation made from an opportunity becomes a sales order (confirmed, or "
        "approved by a manager), the opportunity is marked won.",
    )
