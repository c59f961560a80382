from erplite import api, fields, models
from erplite.exceptions import ValidationError


class Note(models.Model):
    _name = "library.note"
    _description = "Note"

    name = fields.Char(required=True)
    reference = fields.Char(readonly=True, copy=False)
    partner_id = fields.Many2one("res.partner")
    words = fields.Integer(compute="_compute_words", store=True)
    body = fields.Text()

    @api.depends("body")
    def _compute_words(self):
        for note in self:
            note.words = len((note.body or "").split())

    @api.constrains("name")
    def _check_name(self):
        if any(note.name.strip() == "" for note in self):
            raise ValidationError("A note needs a name")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("reference", self.env["ir.sequence"].next_by_code("library.note"))
        return super().create(vals_list)
