from erplite import fields, models


class Thing(models.Model):
    _name = "le_dangling_ref.thing"
    _description = "Thing"

    name = fields.Char(required=True)
    parent_id = fields.Many2one("le_dangling_ref.thing")
