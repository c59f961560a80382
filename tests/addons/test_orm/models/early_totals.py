"""An order whose stored totals are computed from lines created with it (``Command.create``),
before the INSERT of the order and its lines (``CreateLinesMixin._early_fields``). ``CALLS``
records the ids each compute method ran on."""

from erplite import api, fields, models
from erplite.exceptions import ValidationError

CALLS: list[tuple[str, tuple]] = []


class EarlyOrder(models.Model):
    _name = "test_orm.early.order"
    _description = "Order of early-total tests"

    name = fields.Char()
    discount = fields.Float()
    partner_id = fields.Many2one("test_orm.partner")
    line_ids = fields.One2many("test_orm.early.line", "order_id")
    # from the lines' precomputed subtotals and a plain column: computed before the INSERT
    total = fields.Float(compute="_compute_total", store=True)
    # from the lines and the partner's name: a hop to another table, computed after it
    summary = fields.Char(compute="_compute_summary", store=True)
    # from the lines' plain column, two fields of one method
    quantity_sum = fields.Float(compute="_compute_quantities", store=True)
    line_count = fields.Integer(compute="_compute_quantities", store=True)

    @api.depends("line_ids.subtotal", "discount")
    def _compute_total(self):
        CALLS.append(("total", self._ids))
        for order in self:
            order.total = sum(order.line_ids.mapped("subtotal")) - order.discount

    @api.depends("line_ids.quantity", "partner_id.name")
    def _compute_summary(self):
        CALLS.append(("summary", self._ids))
        for order in self:
            order.summary = f"{order.partner_id.name or '-'}:{len(order.line_ids)}"

    @api.depends("line_ids.quantity")
    def _compute_quantities(self):
        CALLS.append(("quantities", self._ids))
        for order in self:
            order.quantity_sum = sum(order.line_ids.mapped("quantity"))
            order.line_count = len(order.line_ids)

    @api.constrains("total")
    def _check_total(self):
        for order in self:
            if order.total > 10000:
                raise ValidationError(f"The total of {order.name} is too large")


class EarlyLine(models.Model):
    _name = "test_orm.early.line"
    _description = "Line of early-total tests"

    order_id = fields.Many2one("test_orm.early.order", required=True, ondelete="cascade")
    quantity = fields.Float()
    price = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True, precompute=True)

    @api.depends("quantity", "price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.price
