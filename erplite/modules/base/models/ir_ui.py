"""``ir.ui.menu``: the backoffice's menus, stored as data of the modules (``<menuitem>``).

Top-level menus are the apps; each menu opens an action (``action`` is ``"<model>,<id>"``) or
holds sub-menus. :meth:`IrUiMenu.load_menus` answers the tree a user sees, as Odoo 17's
``load_menus``: a menu is visible when the user is in one of its groups (no groups: everyone)
and so are all its ancestors, and, when it opens an action, when that action exists, its
groups allow the user and the user may read the action's model (``res_model``); a menu
without an action is visible when one of its sub-menus is. The answer is cached per registry
and group set, and dropped when menus, actions, views or security data change.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.security import (
    check_model_access,
    shared_cache,
    user_group_ids,
)

from .cached_records import CachedRecords


class IrUiMenu(CachedRecords, models.Model):
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

    # -- the menu tree of a user --------------------------------------------------------------
    @api.model
    def load_menus(self, debug: bool = False) -> dict[Any, dict]:
        """The menus the user sees, as Odoo 17's ``load_menus``: a dict of menus by id plus
        ``"root"`` (``children``: the apps' ids). Each menu is ``{"id", "name", "sequence",
        "parent_id" ((id, name) or False), "action" ("<model>,<id>" or False), "web_icon",
        "children" (ids, by sequence), "xmlid", "app_id" (its top-level menu's id)}``.

        ``debug`` is accepted for Odoo's signature; it changes nothing here.
        """
        env = self.env
        groups = None if env.su else user_group_ids(env, env.uid)
        key = ("ui.menus", groups)
        cache = shared_cache(env)
        menus = cache.get(key)
        if menus is None:
            menus = cache[key] = self._build_menus(groups)
        # copies: callers may change what they get, never the cache
        return {
            menu_id: dict(menu, children=list(menu["children"])) for menu_id, menu in menus.items()
        }

    @api.model
    def _build_menus(self, groups: frozenset[int] | None) -> dict[Any, dict]:
        Menu = self.sudo()
        rows = Menu.search_read(
            [], ["name", "sequence", "parent_id", "action", "web_icon", "groups_id"]
        )
        by_id = {row["id"]: row for row in rows}
        visible = self._visible_menu_ids(by_id, groups)
        xmlids = self._menu_xmlids(list(visible))
        menus: dict[Any, dict] = {}
        for menu_id in visible:
            row = by_id[menu_id]
            menus[menu_id] = {
                "id": menu_id,
                "name": row["name"],
                "sequence": row["sequence"],
                "parent_id": row["parent_id"] or False,
                "action": row["action"] or False,
                "web_icon": row["web_icon"] or False,
                "children": [],
                "xmlid": xmlids.get(menu_id, ""),
                "app_id": False,
            }
        roots = []
        for menu in menus.values():
            parent = menu["parent_id"] and menu["parent_id"][0]
            if parent:
                menus[parent]["children"].append(menu["id"])
            else:
                roots.append(menu["id"])
        order = {menu_id: (menu["sequence"], menu_id) for menu_id, menu in menus.items()}
        for menu in menus.values():
            menu["children"].sort(key=order.__getitem__)
        roots.sort(key=order.__getitem__)

        def set_app(menu_id: int, app_id: int) -> None:
            menus[menu_id]["app_id"] = app_id
            for child in menus[menu_id]["children"]:
                set_app(child, app_id)

        for root in roots:
            set_app(root, root)
        menus["root"] = {
            "id": False,
            "name": "root",
            "parent_id": [-1, ""],
            "children": roots,
            "xmlid": "",
            "app_id": False,
        }
        return menus

    def _visible_menu_ids(self, by_id: dict[int, dict], groups: frozenset | None) -> set[int]:
        """Menus allowed by their groups and their ancestors'; action menus whose action the
        user may open, and the folder menus above them."""

        def allowed(menu_id: int) -> bool:
            while menu_id:
                row = by_id.get(menu_id)
                if row is None:
                    return False  # an archived ancestor
                if groups is not None and row["groups_id"] and not set(row["groups_id"]) & groups:
                    return False
                menu_id = row["parent_id"] and row["parent_id"][0]
            return True

        candidates = [menu_id for menu_id in by_id if allowed(menu_id)]
        openable = self._openable_actions(
            {by_id[m]["action"] for m in candidates if by_id[m]["action"]}, groups
        )
        visible: set[int] = set()
        for menu_id in candidates:
            action = by_id[menu_id]["action"]
            if not action or action not in openable:
                continue
            visible.add(menu_id)
            parent = by_id[menu_id]["parent_id"] and by_id[menu_id]["parent_id"][0]
            while parent and parent not in visible:
                if by_id[parent]["action"]:
                    break  # a menu with its own action is visible by its own right
                visible.add(parent)
                parent = by_id[parent]["parent_id"] and by_id[parent]["parent_id"][0]
        return visible

    def _openable_actions(self, references: set[str], groups: frozenset | None) -> set[str]:
        """Which ``"<model>,<id>"`` references name an existing action the user may open."""
        by_model: dict[str, list[int]] = {}
        for reference in references:
            model_name, _, res_id = reference.partition(",")
            if model_name in self.env and res_id.isdigit():
                by_model.setdefault(model_name, []).append(int(res_id))
        openable = set()
        for model_name, ids in by_model.items():
            Action = self.env[model_name].sudo()
            names = [n for n in ("groups_id", "res_model") if n in Action._fields]
            for action in Action.browse(ids).exists().read(names, load=False):
                if groups is not None:
                    required = action.get("groups_id")
                    if required and not set(required) & groups:
                        continue
                    res_model = action.get("res_model")
                    if res_model and (
                        res_model not in self.env
                        or not check_model_access(self.env, res_model, "read", False)
                    ):
                        continue
                openable.add(f"{model_name},{action['id']}")
        return openable

    def _menu_xmlids(self, ids: list[int]) -> dict[int, str]:
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search_read(
                [("model", "=", "ir.ui.menu"), ("res_id", "in", ids)], ["module", "name", "res_id"]
            )
        )
        return {row["res_id"]: f"{row['module']}.{row['name']}" for row in data}
