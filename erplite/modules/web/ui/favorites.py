"""Favorites: a search saved as an ``ir.filters`` record (Odoo 17's model), and applied again.

Worked example::

    vals = favorite_values(page, "Big Azure orders", shared=False, default=True)
    # {'name': 'Big Azure orders', 'model_id': 'sale.order', 'action_id': 12, 'user_id': 7,
    #  'is_default': True, 'domain': "[('partner_id', 'ilike', 'azure')]",
    #  'context': "{'group_by': ['user_id']}", 'sort': "['amount_total desc']"}
    env["ir.filters"].create_or_replace(vals)          # as the user: rules decide who shares
    favorite_url(action_id, "list", saved, eval_context)
    # /web/action/12/list?searched=1&domain=[["partner_id","ilike","azure"]]
    #     &domain_label=Big+Azure+orders&groupby=user_id&order=amount_total+desc

A favorite stores what Odoo 17 stores: the search's domain (the facets' domain, without the
action's own), its group-bys in ``context['group_by']`` and its order in ``sort``. Applied, it
is one facet named after it (the URL's ``domain``/``domain_label``, see :mod:`.search`) with
its group-bys and order. ``default_favorite`` is the one the action opens with: the user's own
default before a shared one, as Odoo 17 picks it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from erplite.tools.safe_eval import safe_eval

from . import urls
from .actions import eval_context


def favorite_values(page: Any, name: str, *, shared: bool, default: bool) -> dict[str, Any]:
    """The ``ir.filters`` values saving ``page``'s current search (a list/kanban/graph page)."""
    env = page.model.env
    domain = page.state.domain(page.panel, page.fields, eval_context(env))
    order = f"{page.order_field} {page.order_direction}".strip() if page.order_field else ""
    return {
        "name": name.strip(),
        "model_id": page.action.res_model,
        "action_id": page.action.id,
        "user_id": False if shared else env.uid,
        "is_default": bool(default),
        "domain": repr([list(leaf) if isinstance(leaf, tuple) else leaf for leaf in domain]),
        "context": repr({"group_by": list(page.state.group_by)}),
        "sort": repr([order] if order else []),
    }


def _literal(text: Any, names: Mapping[str, Any], default: Any) -> Any:
    try:
        return safe_eval(str(text or ""), dict(names)) if text else default
    except ValueError:  # SafeEvalError: a filter saved elsewhere may not evaluate here
        return default


def favorite_url(
    action_id: int,
    view_type: str,
    saved: Mapping[str, Any],
    names: Mapping[str, Any],
    menu_id: int | None = None,
) -> str:
    """The URL of ``view_type`` with the saved filter ``saved`` (a ``get_filters`` row)."""
    domain = _literal(saved.get("domain"), names, [])
    context = _literal(saved.get("context"), names, {})
    sort = _literal(saved.get("sort"), names, [])
    query: list[tuple[str, Any]] = [("searched", "1")]
    if isinstance(domain, list | tuple):
        items = [list(leaf) if isinstance(leaf, tuple) else leaf for leaf in domain]
        query += [
            ("domain", json.dumps(items, default=str)),
            ("domain_label", str(saved.get("name") or "Favorite")),
        ]
    group_by = context.get("group_by") if isinstance(context, dict) else None
    if isinstance(group_by, str):
        group_by = [group_by]
    for spec in group_by or ():
        if isinstance(spec, str):
            query.append(("groupby", spec))
    if isinstance(sort, list | tuple) and sort and isinstance(sort[0], str):
        query.append(("order", sort[0]))
    if menu_id:
        query.append(("menu", menu_id))
    return urls.action_url(action_id, view_type, query)


def default_favorite(env: Any, model: str, action_id: int) -> dict[str, Any] | None:
    """The favorite the action opens with: the user's default, else a shared default (from
    the registry's cache: opening an action costs no query for it)."""
    return env["ir.filters"].get_default_filter(model, action_id)


__all__ = ["default_favorite", "favorite_url", "favorite_values"]
