"""``res.partner``: contacts and companies."""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.sql import SQL


class ResPartner(models.Model):
    _name = "res.partner"
    _description = "Contact"
    _order = "complete_name, id"
    _rec_names_search = ["complete_name", "email", "ref"]

    name = fields.Char(index=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, index=True)
    ref = fields.Char("Reference", index=True)
    parent_id = fields.Many2one("res.partner", string="Related Company", index=True)
    child_ids = fields.One2many(
        "res.partner", "parent_id", string="Contact", domain=[("active", "=", True)]
    )
    is_company = fields.Boolean("Is a Company", default=False)
    company_id = fields.Many2one("res.company", "Company", index=True)
    email = fields.Char()
    phone = fields.Char()
    street = fields.Char()
    city = fields.Char()
    zip = fields.Char()
    country_code = fields.Char(size=2)
    vat = fields.Char("Tax ID")
    comment = fields.Html("Notes")
    active = fields.Boolean(default=True)
    user_ids = fields.One2many("res.users", "partner_id", string="Users")
    lang = fields.Char(default="en_US")
    tz = fields.Char("Timezone")

    @api.depends("name", "parent_id.complete_name", "is_company")
    def _compute_complete_name(self):
        for partner in self:
            name = partner.name or ""
            if partner.parent_id and not partner.is_company and name:
                name = f"{partner.parent_id.complete_name}, {name}"
            partner.complete_name = name or False

    @api.depends("complete_name")
    def _compute_display_name(self):
        for partner in self:
            partner.display_name = partner.complete_name or partner.name or ""

    @classmethod
    def _display_name_sql(cls, column: Any) -> SQL:
        """``_compute_display_name`` in SQL (searches join it: see ``_display_name_sql`` of
        ``BaseModel``)."""
        return SQL(
            "COALESCE(NULLIF(%s, ''), NULLIF(%s, ''), '')", column("complete_name"), column("name")
        )

    @classmethod
    def _rec_name_search_field(cls) -> str:
        return "complete_name"
