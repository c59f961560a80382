"""``ir.actions.server`` seen from automation rules: the rule an action belongs to."""

from __future__ import annotations

from erplite import fields, models


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    usage = fields.Selection(selection_add=[("base_automation", "Automation Rule")])
    base_automation_id = fields.Many2one(
        "base.automation", string="Automation Rule", index=True, ondelete="cascade"
    )
