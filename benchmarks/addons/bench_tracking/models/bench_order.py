"""``bench.order`` with chatter: its total is tracked."""

from __future__ import annotations

from erplite import fields, models


class BenchOrder(models.Model):
    _name = "bench.order"
    _inherit = ["bench.order", "mail.thread"]

    amount_total = fields.Float(tracking=True)
