"""``ir.module.module``: one row per module found, with its state and installed version."""

from erplite import fields, models

STATES = [
    ("uninstalled", "Not Installed"),
    ("installed", "Installed"),
    ("to upgrade", "To be upgraded"),
    ("to remove", "To be removed"),
    ("to install", "To be installed"),
]


class IrModuleModule(models.Model):
    _name = "ir.module.module"
    _description = "Module"
    _order = "name"

    name = fields.Char("Technical Name", required=True, index=True)
    shortdesc = fields.Char("Module Name")
    summary = fields.Char()
    state = fields.Selection(STATES, default="uninstalled", required=True, index=True)
    latest_version = fields.Char("Installed Version")
    demo = fields.Boolean("Demo Data", default=False)
    license = fields.Char()
    auto_install = fields.Boolean()

    _sql_constraints = [("name_uniq", "UNIQUE (name)", "The name of the module must be unique!")]
