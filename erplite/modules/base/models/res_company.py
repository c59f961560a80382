"""``res.company``: companies; each delegates its name and address to a partner."""

from __future__ import annotations

from erplite import api, fields, models


class ResCompany(models.Model):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name"
    _parent_store = True

    name = fields.Char(string="Company Name", required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("res.company", string="Parent Company", index=True)
    child_ids = fields.One2many("res.company", "parent_id", string="Branches")
    parent_path = fields.Char(index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Partner", required=True, ondelete="restrict"
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        required=True,
        default=lambda self: self._default_currency_id(),
    )
    email = fields.Char(related="partner_id.email", readonly=False)
    phone = fields.Char(related="partner_id.phone", readonly=False)
    user_ids = fields.Many2many(
        "res.users", "res_company_users_rel", "cid", "user_id", string="Accepted Users"
    )

    _sql_constraints = [("name_uniq", "unique (name)", "The company name must be unique!")]

    def _default_currency_id(self):
        currency = self.env["res.currency"].sudo().search([("name", "=", "EUR")], limit=1)
        return currency.id or self.env["res.currency"].sudo().search([], limit=1).id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("partner_id") and vals.get("name"):
                partner = (
                    self.env["res.partner"]
                    .sudo()
                    .create(
                        {
                            "name": vals["name"],
                            "is_company": True,
                            "email": vals.get("email"),
                            "phone": vals.get("phone"),
                        }
                    )
                )
                vals["partner_id"] = partner.id
        companies = super().create(vals_list)
        for company in companies:
            company.partner_id.sudo().write({"company_id": company.id})
        return companies

    def write(self, vals):
        result = super().write(vals)
        if "user_ids" in vals:
            # the users' companies feed the record rules (company_ids)
            from erplite.security import invalidate_access_cache

            invalidate_access_cache(self.env)
        if "name" in vals:
            self.mapped("partner_id").sudo().write({"name": vals["name"]})
        return result
