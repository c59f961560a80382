"""``crm.tag``: free labels on leads."""

from __future__ import annotations

from erplite import fields, models


class CrmTag(models.Model):
    """A label of leads and opportunities (a product line, a campaign, ...)."""

    _name = "crm.tag"
    _description = "CRM Tag"
    _order = "name"

    name = fields.Char("Tag Name", required=True)
    color = fields.Integer("Color")

    _sql_constraints = [
        ("name_uniq", "unique (name)", "Tag name already exists!"),
    ]
