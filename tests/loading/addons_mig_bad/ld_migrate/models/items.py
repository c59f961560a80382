from erplite import fields, models


class Item(models.Model):
    _name = "ld.migrate.item"
    _description = "Item"

    name = fields.Char(required=True)
    quantity = fields.Integer(required=True, default=0)  # was qty: renamed by a pre-migration
    label = fields.Char()
    code = fields.Char()  # new: filled by a post-migration
