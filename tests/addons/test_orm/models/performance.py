"""The models of Odoo's ``test_performance`` query counts, rebuilt for erplite."""

from erplite import api, fields, models


class Country(models.Model):
    _name = "test_orm.country"
    _description = "Test Country"

    name = fields.Char(required=True)
    code = fields.Char(size=2)


class Partner(models.Model):
    _name = "test_orm.partner"
    _description = "Test Partner"

    name = fields.Char(required=True, index="trigram")
    country_id = fields.Many2one("test_orm.country")
    active = fields.Boolean(default=True)


class Base(models.Model):
    _name = "test_orm.base"
    _description = "Test Performance Base"

    name = fields.Char()
    value = fields.Integer(default=0)
    value_pc = fields.Float(compute="_compute_value_pc", store=True)
    value_ctx = fields.Float(compute="_compute_value_ctx")
    partner_id = fields.Many2one("test_orm.partner", string="Customer")
    line_ids = fields.One2many("test_orm.line", "base_id")
    total = fields.Integer(compute="_compute_total", store=True)
    tag_ids = fields.Many2many("test_orm.tag")

    @api.depends("value")
    def _compute_value_pc(self):
        for record in self:
            record.value_pc = float(record.value) / 100

    @api.depends_context("key")
    def _compute_value_ctx(self):
        for record in self:
            record.value_ctx = self.env.context.get("key")

    @api.depends("line_ids.value")
    def _compute_total(self):
        for record in self:
            record.total = sum(line.value for line in record.line_ids)


class Line(models.Model):
    _name = "test_orm.line"
    _description = "Test Performance Line"

    base_id = fields.Many2one("test_orm.base", required=True, ondelete="cascade")
    value = fields.Integer()


class Tag(models.Model):
    _name = "test_orm.tag"
    _description = "Test Performance Tag"

    name = fields.Char()
