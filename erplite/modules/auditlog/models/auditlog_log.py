"""``auditlog.log`` and ``auditlog.log.line``: the audit trail (the OCA module's names).

One log per record and operation (``create``, ``write``, ``unlink``): who (``user_id``),
when (``create_date``), which record (``model_id``/``model_name``, ``res_id``, ``name``),
and one line per field written with its old and new value (``old_value``/``new_value`` as
stored, ``old_value_text``/``new_value_text`` as a person reads them).

The trail is written by the audited models' methods in SQL (see ``auditlog.rule``), never
through the ORM, and the ORM never changes it: ``create``, ``write`` and ``unlink`` of these
models raise ``AccessError`` for everyone, superuser included (OCA's module lets its managers
delete logs; erplite keeps the trail immutable through the ORM, and only members of the
Auditor group may read it).
"""

from __future__ import annotations

from erplite import api, fields, models
from erplite.exceptions import AccessError

METHODS = [("create", "Create"), ("write", "Write"), ("unlink", "Delete")]


class _ReadOnlyTrail(models.AbstractModel):
    _name = "auditlog.readonly"
    _description = "Audit trail records: read only through the ORM"

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access_rights("create")
        raise AccessError(f"The audit log ({self._description}) is written by erplite only.")

    def write(self, vals):
        self.check_access_rights("write")
        raise AccessError(f"The audit log ({self._description}) cannot be changed.")

    def unlink(self):
        self.check_access_rights("unlink")
        raise AccessError(f"The audit log ({self._description}) cannot be deleted.")


class AuditlogLog(models.Model):
    _name = "auditlog.log"
    _inherit = ["auditlog.readonly"]
    _description = "Auditlog - Log"
    _order = "create_date desc, id desc"

    name = fields.Char("Resource Name", size=64)
    model_id = fields.Many2one("ir.model", string="Model", index=True, ondelete="set null")
    model_name = fields.Char("Technical Model Name", index=True)
    model_model = fields.Char(related="model_id.model", string="Technical Model")
    res_id = fields.Integer("Resource ID", index=True)
    user_id = fields.Many2one("res.users", string="User", index=True, ondelete="set null")
    method = fields.Selection(METHODS, string="Method", index=True)
    line_ids = fields.One2many("auditlog.log.line", "log_id", string="Fields updated")
    log_type = fields.Selection([("full", "Full log"), ("fast", "Fast log")], string="Type")


class AuditlogLogLine(models.Model):
    _name = "auditlog.log.line"
    _inherit = ["auditlog.readonly"]
    _description = "Auditlog - Log details (fields updated)"
    _order = "id"

    field_id = fields.Many2one("ir.model.fields", string="Field", ondelete="set null", index=True)
    log_id = fields.Many2one(
        "auditlog.log", string="Log", ondelete="cascade", index=True, required=True
    )
    old_value = fields.Text("Old Value")
    new_value = fields.Text("New Value")
    old_value_text = fields.Text("Old value Text")
    new_value_text = fields.Text("New value Text")
    field_name = fields.Char("Technical name", index=True)
    field_description = fields.Char("Description")
