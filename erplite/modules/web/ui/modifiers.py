"""Odoo 17's attribute expressions of view nodes: ``invisible``, ``readonly``, ``required``,
``column_invisible``, evaluated on the server with erplite's restricted evaluator.

Worked example::

    from erplite.modules.web.ui.modifiers import Modifiers, record_values

    values = {"state": "draft", "partner_id": 7, "order_line": [3, 4]}
    scope = Modifiers(values, uid=2, context={})
    scope.is_true("state != 'draft'")          # False
    scope.is_true("not partner_id")            # False
    scope.is_true("1")                         # True
    scope.is_true(None)                        # False (attribute absent)

As in Odoo 17's web client, an expression sees the record's fields by name with a many2one as
its id (or ``False``) and an x2many as its list of ids, plus ``id``, ``uid``, ``context``,
``parent`` (the parent record's values, for the lines of a one2many), ``current_company_id``,
``today`` and ``now`` (ISO strings). The text is parsed and checked by
:mod:`erplite.tools.safe_eval`: nothing of it reaches Python's ``eval``. An expression that
cannot be evaluated (a name that is not in the view, a refused construct) raises
:class:`ModifierError` naming it: that is a bug in a view, not something to hide.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from erplite.tools.safe_eval import SafeEvalError, safe_eval

#: attribute texts that need no evaluation
_CONSTANTS = {
    "": False,
    "0": False,
    "False": False,
    "false": False,
    "1": True,
    "True": True,
    "true": True,
}


class ModifierError(ValueError):
    """An attribute expression of a view that cannot be evaluated."""


class Modifiers:
    """The evaluation scope of one record's attribute expressions."""

    def __init__(
        self,
        values: Mapping[str, Any],
        *,
        uid: int | None = None,
        context: Mapping[str, Any] | None = None,
        parent: Mapping[str, Any] | None = None,
        company_id: int | None = None,
    ):
        now = datetime.datetime.now(datetime.timezone.utc)
        self.scope: dict[str, Any] = {
            **values,
            "uid": uid,
            "context": dict(context or {}),
            "parent": _attributes(parent or {}),
            "current_company_id": company_id,
            "today": now.date().isoformat(),
            "now": now.strftime("%Y-%m-%d %H:%M:%S"),
        }
        self.scope.setdefault("id", False)

    def is_true(self, expression: str | None) -> bool:
        """Whether ``expression`` (an attribute's text, ``None`` when absent) holds."""
        if expression is None:
            return False
        text = expression.strip()
        if text in _CONSTANTS:
            return _CONSTANTS[text]
        try:
            return bool(safe_eval(text, self.scope))
        except SafeEvalError as exc:
            raise ModifierError(f"cannot evaluate the view expression {text!r}: {exc}") from exc


def _attributes(values: Mapping[str, Any]) -> Any:
    """``values`` as an object whose attributes are its keys (``parent.state``), which the
    restricted evaluator may read (its class declares them)."""
    names = frozenset(name for name in values if not name.startswith("_"))
    holder = type("RecordValues", (), {"_safe_eval_attributes": names})()
    for name in names:
        setattr(holder, name, values[name])
    return holder


def record_values(record: Any, names: Iterable[str]) -> dict[str, Any]:
    """The values of ``record``'s fields ``names`` as the expressions see them."""
    values: dict[str, Any] = {"id": record.id or False}
    fields = record._fields
    for name in names:
        field = fields.get(name)
        if field is None:
            continue
        value = record[name]
        if field.type == "many2one":
            value = value.id or False
        elif field.type in ("one2many", "many2many"):
            value = list(value.ids)
        values[name] = value
    return values


def posted_values(
    record_vals: Mapping[str, Any], posted: Mapping[str, Any], fields: Mapping[str, Mapping]
) -> dict[str, Any]:
    """The record's values with what the user posted on top (the form shown again after an
    error evaluates its expressions on what the user typed)."""
    values = dict(record_vals)
    for name, value in posted.items():
        if name in fields:
            values[name] = value
    return values


__all__ = ["ModifierError", "Modifiers", "posted_values", "record_values"]
