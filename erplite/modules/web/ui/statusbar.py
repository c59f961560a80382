"""The states a ``statusbar`` widget of a many2one shows: the records of its comodel.

Worked example (the lead form's ``<field name="stage_id" widget="statusbar"
options="{'fold_field': 'fold'}"/>``)::

    states = many2one_states(env, form.statusbar, values)
    # [('1', 'New'), ('2', 'Qualified'), ('3', 'Proposition'), ('4', 'Won')]

As Odoo 17's statusbar: the comodel's records the user may read, in its order, filtered by the
field's ``domain`` (evaluated on the record's values, e.g. the stages of the lead's team), the
``statusbar_visible`` ones when the node names some, and a folded record (the ``fold_field``
option) only when it is the record's current value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from erplite.tools.safe_eval import SafeEvalError, safe_eval, safe_eval_domain

#: records shown at most (Odoo's statusbar folds the rest into a menu)
MAX_STATES = 12


def _options(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = safe_eval(text, {})
    except SafeEvalError:
        return {}
    return dict(value) if isinstance(value, Mapping) else {}


def many2one_states(
    env: Any, field_node: Any, values: Mapping[str, Any], context: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """``(id, display name)`` of the records the statusbar of ``field_node`` shows."""
    relation = str(field_node.description.get("relation") or "")
    if relation not in env.registry:
        return []
    comodel = env[relation]
    domain: list = []
    text = field_node.description.get("domain")
    if isinstance(text, str) and text.strip():
        try:
            domain = list(safe_eval_domain(text, {**values, "context": dict(context)}))
        except SafeEvalError:
            domain = []
    elif isinstance(text, list):
        domain = list(text)
    current = values.get(field_node.name) or False
    visible = [
        int(v) for v in (field_node.attrs.get("statusbar_visible") or "").split(",") if v.strip()
    ]
    if visible:
        domain = ["&", ("id", "in", visible), *domain] if domain else [("id", "in", visible)]
    fold_field = str(_options(field_node.attrs.get("options")).get("fold_field") or "")
    names = ["display_name"]
    if fold_field and fold_field in comodel._fields:
        names.append(fold_field)
    rows = comodel.search_read(domain, names, limit=MAX_STATES)
    if current and all(row["id"] != current for row in rows):
        rows.extend(comodel.browse(current).read(names))
        order = {
            row["id"]: index
            for index, row in enumerate(comodel.search([("id", "in", [r["id"] for r in rows])]))
        }
        rows.sort(key=lambda row: order.get(row["id"], len(order)))
    return [
        (str(row["id"]), str(row["display_name"]))
        for row in rows
        if not (fold_field in row and row[fold_field]) or row["id"] == current
    ]


__all__ = ["MAX_STATES", "many2one_states"]
