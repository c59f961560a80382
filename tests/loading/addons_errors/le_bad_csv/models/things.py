from erplite import fields, models


class Thing(models.Model):
    _name = "le_bad_csv.thing"
    _description = "Thing"

    name = fields.Char(required=True)
    parent_id = fields.Many2one("le_bad_csv.thing")
