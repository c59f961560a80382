"""Computed fields: stored and not, dotted dependencies through every relation type, related
fields, inverse, search, compute_sudo, precompute and depends_context.

Compute methods record their calls in ``CALLS`` (``(field, ids, su)``) so that tests can
assert which records a compute ran on.
"""

from erplite import api, fields, models

CALLS: list[tuple[str, tuple, bool]] = []


def _record(name, records):
    CALLS.append((name, tuple(records._ids), records.env.su))


class CompPartner(models.Model):
    _name = "test_orm.comp.partner"
    _description = "Partner of computed-field tests"

    name = fields.Char()
    city = fields.Char()
    country_id = fields.Many2one("test_orm.comp.country")


class CompCountry(models.Model):
    _name = "test_orm.comp.country"
    _description = "Country of computed-field tests"

    name = fields.Char()


class CompTag(models.Model):
    _name = "test_orm.comp.tag"
    _description = "Tag of computed-field tests"

    name = fields.Char()


class CompOrder(models.Model):
    _name = "test_orm.comp.order"
    _description = "Order of computed-field tests"

    name = fields.Char()
    partner_id = fields.Many2one("test_orm.comp.partner")
    line_ids = fields.One2many("test_orm.comp.line", "order_id")
    tag_ids = fields.Many2many("test_orm.comp.tag")
    discount = fields.Float()

    # stored, through a one2many and the lines' own stored compute
    total = fields.Float(compute="_compute_total", store=True)
    # stored, through a many2many
    tag_names = fields.Char(compute="_compute_tag_names", store=True)
    # stored, through two many2one hops
    partner_country = fields.Char(compute="_compute_partner_country", store=True)
    # related, stored and not; a writable related
    partner_name = fields.Char(related="partner_id.name", store=True)
    partner_city = fields.Char(related="partner_id.city", readonly=False)
    # non-stored, with inverse and search
    line_count = fields.Integer(compute="_compute_line_count")
    upper_name = fields.Char(compute="_compute_upper_name", inverse="_inverse_upper_name")
    is_big = fields.Boolean(compute="_compute_is_big", search="_search_is_big")
    # compute_sudo
    sudo_flag = fields.Boolean(compute="_compute_sudo_flag", compute_sudo=True)
    user_flag = fields.Boolean(compute="_compute_user_flag", compute_sudo=False)
    # precompute: computed before the INSERT
    reference = fields.Char(compute="_compute_reference", store=True, precompute=True)
    # precompute over lines: rows given lines are computed after the INSERT instead
    line_price_sum = fields.Float(compute="_compute_line_price_sum", store=True, precompute=True)
    # non-stored, one query per call (as Odoo's smart-button counts)
    line_query_count = fields.Integer(compute="_compute_line_query_count")
    # depends_context
    greeting = fields.Char(compute="_compute_greeting")
    # two fields computed by one method
    total_x2 = fields.Float(compute="_compute_multiples", store=True)
    total_x3 = fields.Float(compute="_compute_multiples", store=True)

    @api.depends("line_ids.amount", "discount")
    def _compute_total(self):
        _record("total", self)
        for order in self:
            order.total = sum(order.line_ids.mapped("amount")) - order.discount

    @api.depends("tag_ids.name")
    def _compute_tag_names(self):
        _record("tag_names", self)
        for order in self:
            order.tag_names = ",".join(sorted(t.name or "" for t in order.tag_ids)) or False

    @api.depends("partner_id.country_id.name")
    def _compute_partner_country(self):
        _record("partner_country", self)
        for order in self:
            order.partner_country = order.partner_id.country_id.name or False

    @api.depends("line_ids")
    def _compute_line_count(self):
        _record("line_count", self)
        for order in self:
            order.line_count = len(order.line_ids)

    @api.depends("line_ids")
    def _compute_line_query_count(self):
        _record("line_query_count", self)
        counts = dict(
            self.env["test_orm.comp.line"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.line_query_count = counts.get(order, 0)

    @api.depends("name")
    def _compute_upper_name(self):
        _record("upper_name", self)
        for order in self:
            order.upper_name = (order.name or "").upper() or False

    def _inverse_upper_name(self):
        _record("inverse_upper_name", self)
        for order in self:
            order.name = (order.upper_name or "").lower() or False

    @api.depends("total")
    def _compute_is_big(self):
        for order in self:
            order.is_big = order.total >= 100

    def _search_is_big(self, operator, value):
        if operator not in ("=", "!="):
            raise ValueError(f"Unsupported operator {operator!r}")
        big = (operator == "=") == bool(value)
        return [("total", ">=" if big else "<", 100)]

    def _compute_sudo_flag(self):
        _record("sudo_flag", self)
        for order in self:
            order.sudo_flag = self.env.su

    def _compute_user_flag(self):
        _record("user_flag", self)
        for order in self:
            order.user_flag = self.env.su

    @api.depends("name")
    def _compute_reference(self):
        _record("reference", self)
        for order in self:
            order.reference = f"REF-{order.name}" if order.name else False

    @api.depends("line_ids.price")
    def _compute_line_price_sum(self):
        _record("line_price_sum", self)
        for order in self:
            order.line_price_sum = sum(order.line_ids.mapped("price"))

    @api.depends_context("lang")
    def _compute_greeting(self):
        _record("greeting", self)
        lang = self.env.context.get("lang") or "none"
        for order in self:
            order.greeting = f"{lang}:{order.name}"

    @api.depends("total")
    def _compute_multiples(self):
        _record("multiples", self)
        for order in self:
            order.total_x2 = order.total * 2
            order.total_x3 = order.total * 3


class CompLine(models.Model):
    _name = "test_orm.comp.line"
    _description = "Line of computed-field tests"

    order_id = fields.Many2one("test_orm.comp.order", ondelete="cascade")
    quantity = fields.Integer(default=1)
    price = fields.Float()
    amount = fields.Float(compute="_compute_amount", store=True)
    # stored, through many2one -> many2one
    order_partner_name = fields.Char(compute="_compute_order_partner_name", store=True)

    @api.depends("quantity", "price")
    def _compute_amount(self):
        _record("amount", self)
        for line in self:
            line.amount = line.quantity * line.price

    @api.depends("order_id.partner_id.name")
    def _compute_order_partner_name(self):
        _record("order_partner_name", self)
        for line in self:
            line.order_partner_name = line.order_id.partner_id.name or False


class CompContact(models.Model):
    _name = "test_orm.comp.contact"
    _description = "Contact of non-stored compute invalidation tests"

    name = fields.Char()
    email = fields.Char()
    # non-stored, from two fields of the same record
    label = fields.Char(compute="_compute_label")

    @api.depends("name", "email")
    def _compute_label(self):
        _record("label", self)
        for contact in self:
            contact.label = f"{contact.name} <{contact.email or ''}>"


class CompCard(models.Model):
    _name = "test_orm.comp.card"
    _description = "Card of non-stored compute invalidation tests (through a relation)"

    contact_id = fields.Many2one("test_orm.comp.contact")
    tag_ids = fields.Many2many("test_orm.comp.tag")
    # non-stored, through a many2one
    contact_label = fields.Char(compute="_compute_contact_label")
    # non-stored, through a many2many
    tag_label = fields.Char(compute="_compute_tag_label")

    @api.depends("contact_id.email", "contact_id.name")
    def _compute_contact_label(self):
        _record("contact_label", self)
        for card in self:
            contact = card.contact_id
            card.contact_label = f"{contact.name}/{contact.email or ''}" if contact else False

    @api.depends("tag_ids.name")
    def _compute_tag_label(self):
        _record("tag_label", self)
        for card in self:
            card.tag_label = ",".join(card.tag_ids.mapped("name")) or False
