"""Protected fields (``_protected_fields``): a model whose ``state`` only its actions change,
an extension protecting one more field, and a prototype child inheriting both."""

from erplite import fields, models


class Ticket(models.Model):
    _name = "test_orm.ticket"
    _description = "Ticket"
    _protected_fields = ["state"]

    name = fields.Char()
    state = fields.Selection(
        [("new", "New"), ("open", "Open"), ("closed", "Closed")], default="new", required=True
    )
    priority = fields.Integer()

    def action_open(self):
        """The workflow's step: its own check, then the protected write as superuser."""
        self.check_access("write")
        self.sudo().write({"state": "open"})
        return True


class TicketExtension(models.Model):
    """A classical extension adds a field to protect; ``state`` stays protected."""

    _inherit = "test_orm.ticket"
    _protected_fields = ["approved_by"]

    approved_by = fields.Char()


class SpecialTicket(models.Model):
    """Prototype inheritance: a new model protecting what its parent protects."""

    _name = "test_orm.ticket.special"
    _description = "Special ticket"
    _inherit = "test_orm.ticket"
