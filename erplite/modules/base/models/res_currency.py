"""``res.currency``: currencies with their rounding."""

from __future__ import annotations

import math

from erplite import fields, models


class ResCurrency(models.Model):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"

    name = fields.Char("Currency", size=3, required=True)
    full_name = fields.Char("Name")
    symbol = fields.Char(required=True)
    rounding = fields.Float("Rounding Factor", default=0.01)
    decimal_places = fields.Integer(compute="_compute_decimal_places")
    active = fields.Boolean(default=True)
    position = fields.Selection(
        [("after", "After Amount"), ("before", "Before Amount")], default="after"
    )

    _sql_constraints = [("unique_name", "UNIQUE (name)", "The currency code must be unique!")]

    def _compute_decimal_places(self):
        for currency in self:
            rounding = currency.rounding
            currency.decimal_places = (
                int(math.ceil(math.log10(1 / rounding))) if 0 < rounding < 1 else 0
            )

    def round(self, amount: float) -> float:
        """``amount`` rounded to the currency's precision (half away from zero)."""
        self.ensure_one()
        rounding = self.rounding or 0.01
        quotient = abs(amount) / rounding
        rounded = math.floor(quotient + 0.5 + 1e-9) * rounding
        return round(math.copysign(rounded, amount), self.decimal_places)

    def is_zero(self, amount: float) -> bool:
        return abs(self.round(amount)) < (self.rounding or 0.01) / 2
