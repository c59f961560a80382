from erplite import api, fields, models
from erplite.exceptions import UserError


class Tag(models.Model):
    _name = "ld.tag"
    _description = "Book Tag"

    name = fields.Char(required=True)
    color = fields.Integer()

    @api.model
    def ensure_tags(self, names, color=0):
        """Create the tags of ``names`` that do not exist (called by a <function> of the data)."""
        existing = set(self.search([("name", "in", names)]).mapped("name"))
        return self.create(
            [{"name": name, "color": color} for name in names if name not in existing]
        ).ids


class Author(models.Model):
    _name = "ld.author"
    _description = "Author"

    name = fields.Char(required=True)
    country_code = fields.Char()
    born = fields.Date()
    book_ids = fields.One2many("ld.book", "author_id")


class Book(models.Model):
    _name = "ld.book"
    _description = "Book"

    name = fields.Char(required=True)
    reference = fields.Char(default=lambda self: self.env["ir.sequence"].next_by_code("ld.book"))
    active = fields.Boolean(default=True)
    author_id = fields.Many2one("ld.author", ondelete="restrict")
    tag_ids = fields.Many2many("ld.tag")
    pages = fields.Integer()
    price = fields.Float()
    published = fields.Date()
    state = fields.Selection([("draft", "Draft"), ("published", "Published")], default="draft")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_published(self):
        """Users cannot delete published books; uninstalling the module can."""
        if any(book.state == "published" for book in self):
            raise UserError("Published books cannot be deleted")
