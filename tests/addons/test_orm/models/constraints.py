"""Python and SQL constraints. ``CHECKED`` records the ids each ``@api.constrains`` method
ran on."""

from erplite import api, fields, models
from erplite.exceptions import ValidationError

CHECKED: list[tuple[str, tuple]] = []


class Constrained(models.Model):
    _name = "test_orm.constrained"
    _description = "Constrained records"

    name = fields.Char(required=True)
    code = fields.Char()
    low = fields.Integer()
    high = fields.Integer(default=10)
    note = fields.Char()
    parent_id = fields.Many2one("test_orm.constrained.parent", ondelete="cascade")
    doubled = fields.Integer(compute="_compute_doubled", store=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The code must be unique!"),
        ("range_check", "CHECK(low <= high)", "Low must not exceed high!"),
    ]

    @api.depends("parent_id.factor", "low")
    def _compute_doubled(self):
        for record in self:
            record.doubled = record.low * (record.parent_id.factor or 2)

    @api.constrains("name")
    def _check_name(self):
        CHECKED.append(("name", tuple(self._ids)))
        for record in self:
            if record.name == "forbidden":
                raise ValidationError(f"The name of {record.id} is forbidden")

    @api.constrains("doubled")
    def _check_doubled(self):
        CHECKED.append(("doubled", tuple(self._ids)))
        for record in self:
            if record.doubled > 1000:
                raise ValidationError("Doubled value too large")


class ConstrainedParent(models.Model):
    _name = "test_orm.constrained.parent"
    _description = "Parent of constrained records"

    name = fields.Char()
    factor = fields.Integer(default=2)
    child_ids = fields.One2many("test_orm.constrained", "parent_id")
