"""``ir.attachment``: files attached to records, stored in PostgreSQL.

The content is kept in the ``raw`` column (``bytea``), so that any host serving the database
can serve the file (Odoo 17 defaults to a filestore on the local disk; erplite keeps files in
the database). ``datas`` is the same content in base64, as Odoo's clients exchange it.

Access is checked through the record the file is attached to (``res_model``/``res_id``), as
Odoo does: reading an attachment needs read access to its record, creating, changing or
deleting one needs write access to it. An attachment of no record is visible to its creator
and to the settings group (``base.group_system``) only. Searches return only the attachments
the user may read.

Worked example::

    doc = env["ir.attachment"].create({"name": "quote.pdf", "raw": b"%PDF-...",
                                       "res_model": "sale.order", "res_id": order.id})
    doc.datas        # base64 bytes of the content; doc.raw the bytes
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections import defaultdict
from typing import Any

from erplite import api, fields, models
from erplite.tools import document_access


class IrAttachment(models.Model):
    _name = "ir.attachment"
    _description = "Attachment"
    _order = "id desc"

    name = fields.Char(required=True)
    description = fields.Text()
    res_model = fields.Char("Resource Model", index=True, help="The model of the record")
    res_field = fields.Char("Resource Field")
    res_id = fields.Integer("Resource ID", index=True, help="The id of the record")
    company_id = fields.Many2one("res.company", string="Company")
    type = fields.Selection([("binary", "File"), ("url", "URL")], required=True, default="binary")
    url = fields.Char("Url", size=1024)
    public = fields.Boolean("Is public document")
    raw = fields.Binary("File Content (raw)")
    datas = fields.Binary(
        "File Content (base64)", compute="_compute_datas", inverse="_inverse_datas"
    )
    file_size = fields.Integer("File Size", readonly=True)
    checksum = fields.Char("Checksum/SHA1", size=40, readonly=True, index=True)
    mimetype = fields.Char("Mime Type")

    @api.depends("raw")
    def _compute_datas(self):
        attachment: Any
        for attachment in self:
            attachment.datas = base64.b64encode(attachment.raw) if attachment.raw else False

    def _inverse_datas(self):
        for attachment in self:
            content = base64.b64decode(attachment.datas) if attachment.datas else False
            attachment.write({"raw": content})

    # -- content metadata ---------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self.check_access_rights("create")  # the model's right first, then the documents'
        self._check_create_documents(vals_list)
        for vals in vals_list:
            self._complete_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        if "raw" in vals or "datas" in vals:
            vals = dict(vals)
            self._complete_values(vals)
        return super().write(vals)

    def _complete_values(self, vals: dict) -> None:
        """Turn ``datas`` into ``raw`` and set the size, checksum and mime type from it."""
        if "datas" in vals:
            datas = vals.pop("datas")
            vals["raw"] = base64.b64decode(datas) if datas else False
        if "raw" in vals:
            raw = vals["raw"]
            if isinstance(raw, str):
                raw = vals["raw"] = raw.encode()
            vals["file_size"] = len(raw) if raw else 0
            vals["checksum"] = hashlib.sha1(raw or b"").hexdigest()
        if not vals.get("mimetype") and vals.get("name"):
            vals["mimetype"] = mimetypes.guess_type(vals["name"])[0] or "application/octet-stream"

    # -- access through the record ------------------------------------------------------------
    def _check_rules(self, mode: str) -> None:
        super()._check_rules(mode)
        document_access.check(self, mode, "res_model")

    def _fetch_fields(self, fields: Any, join: tuple | None = None) -> list[int]:
        if not self.env.su:
            document_access.check(self, "read", "res_model")
        return super()._fetch_fields(fields, join)

    def _check_create_documents(self, vals_list: list[dict]) -> None:
        """The write access on the records new attachments are attached to."""
        if self.env.su:
            return
        documents: dict[str, set[int]] = defaultdict(set)
        for vals in vals_list:
            if vals.get("res_model") and vals.get("res_id"):
                documents[vals["res_model"]].add(vals["res_id"])
        for model_name, ids in documents.items():
            document_access.check_records(self.env, model_name, ids, "write")

    def _search(self, domain: Any, offset: int = 0, limit: int | None = None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        return document_access.search(
            self, super()._search, domain, offset, limit, order, "res_model"
        )
