"""Models of the ``onchange`` tests: an order whose total sums its lines' subtotals, onchange
methods filling a field and returning a warning, and one proposing lines (a preset)."""

from erplite import Command, api, fields, models


class OnchangeOrder(models.Model):
    _name = "test_orm.onchange.order"
    _description = "Onchange order"

    name = fields.Char(default="New")
    reference = fields.Char()
    discount = fields.Float()
    line_ids = fields.One2many("test_orm.onchange.line", "order_id")
    total = fields.Float(compute="_compute_total", store=True)
    line_count = fields.Integer(compute="_compute_line_count")
    preset = fields.Selection([("pair", "A pair"), ("none", "No lines")])

    @api.depends("line_ids.subtotal", "discount")
    def _compute_total(self):
        for order in self:
            order.total = sum(order.line_ids.mapped("subtotal")) * (1 - order.discount / 100)

    @api.depends("line_ids")
    def _compute_line_count(self):
        for order in self:
            order.line_count = len(order.line_ids)

    @api.onchange("name")
    def _onchange_name(self):
        self.reference = (self.name or "").upper()

    @api.onchange("preset")
    def _onchange_preset(self):
        """Lines proposed by an onchange method, as commands (Odoo 17's wizards do this)."""
        if self.preset == "pair":
            self.line_ids = [
                Command.clear(),
                Command.create({"quantity": 2, "price": 3.0}),
                Command.create({"quantity": 1, "price": 10.0}),
            ]
        elif self.preset == "none":
            self.line_ids = [Command.clear()]

    @api.onchange("discount")
    def _onchange_discount(self):
        if self.discount > 50:
            return {"warning": {"title": "Large discount", "message": "More than half off?"}}
        return None


class OnchangeLine(models.Model):
    _name = "test_orm.onchange.line"
    _description = "Onchange line"

    order_id = fields.Many2one("test_orm.onchange.order", required=True, ondelete="cascade")
    quantity = fields.Float(default=1.0)
    price = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True)

    @api.depends("quantity", "price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.price
