"""Menus and window actions: stored as data of the modules for the backoffice."""

from __future__ import annotations

from erplite import api, fields, models
from erplite.sql import SQL


class IrActionsActWindow(models.Model):
    _name = "ir.actions.act_window"
    _description = "Action Window"
    _order = "name"

    name = fields.Char("Action Name", required=True)
    type = fields.Char(default="ir.actions.act_window", required=True)
    xml_id = fields.Char(compute="_compute_xml_id", string="External ID")
    res_model = fields.Char("Destination Model", required=True)
    view_mode = fields.Char(default="tree,form", required=True)
    domain = fields.Char("Domain Value")
    context = fields.Char("Context Value", default="{}", required=True)
    res_id = fields.Integer("Record ID")
    target = fields.Selection(
        [
            ("current", "Current Window"),
            ("new", "New Window"),
            ("inline", "Inline Edit"),
            ("fullscreen", "Full Screen"),
            ("main", "Main action of Current Window"),
        ],
        default="current",
    )
    limit = fields.Integer(default=80)
    help = fields.Html("Action Description")
    groups_id = fields.Many2many(
        "res.groups", "ir_act_window_group_rel", "act_id", "gid", string="Groups"
    )

    def _compute_xml_id(self):
        for action in self:
            self.env.cr.execute(
                SQL(
                    "SELECT module || '.' || name FROM ir_model_data WHERE model = %s AND res_id = %s LIMIT 1",
                    action._name,
                    action.id,
                )
            )
            row = self.env.cr.fetchone()
            action.xml_id = row[0] if row else False


class IrUiMenu(models.Model):
    _name = "ir.ui.menu"
    _description = "Menu"
    _order = "sequence, id"
    _parent_store = True

    name = fields.Char("Menu", required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("ir.ui.menu", string="Parent Menu", index=True, ondelete="restrict")
    child_id = fields.One2many("ir.ui.menu", "parent_id", string="Child IDs")
    parent_path = fields.Char(index=True)
    groups_id = fields.Many2many(
        "res.groups", "ir_ui_menu_group_rel", "menu_id", "gid", string="Groups"
    )
    complete_name = fields.Char(compute="_compute_complete_name", string="Full Path")
    web_icon = fields.Char("Web Icon File")
    action = fields.Char("Action", help="model,id of the action the menu opens")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for menu in self:
            menu.complete_name = (
                f"{menu.parent_id.complete_name}/{menu.name}" if menu.parent_id else menu.name
            )

    @api.model
    def visible_menus(self):
        """The active menus the current user's groups allow (no groups means everyone)."""
        menus = self.search([])
        if self.env.su:
            return menus
        groups = set(self.env.user._group_ids())
        return menus.filtered(lambda m: not m.groups_id or groups & set(m.groups_id.ids))
