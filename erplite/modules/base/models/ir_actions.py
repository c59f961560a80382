"""Actions: what a menu, a button or a model's action menu opens (Odoo 17's ``ir.actions.*``).

- ``ir.actions.act_window`` opens the screens of a model: ``res_model``, ``view_mode``
  (``tree,form``...), ``view_id`` / ``view_ids`` / ``search_view_id`` (the views to use, else
  the model's defaults), ``domain``, ``context`` (``search_default_*``, ``default_*``,
  ``group_by``), ``limit`` (80), ``help``, ``target``. ``views`` is Odoo's computed list of
  ``[view_id or False, view_type]`` pairs, the order of ``view_mode``.
- ``ir.actions.act_url`` opens ``url`` (``target`` ``new``/``self``/``download``).
- ``ir.actions.server`` (``ir_actions_server.py``) runs something on records.

Every action may be *bound* to a model (``binding_model_id``): it is then offered in that
model's action menu (``binding_type="action"``) or print menu (``"report"``), for the view
types of ``binding_view_types``. ``env["ir.actions.actions"].get_bindings(model_name)``
answers them as Odoo 17 does (``{"action": [...], "report": [...]}``, each a dict with
``id``, ``type``, ``name``, ``binding_view_types`` and ``res_model`` / ``groups_id`` where
the action has them), filtered for the user (groups, read access to ``res_model``); it is
cached per registry and dropped when an action changes.

Unlike Odoo, each action model has its own table and ids: an action is designated by its
model and id (``ir.ui.menu.action`` is ``"ir.actions.act_window,12"``), and binding dicts
carry ``type``.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.security import (
    check_model_access,
    shared_cache,
    user_group_ids,
)
from erplite.sql import SQL

from .cached_records import CachedRecords

#: The action models that can be bound to a model's menus.
BINDABLE_ACTIONS = ("ir.actions.act_window", "ir.actions.act_url", "ir.actions.server")


class IrActionsActions(CachedRecords, models.AbstractModel):
    """What every action has (Odoo's ``ir.actions.actions``) and the bindings query."""

    _name = "ir.actions.actions"
    _description = "Actions"

    name = fields.Char("Action Name", required=True)
    xml_id = fields.Char(compute="_compute_xml_id", string="External ID")
    help = fields.Html(
        "Action Description", help="Shown when the action opens on no record (a first step)"
    )
    binding_model_id = fields.Many2one(
        "ir.model",
        ondelete="cascade",
        help="The model in whose action menu this action is offered",
    )
    binding_type = fields.Selection(
        [("action", "Action"), ("report", "Report")], required=True, default="action"
    )
    binding_view_types = fields.Char(default="list,form")

    def _compute_xml_id(self):
        for action in self:
            self.env.cr.execute(
                SQL(
                    "SELECT module || '.' || name FROM ir_model_data"
                    " WHERE model = %s AND res_id = %s LIMIT 1",
                    action._name,
                    action.id,
                )
            )
            row = self.env.cr.fetchone()
            action.xml_id = row[0] if row else False

    @api.model
    def get_bindings(self, model_name: str) -> dict[str, list[dict]]:
        """The actions bound to ``model_name`` that the user may run, by binding type."""
        cache = shared_cache(self.env)
        key = ("ui.bindings", model_name)
        bindings = cache.get(key)
        if bindings is None:
            bindings = cache[key] = self._read_bindings(model_name)
        groups = None if self.env.su else user_group_ids(self.env, self.env.uid)
        result: dict[str, list[dict]] = {}
        for binding_type, actions in bindings.items():
            allowed = []
            for action in actions:
                required = action.get("groups_id")
                if groups is not None and required and not set(required) & groups:
                    continue
                res_model = action.get("res_model")
                if res_model and not self.env.su:
                    if res_model not in self.env or not check_model_access(
                        self.env, res_model, "read", False
                    ):
                        continue
                allowed.append(dict(action))
            if allowed:
                result[binding_type] = allowed
        return result

    @api.model
    def _read_bindings(self, model_name: str) -> dict[str, list[dict]]:
        bindings: dict[str, list[dict]] = {}
        for action_model in BINDABLE_ACTIONS:
            if action_model not in self.env:
                continue
            Action = self.env[action_model].sudo()
            names = ["name", "binding_view_types", "binding_type"]
            names += [n for n in ("groups_id", "res_model", "sequence") if n in Action._fields]
            actions = Action.search([("binding_model_id.model", "=", model_name)], order="id")
            for values in actions.read(names, load=False):
                values["type"] = action_model
                bindings.setdefault(values.pop("binding_type"), []).append(values)
        for actions in bindings.values():
            actions.sort(key=lambda a: (a.get("sequence") or 0, a["type"], a["id"]))
        return bindings


class IrActionsActWindow(models.Model):
    _name = "ir.actions.act_window"
    _inherit = "ir.actions.actions"
    _description = "Action Window"
    _order = "name"

    type = fields.Char(default="ir.actions.act_window", required=True)
    res_model = fields.Char("Destination Model", required=True)
    view_mode = fields.Char(default="tree,form", required=True)
    view_id = fields.Many2one("ir.ui.view", string="View Ref.", ondelete="set null")
    view_ids = fields.One2many("ir.actions.act_window.view", "act_window_id", string="No of Views")
    views = fields.Json(compute="_compute_views", string="Views")
    search_view_id = fields.Many2one("ir.ui.view", string="Search View Ref.", ondelete="set null")
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
    usage = fields.Char("Action Usage")
    groups_id = fields.Many2many(
        "res.groups", "ir_act_window_group_rel", "act_id", "gid", string="Groups"
    )

    @api.depends("view_mode", "view_id", "view_ids.view_mode", "view_ids.view_id")
    def _compute_views(self):
        """Odoo 17's ``views``: the ``view_ids`` lines, then the other types of ``view_mode``
        in order, ``view_id`` first when its type is one of them, the others with False (the
        model's default view of the type)."""
        for action in self:
            lines = action.view_ids.sorted(lambda line: (line.sequence, line.id))
            pairs: list[list[Any]] = [[line.view_id.id or False, line.view_mode] for line in lines]
            got = {line.view_mode for line in lines}
            missing = [
                mode.strip()
                for mode in (action.view_mode or "").split(",")
                if mode.strip() and mode.strip() not in got
            ]
            if action.view_id and action.view_id.type in missing:
                missing.remove(action.view_id.type)
                pairs.append([action.view_id.id, action.view_id.type])
            pairs.extend([False, mode] for mode in missing)
            action.views = pairs


class IrActionsActWindowView(CachedRecords, models.Model):
    _name = "ir.actions.act_window.view"
    _description = "Action Window View"
    _order = "sequence, id"

    sequence = fields.Integer()
    view_id = fields.Many2one("ir.ui.view", string="View", ondelete="cascade")
    view_mode = fields.Selection(
        [
            ("tree", "Tree"),
            ("form", "Form"),
            ("graph", "Graph"),
            ("pivot", "Pivot"),
            ("kanban", "Kanban"),
        ],
        string="View Type",
        required=True,
    )
    act_window_id = fields.Many2one("ir.actions.act_window", string="Action", ondelete="cascade")


class IrActionsActUrl(models.Model):
    _name = "ir.actions.act_url"
    _inherit = "ir.actions.actions"
    _description = "Action URL"
    _order = "name"

    type = fields.Char(default="ir.actions.act_url", required=True)
    url = fields.Text("Action URL", required=True)
    target = fields.Selection(
        [("new", "New Window"), ("self", "This Window"), ("download", "Download")],
        string="Action Target",
        default="new",
        required=True,
    )
