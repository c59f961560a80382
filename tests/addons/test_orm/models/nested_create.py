"""Parents created with their lines (``Command.create``): lines whose ``precompute`` field
depends on the parent, and lines whose model overrides ``create``; both must be created after
their parent is inserted, as a plain ``create`` of the lines would be."""

from erplite import api, fields, models

#: the values each ``test_orm.nested.note`` create received
NOTE_CREATES: list[list[dict]] = []


class NestedOrder(models.Model):
    _name = "test_orm.nested.order"
    _description = "Order of nested-create tests"

    name = fields.Char()
    code = fields.Char()
    line_ids = fields.One2many("test_orm.nested.line", "order_id")
    note_ids = fields.One2many("test_orm.nested.note", "order_id")


class NestedLine(models.Model):
    _name = "test_orm.nested.line"
    _description = "Line whose precomputed label reads its order"

    order_id = fields.Many2one("test_orm.nested.order", required=True, ondelete="cascade")
    name = fields.Char()
    label = fields.Char(compute="_compute_label", store=True, precompute=True)

    @api.depends("order_id.code", "name")
    def _compute_label(self):
        for line in self:
            line.label = f"{line.order_id.code or '?'}/{line.name or ''}"


class NestedNote(models.Model):
    _name = "test_orm.nested.note"
    _description = "Line whose model overrides create"

    order_id = fields.Many2one("test_orm.nested.order", ondelete="cascade")
    text = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        NOTE_CREATES.append([dict(vals) for vals in vals_list])
        for vals in vals_list:
            vals["text"] = (vals.get("text") or "").upper()
        return super().create(vals_list)
