"""``res.currency``: currencies with their rounding.

What formatting an amount needs of a currency (its symbol, position and decimals) is cached per
registry by :meth:`ResCurrency._formats`, so that a page of amounts reads no currency row: the
cache is dropped in every process when a currency is created, changed or deleted (as views and
menus are: ``erplite.security.invalidate_access_cache``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from erplite import api, fields, models
from erplite.security import shared_cache

from .cached_records import CachedRecords

_FORMATS_KEY = ("res.currency.formats",)


@dataclass(frozen=True)
class CurrencyFormat:
    """A currency as formatting an amount reads it (``format_amount`` takes it as a record)."""

    id: int
    name: str
    symbol: str
    position: str
    rounding: float
    decimal_places: int


class ResCurrency(CachedRecords, models.Model):
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

    @api.model
    def _formats(self, ids: Iterable[int]) -> dict[int, Any]:
        """The currencies ``ids`` that exist, by id, as formatting an amount reads them: a
        :class:`CurrencyFormat` from the registry's cache (no query once cached), or the
        records themselves when the user's reading of currencies is limited by record rules
        or refused (the ORM then applies them, as for any read)."""
        wanted = set(ids)
        if not wanted:
            return {}
        if not self.env.su and (
            not self.check_access_rights("read", raise_exception=False) or self._has_rules("read")
        ):
            return {currency.id: currency for currency in self.browse(sorted(wanted))}
        cache = shared_cache(self.env)
        formats: dict[int, CurrencyFormat] | None = cache.get(_FORMATS_KEY)
        if formats is None or not wanted <= formats.keys():
            formats = cache[_FORMATS_KEY] = self._read_formats()
        return {i: formats[i] for i in wanted if i in formats}

    def _read_formats(self) -> dict[int, CurrencyFormat]:
        currencies = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([], ["name", "symbol", "position", "rounding"])
        )
        return {
            currency.id: CurrencyFormat(
                id=currency.id,
                name=currency.name,
                symbol=currency.symbol or "",
                position=currency.position or "after",
                rounding=currency.rounding,
                decimal_places=currency.decimal_places,
            )
            for currency in currencies
        }

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
