"""A window action as the pages use it, read as Odoo 17's ``/web/action/load`` reads it.

Worked example::

    action = load_window_action(request.env, 12)
    action.res_model, action.view_types          # 'sale.order', ['list', 'kanban', 'form']
    action.context                               # {'search_default_my_quotation': 1}
    action.domain                                # [('state', '=', 'sale')]
    action.views_request()   # [[False, 'list'], [False, 'kanban'], [False, 'form'], [False, 'search']]

The action record is read with superuser rights (an action is a menu's data, as in Odoo) and
kept in the registry's shared cache (dropped when actions change), then
the user must belong to one of its ``groups_id`` (when it has any) and have the read right on
its model; otherwise :class:`~erplite.exceptions.AccessError` (a 403 page). ``context`` and
``domain`` are evaluated by the restricted evaluator with ``uid``, ``context``,
``allowed_company_ids`` and Odoo's date helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from erplite.exceptions import AccessError, MissingError
from erplite.security import shared_cache, user_group_ids
from erplite.tools.safe_eval import date_context, safe_eval, safe_eval_domain

#: the fields of a window action the pages use
_ACTION_FIELDS = (
    "name",
    "res_model",
    "view_mode",
    "views",
    "search_view_id",
    "domain",
    "context",
    "limit",
    "help",
    "groups_id",
)

#: Odoo 17's action ``view_mode`` names and the page types drawing them
VIEW_TYPES = {
    "tree": "list",
    "list": "list",
    "form": "form",
    "kanban": "kanban",
    "graph": "graph",
    "pivot": "pivot",
    "activity": "activity",  # the mail module's (records x activity types)
}


@dataclass
class WindowAction:
    id: int
    name: str
    res_model: str
    view_types: list[str]
    context: dict[str, Any]
    domain: list
    limit: int
    help: str | None
    #: ``(view id or False, view type)`` pairs from the action's ``views`` field, when it has one
    views: list[tuple[Any, str]] = field(default_factory=list)
    search_view_id: Any = False
    #: the ``ctx`` token of its URL, when a button opened it with a context of its own
    #: (``ui/action_context.py``): the links of its pages keep it
    url_context: str | None = None

    def url_query(self) -> list[tuple[str, str]]:
        """The query arguments every link of the action's pages keeps (its ``ctx``)."""
        return [("ctx", self.url_context)] if self.url_context else []

    def views_request(self) -> list[list[Any]]:
        """The ``views`` argument of ``get_views`` for this action's pages."""
        explicit = {view_type: view_id for view_id, view_type in self.views}
        result = [[explicit.get(t, False), t] for t in self.view_types]
        result.append([self.search_view_id or False, "search"])
        return result

    @property
    def first_view_type(self) -> str:
        return next((t for t in self.view_types if t != "form"), "form")


def eval_context(env: Any) -> dict[str, Any]:
    """The names an action's or a filter's ``domain``/``context`` text may use."""
    context = dict(env.context)
    return {
        **date_context(tz=context.get("tz") or None),
        "uid": env.uid,
        "context": context,
        "allowed_company_ids": list(context.get("allowed_company_ids") or [env.company.id]),
        "current_company_id": env.company.id,
    }


def _many2one_id(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value[0] if value else False
    return value


def _action_values(env: Any, action_id: int) -> dict[str, Any]:
    """The stored values of window action ``action_id``, read once per registry (actions are
    data: changing one drops the shared cache, in every worker)."""
    cache = shared_cache(env)
    key = ("web.window_action", action_id)
    values = cache.get(key)
    if values is None:
        record = env["ir.actions.act_window"].sudo().browse(action_id).exists()
        if not record:
            raise MissingError(f"The action {action_id} does not exist.")
        values = cache[key] = record.read(list(_ACTION_FIELDS))[0]
    return values


def load_window_action(env: Any, action_id: int) -> WindowAction:
    """The window action ``action_id``, if ``env``'s user may open it.

    :raises MissingError: no such window action.
    :raises AccessError: the action is restricted to groups the user is not in, or the user may
        not read its model.
    """
    values = _action_values(env, action_id)
    group_ids = values.get("groups_id") or []
    if group_ids and not env.su:
        user_groups = set(user_group_ids(env, env.uid))
        if not user_groups & set(group_ids):
            raise AccessError(f"You may not open {values.get('name')!r}.")
    res_model = values["res_model"]
    if res_model not in env.registry:
        raise MissingError(f"The action {values.get('name')!r} opens an unknown model.")
    env[res_model].check_access_rights("read")
    names = eval_context(env)
    context = safe_eval(values.get("context") or "{}", names) or {}
    domain_text = values.get("domain")
    domain = safe_eval_domain(domain_text, names) if domain_text else []
    view_types: list[str] = []
    for mode in (values.get("view_mode") or "tree,form").split(","):
        view_type = VIEW_TYPES.get(mode.strip())
        if view_type and view_type not in view_types:
            view_types.append(view_type)
    views = []
    for item in values.get("views") or []:
        view_id, view_type = item[0], item[1]
        views.append((view_id, VIEW_TYPES.get(view_type, view_type)))
    return WindowAction(
        id=action_id,
        name=values.get("name") or "",
        res_model=res_model,
        view_types=view_types or ["list", "form"],
        context=dict(context) if isinstance(context, Mapping) else {},
        domain=domain,
        limit=values.get("limit") or 80,
        help=values.get("help") or None,
        views=views,
        search_view_id=_many2one_id(values.get("search_view_id")),
    )


__all__ = ["VIEW_TYPES", "WindowAction", "eval_context", "load_window_action"]
