"""Models with every field type of the contract, for ``tests/orm/test_fields.py`` and the
domain, read_group and cache tests."""

from erplite import api, fields, models


def _default_count(model):
    # a callable default receives the empty recordset of the model
    return 42 if model._name == "test_orm.fields" and not model else -1


class Target(models.Model):
    _name = "test_orm.target"
    _description = "Many2one target"

    name = fields.Char()
    sequence = fields.Integer()


class Tag(models.Model):
    _name = "test_orm.fields.tag"
    _description = "Tag of the field-types model"
    _order = "name"

    name = fields.Char()
    color = fields.Integer()


class FieldTypes(models.Model):
    _name = "test_orm.fields"
    _description = "Every field type"

    name = fields.Char(index=True)
    code = fields.Char(size=4)
    trigram_name = fields.Char(index="trigram")
    text = fields.Text()
    html = fields.Html()
    count = fields.Integer()
    ratio = fields.Float()
    price = fields.Float(digits=(10, 2))
    currency_id = fields.Many2one("res.currency")
    amount = fields.Monetary(currency_field="currency_id")
    flag = fields.Boolean()
    day = fields.Date()
    moment = fields.Datetime()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    data = fields.Binary()
    payload = fields.Json()
    target_id = fields.Many2one("test_orm.target")
    restrict_id = fields.Many2one("test_orm.target", ondelete="restrict")
    cascade_id = fields.Many2one("test_orm.target", ondelete="cascade")
    line_ids = fields.One2many("test_orm.fields.line", "parent_id")
    tag_ids = fields.Many2many("test_orm.fields.tag")
    other_tag_ids = fields.Many2many(
        "test_orm.fields.tag", "test_orm_fields_other_rel", "record_id", "tag_id"
    )
    greeting = fields.Char(default="hello")
    default_count = fields.Integer(default=_default_count)
    default_target_id = fields.Many2one(
        "test_orm.target", default=lambda self: self.env["test_orm.target"].search([], limit=1)
    )


class FieldTypesSelectionAdd(models.Model):
    """A classical extension adding a selection value (``selection_add``)."""

    _inherit = "test_orm.fields"

    state = fields.Selection(selection_add=[("cancel", "Cancelled")])


class FieldLine(models.Model):
    _name = "test_orm.fields.line"
    _description = "Line of the field-types model"
    _order = "sequence, id"

    parent_id = fields.Many2one("test_orm.fields", ondelete="cascade")
    name = fields.Char()
    sequence = fields.Integer()
    value = fields.Integer()
    # a ``state`` that says it is copied (a ``state`` is not, by default)
    state = fields.Selection([("open", "Open"), ("closed", "Closed")], default="open", copy=True)
    tag_ids = fields.Many2many("test_orm.fields.tag")


class RequiredFields(models.Model):
    _name = "test_orm.required"
    _description = "Required fields"

    name = fields.Char(required=True)
    target_id = fields.Many2one("test_orm.target", required=True)
    note = fields.Char()


class LiteralSelection(models.Model):
    """Selection values with a percent sign and a quote: compiled as SQL literals in domains."""

    _name = "test_orm.literal"
    _description = "Selection values that need quoting"

    name = fields.Char()
    kind = fields.Selection([("50%", "Half"), ("it's", "Quote"), ("plain", "Plain")])


class StageTask(models.Model):
    """Tasks in stages (``test_orm.target``) and states, both with ``group_expand``: every
    stage but the archived-like ``Hidden`` ones, every state but ``cancel``."""

    _name = "test_orm.stage_task"
    _description = "Task in a stage"

    name = fields.Char()
    stage_id = fields.Many2one("test_orm.target", group_expand="_read_group_stage_ids")
    state = fields.Selection(
        [("new", "New"), ("doing", "Doing"), ("done", "Done"), ("cancel", "Cancelled")],
        group_expand="_expand_states",
    )
    hours = fields.Float()

    @api.model
    def _read_group_stage_ids(self, stages, domain, order):
        return stages.search(
            ["|", ("id", "in", stages.ids), ("name", "not like", "Hidden")], order="name desc"
        )

    @api.model
    def _expand_states(self, states, domain, order):
        return [key for key, _label in self._fields["state"].selection if key != "cancel"]
