from erplite import fields, models


class Loan(models.Model):
    _name = "ld.loan"
    _description = "Loan"

    book_id = fields.Many2one("ld.book", required=True, ondelete="cascade")
    borrower = fields.Char(required=True)


class Book(models.Model):
    _inherit = "ld.book"

    shelf = fields.Char(required=True, default="A1")
    loan_ids = fields.One2many("ld.loan", "book_id")
    reader_tag_ids = fields.Many2many("ld.tag", "ld_book_reader_tag_rel", "book_id", "tag_id")
