"""A counter row that concurrent requests update, a unique name, a post-commit hook, and
methods of each calling convention for the external API tests."""

from erplite import api, fields, models
from erplite.exceptions import UserError

#: what post-commit hooks recorded (the tests read it; one process)
POSTCOMMIT_LOG: list[str] = []


class Counter(models.Model):
    _name = "test_http.counter"
    _description = "Counter"

    name = fields.Char(required=True)
    value = fields.Integer()
    day = fields.Date()
    moment = fields.Datetime()
    partner_id = fields.Many2one("res.partner")

    _sql_constraints = [("name_uniq", "UNIQUE (name)", "A counter with this name exists already.")]

    def increment(self, step=1):
        """Read, then write: two concurrent calls on one row conflict (REPEATABLE READ)."""
        for counter in self:
            counter.value = counter.value + step
        return self.mapped("value")

    @api.model
    def find(self, name):
        """An @api.model method returning a recordset: the caller gets ids."""
        return self.search([("name", "=", name)])

    @api.private
    def reset_all(self):
        self.search([]).write({"value": 0})

    def _secret(self):
        return "private"

    def refuse(self):
        raise UserError("Counters cannot do that.")

    def with_hook(self, tag):
        self.env.cr.postcommit.add(lambda: POSTCOMMIT_LOG.append(tag))
        self.write({"value": 1})
        return True
