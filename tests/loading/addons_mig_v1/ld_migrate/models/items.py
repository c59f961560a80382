from erplite import fields, models


class Item(models.Model):
    _name = "ld.migrate.item"
    _description = "Item"

    name = fields.Char(required=True)
    qty = fields.Integer(required=True, default=0)
    label = fields.Char()
