"""``ir.model``, ``ir.model.fields``, ``ir.model.access`` and ``ir.rule``: the registry's
models reflected as records, and the security data attached to them (enforced by
``erplite.security``)."""

from __future__ import annotations

from erplite import api, fields, models

from .cached_records import CachedRecords


class IrModel(models.Model):
    _name = "ir.model"
    _description = "Models"
    _order = "model"
    _rec_name = "name"

    name = fields.Char("Model Description", required=True)
    model = fields.Char(required=True, index=True)
    info = fields.Text("Information")
    field_id = fields.One2many("ir.model.fields", "model_id", string="Fields")
    modules = fields.Char("In Apps")
    transient = fields.Boolean("Transient Model")
    abstract = fields.Boolean()
    access_ids = fields.One2many("ir.model.access", "model_id", string="Access")
    rule_ids = fields.One2many("ir.rule", "model_id", string="Record Rules")

    _sql_constraints = [("obj_name_uniq", "UNIQUE (model)", "Each model must have a unique name.")]

    @api.model
    def _get_id(self, model_name: str) -> int:
        record = self.sudo().search([("model", "=", model_name)], limit=1)
        if not record:
            raise ValueError(f"Unknown model {model_name!r}")
        return record.id


class IrModelFields(models.Model):
    _name = "ir.model.fields"
    _description = "Fields"
    _order = "model_id, name"
    _rec_name = "field_description"

    name = fields.Char("Field Name", required=True, index=True)
    model = fields.Char("Model Name", required=True, index=True)
    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade", index=True)
    field_description = fields.Char("Field Label")
    help = fields.Text()
    ttype = fields.Char("Field Type", required=True)
    relation = fields.Char("Related Model")
    relation_field = fields.Char()
    required = fields.Boolean()
    readonly = fields.Boolean()
    store = fields.Boolean(default=True)
    index = fields.Boolean()
    copied = fields.Boolean()
    related = fields.Char()
    groups = fields.Char()
    selection = fields.Text()
    modules = fields.Char("In Apps")

    _sql_constraints = [
        ("name_model_uniq", "UNIQUE (model, name)", "Field names must be unique per model.")
    ]


class IrModelAccess(CachedRecords, models.Model):
    _name = "ir.model.access"
    _description = "Model Access"
    _order = "model_id, group_id, name, id"

    name = fields.Char(required=True, index=True)
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, index=True, ondelete="cascade"
    )
    group_id = fields.Many2one("res.groups", string="Group", ondelete="restrict", index=True)
    perm_read = fields.Boolean("Read Access")
    perm_write = fields.Boolean("Write Access")
    perm_create = fields.Boolean("Create Access")
    perm_unlink = fields.Boolean("Delete Access")


class IrRule(CachedRecords, models.Model):
    _name = "ir.rule"
    _description = "Record Rule"
    _order = "model_id, name, id"

    name = fields.Char()
    active = fields.Boolean(default=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", index=True, required=True, ondelete="cascade"
    )
    groups = fields.Many2many(
        "res.groups", "rule_group_rel", "rule_group_id", "group_id", ondelete="restrict"
    )
    domain_force = fields.Text("Domain")
    perm_read = fields.Boolean("Apply for Read", default=True)
    perm_write = fields.Boolean("Apply for Write", default=True)
    perm_create = fields.Boolean("Apply for Create", default=True)
    perm_unlink = fields.Boolean("Apply for Delete", default=True)
    # the field ``global`` is set below, after the class: its name is a Python keyword

    _sql_constraints = [
        (
            "no_access_rights",
            "CHECK (perm_read!=False or perm_write!=False or perm_create!=False or perm_unlink!=False)",
            "Rule must have at least one checked access right!",
        ),
    ]

    @api.depends("groups")
    def _compute_global(self):
        for rule in self:
            rule["global"] = not rule.groups


# Odoo 17's name, ``global`` (``rule["global"]``, ``read(["global"])``, domains on it): a
# Python keyword, so the field is set on the class with setattr, as Odoo's ir_rule.py does
setattr(
    IrRule,
    "global",
    fields.Boolean(
        "Global",
        compute="_compute_global",
        store=True,
        help="If no group is specified the rule is global and applied to everyone",
    ),
)
