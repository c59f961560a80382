"""Companies get the amount above which a sales order needs a manager's approval."""

from __future__ import annotations

from erplite import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    so_double_validation_amount = fields.Monetary(
        "Approval Threshold",
        currency_field="currency_id",
        default=5000.0,
        help="Sales orders whose total (taxes included, in the company's currency) reaches "
        "this amount wait for a Sales Manager's approval when they are confirmed.",
    )
