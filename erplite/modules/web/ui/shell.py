"""The frame around every backoffice page: the apps menu, the current app's menu bar, the user
menu and the company switcher.

Worked example::

    menus = MenuTree(env["ir.ui.menu"].load_menus(False))    # Odoo 17's load_menus shape
    [app.name for app in menus.apps]                         # ['Sales', 'Settings']
    menus.app_of_action("ir.actions.act_window", 12)         # the Sales app (a MenuItem)
    menus.first_action(menus.apps[0])                        # ('ir.actions.act_window', 12)

``load_menus`` (``ir.ui.menu``) already leaves out what the user may not see (groups of the
menus, rights on the actions' models); this module only arranges it for the templates and
links each menu to its page (:mod:`.urls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from erplite.security import shared_cache, user_group_ids

from . import urls


@dataclass
class MenuItem:
    id: int
    name: str
    action_model: str | None
    action_id: int | None
    web_icon: str | None
    children: list[MenuItem] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The page the menu opens: its window action, or the menu page (first sub-menu)."""
        if self.action_model == "ir.actions.act_window" and self.action_id:
            return urls.action_url(self.action_id)
        return urls.menu_url(self.id)


def _parse_action(menu: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """``(model, id)`` of a menu's action, from Odoo 17's ``"model,id"`` text (or the
    ``action_model``/``action_id`` keys of later versions)."""
    if menu.get("action_model") and menu.get("action_id"):
        return str(menu["action_model"]), int(menu["action_id"])
    action = menu.get("action")
    if isinstance(action, str) and "," in action:
        model, _, ident = action.partition(",")
        if ident.strip().isdigit():
            return model.strip(), int(ident)
    return None, None


class MenuTree:
    """The menus ``load_menus`` returned, as a tree of :class:`MenuItem`."""

    def __init__(self, loaded: Mapping[Any, Mapping[str, Any]]):
        self.items: dict[int, MenuItem] = {}
        for key, menu in loaded.items():
            if key == "root" or not isinstance(menu.get("id"), int):
                continue
            model, action_id = _parse_action(menu)
            self.items[menu["id"]] = MenuItem(
                menu["id"], str(menu.get("name") or ""), model, action_id, menu.get("web_icon")
            )
        for key, menu in loaded.items():
            item = self.items.get(menu.get("id")) if key != "root" else None
            if item is None:
                continue
            item.children = [self.items[c] for c in menu.get("children") or () if c in self.items]
        root = loaded.get("root") or {}
        self.apps: list[MenuItem] = [
            self.items[c] for c in root.get("children") or () if c in self.items
        ]
        self._app_of: dict[int, MenuItem] = {}
        for app in self.apps:
            self._mark(app, app)

    def _mark(self, app: MenuItem, item: MenuItem) -> None:
        self._app_of[item.id] = app
        for child in item.children:
            self._mark(app, child)

    def app(self, menu_id: int | None) -> MenuItem | None:
        """The app (top-level menu) holding menu ``menu_id``."""
        return self._app_of.get(menu_id) if menu_id else None

    def app_of_action(self, action_model: str, action_id: int) -> MenuItem | None:
        """The first app with a menu opening that action."""
        for item in self.items.values():
            if item.action_model == action_model and item.action_id == action_id:
                return self._app_of.get(item.id)
        return None

    def first_action(self, item: MenuItem) -> MenuItem | None:
        """``item`` if it opens an action, else its first descendant that does."""
        if item.action_model and item.action_id:
            return item
        for child in item.children:
            found = self.first_action(child)
            if found is not None:
                return found
        return None


def load_menu_tree(env: Any) -> MenuTree:
    """The menus ``env``'s user may see (``ir.ui.menu.load_menus``, Odoo 17).

    Built once per registry and group set, as ``load_menus`` caches its answer (in the
    shared cache, dropped with it when menus, actions or rights change), and shared by every
    page drawn for those groups: read it, never change it."""
    groups = None if env.su else user_group_ids(env, env.uid)
    cache = shared_cache(env)
    key = ("web.menu_tree", groups)
    tree: MenuTree | None = cache.get(key)
    if tree is None:
        tree = cache[key] = MenuTree(env["ir.ui.menu"].load_menus(False))
    return tree


def shell_values(env: Any, *, app: MenuItem | None, menus: MenuTree) -> dict[str, Any]:
    """What ``web/backoffice/layout.html`` needs besides the page's own values."""
    user = env.user
    # only users of several companies get the switcher (and pay for reading their companies)
    companies = user.company_ids if user.has_group("base.group_multi_company") else None
    allowed = list(env.context.get("allowed_company_ids") or [])
    return {
        "menus": menus,
        "app": app,
        "user": user,
        "companies": companies if companies and len(companies) > 1 else None,
        "current_company_id": allowed[0]
        if allowed
        else (user.company_id.id if companies else None),
    }


__all__ = ["MenuItem", "MenuTree", "load_menu_tree", "shell_values"]
