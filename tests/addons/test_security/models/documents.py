"""Models for the security tests: documents with an owner, a company, lines, tags, restricted
fields, an ``_inherits`` child, and a model only managers may touch."""

from erplite import fields, models


class Document(models.Model):
    _name = "test_security.document"
    _description = "Secured Document"
    _order = "id"
    _check_company_auto = True

    name = fields.Char(required=True)
    value = fields.Integer()
    active = fields.Boolean(default=True)
    user_id = fields.Many2one("res.users", string="Owner", default=lambda self: self.env.uid)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company.id)
    partner_id = fields.Many2one("res.partner", check_company=True)
    tag_ids = fields.Many2many("test_security.tag", check_company=True, string="Tags")
    line_ids = fields.One2many("test_security.line", "document_id")
    secret = fields.Char(groups="test_security.group_secret")
    not_for_managers = fields.Char(groups="!test_security.group_manager")
    either = fields.Char(groups="test_security.group_secret,test_security.group_deleter")


class Line(models.Model):
    _name = "test_security.line"
    _description = "Secured Document Line"
    _order = "id"

    document_id = fields.Many2one("test_security.document", required=True, ondelete="cascade")
    name = fields.Char()
    amount = fields.Integer()


class Tag(models.Model):
    _name = "test_security.tag"
    _description = "Secured Tag"
    _order = "id"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company")


class Child(models.Model):
    _name = "test_security.child"
    _description = "Secured Document Child"
    _inherits = {"test_security.document": "document_id"}
    _order = "id"

    document_id = fields.Many2one("test_security.document", required=True, ondelete="cascade")
    note = fields.Char()


class Restricted(models.Model):
    _name = "test_security.restricted"
    _description = "Managers Only"

    name = fields.Char()
