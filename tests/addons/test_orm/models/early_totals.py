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


class EarlyBasket(models.Model):
    """A parent whose only stored field from its lines is computed before the INSERT (the
    benchmark's order): the new lines have nothing left to mark on it."""

    _name = "test_orm.early.basket"
    _description = "Basket of early-total tests"

    name = fields.Char()
    item_ids = fields.One2many("test_orm.early.item", "basket_id")
    total = fields.Float(compute="_compute_total", store=True)
    # not stored, from the lines too: dropped from the cache when lines are added
    item_count = fields.Integer(compute="_compute_item_count")

    @api.depends("item_ids.subtotal")
    def _compute_total(self):
        CALLS.append(("basket_total", self._ids))
        for basket in self:
            basket.total = sum(basket.item_ids.mapped("subtotal"))

    @api.depends("item_ids")
    def _compute_item_count(self):
        for basket in self:
            basket.item_count = len(basket.item_ids)


class EarlyItem(models.Model):
    _name = "test_orm.early.item"
    _description = "Line of a basket of early-total tests"

    basket_id = fields.Many2one("test_orm.early.basket", required=True, ondelete="cascade")
    quantity = fields.Float()
    price = fields.Float()
    subtotal = fields.Float(compute="_compute_subtotal", store=True, precompute=True)

    @api.depends("quantity", "price")
    def _compute_subtotal(self):
        for item in self:
            item.subtotal = item.quantity * item.price
