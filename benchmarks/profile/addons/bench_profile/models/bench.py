"""The benchmark's logical schema (SPEC.md section 2) as erplite models."""

from erplite import api, fields, models


class BenchPartner(models.Model):
    _name = "bench.partner"
    _description = "Benchmark Partner"

    name = fields.Char(required=True, index="trigram")
    email = fields.Char()
    city = fields.Char()
    is_company = fields.Boolean()
    country_code = fields.Char(size=2)


class BenchProduct(models.Model):
    _name = "bench.product"
    _description = "Benchmark Product"

    name = fields.Char(required=True)
    list_price = fields.Float()
    active = fields.Boolean(default=True)


class BenchOrder(models.Model):
    _name = "bench.order"
    _description = "Benchmark Order"

    name = fields.Char()
    partner_id = fields.Many2one("bench.partner", required=True, ondelete="restrict", index=True)
    date = fields.Date()
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
    )
    amount_total = fields.Float(compute="_compute_amount_total", store=True)
    line_ids = fields.One2many("bench.order.line", "order_id")

    @api.depends("line_ids.subtotal")
    def _compute_amount_total(self):
        for order in self:
            order.amount_total = sum(line.subtotal for line in order.line_ids)


class BenchOrderLine(models.Model):
    _name = "bench.order.line"
    _description = "Benchmark Order Line"

    order_id = fields.Many2one("bench.order", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("bench.product", ondelete="set null", index=True)
    quantity = fields.Float()
    price_unit = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True, precompute=True)

    @api.depends("quantity", "price_unit")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.price_unit
