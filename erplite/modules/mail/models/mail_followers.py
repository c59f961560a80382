"""``mail.followers``: who follows which record (a partner per record), and for which
message subtypes. Followers of a record receive its messages (not its notes) by email.

A follower with no subtype follows the default ones (``default=True``), as new followers do in
Odoo 17. Access goes through the followed record (:mod:`erplite.tools.document_access`)."""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.tools import document_access


class MailFollowers(models.Model):
    _name = "mail.followers"
    _description = "Document Followers"
    _rec_name = "partner_id"

    res_model = fields.Char("Related Document Model Name", required=True, index=True)
    res_id = fields.Integer("Related Document ID", index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Related Partner", index=True, ondelete="cascade", required=True
    )
    subtype_ids = fields.Many2many(
        "mail.message.subtype",
        string="Subtype",
        help="The message subtypes followed; empty: the default ones.",
    )
    name = fields.Char("Name", related="partner_id.name")
    email = fields.Char("Email", related="partner_id.email")

    _sql_constraints = [
        (
            "mail_followers_res_partner_res_model_id_uniq",
            "unique(res_model,res_id,partner_id)",
            "Error, a partner cannot follow twice the same object.",
        ),
    ]

    def _check_rules(self, mode: str) -> None:
        super()._check_rules(mode)
        document_access.check(self, mode, "res_model")

    def _fetch_fields(self, fields: Any, join: tuple | None = None) -> list[int]:
        if not self.env.su:
            document_access.check(self, "read", "res_model")
        return super()._fetch_fields(fields, join)

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access_rights("create")  # the model's right first, then the documents'
        if not self.env.su:
            for vals in vals_list:
                document_access.check_records(
                    self.env, vals.get("res_model") or "", [vals.get("res_id") or 0], "write"
                )
        return super().create(vals_list)

    def _search(self, domain: Any, offset: int = 0, limit: int | None = None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        return document_access.search(
            self, super()._search, domain, offset, limit, order, "res_model"
        )
