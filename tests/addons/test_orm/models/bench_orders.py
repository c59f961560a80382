"""A small orders-like model pair (the benchmark's ``order`` / ``order_line``), for the
query-count acceptance tests: a stored total over one2many lines whose stored subtotal depends
on two plain columns."""

from erplite import api, fields, models


class BenchOrder(models.Model):
    _name = "test_orm.bench.order"
    _description = "Bench Order"

    name = fields.Char()
    partner_id = fields.Many2one("test_orm.partner")
    line_ids = fields.One2many("test_orm.bench.order.line", "order_id")
    amount_total = fields.Float(compute="_compute_amount_total", store=True)

    @api.depends("line_ids.subtotal")
    def _compute_amount_total(self):
        for order in self:
            order.amount_total = sum(line.subtotal for line in order.line_ids)


class BenchOrderLine(models.Model):
    _name = "test_orm.bench.order.line"
    _description = "Bench Order Line"

    order_id = fields.Many2one(
        "test_orm.bench.order", required=True, ondelete="cascade", index=True
    )
    quantity = fields.Float()
    price_unit = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "price_unit")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.price_unit
