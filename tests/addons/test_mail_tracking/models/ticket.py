"""A ``mail.thread`` whose x2many fields are tracked: tags (many2many) and lines (one2many)."""

from __future__ import annotations

from erplite import fields, models


class TestMailTag(models.Model):
    _name = "test.mail.tag"
    _description = "Tag"

    name = fields.Char(required=True)


class TestMailTicket(models.Model):
    _name = "test.mail.ticket"
    _inherit = ["mail.thread"]
    _description = "Ticket"

    name = fields.Char(required=True, tracking=True)
    tag_ids = fields.Many2many("test.mail.tag", string="Tags", tracking=True)
    line_ids = fields.One2many("test.mail.ticket.line", "ticket_id", string="Lines", tracking=True)


class TestMailTicketLine(models.Model):
    _name = "test.mail.ticket.line"
    _description = "Ticket line"

    name = fields.Char(required=True)
    ticket_id = fields.Many2one("test.mail.ticket", ondelete="cascade")
