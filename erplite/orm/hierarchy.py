"""The records a ``child_of`` / ``parent_of`` domain value names, shared by the SQL compiler
(``model_search``) and the in-Python evaluation of domains (``domain_eval``)."""

from __future__ import annotations

from typing import Any


def hierarchy_ids(model: Any, value: Any) -> list[int]:
    """The ids of the records of ``model`` that ``value`` names: a name (searched with
    ``name_search``, no limit), a recordset, an id, or a list of ids (empty ones skipped)."""
    if isinstance(value, str):
        return [i for i, _name in model.name_search(value, limit=None)]
    if hasattr(value, "_ids"):
        return list(value._ids)
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple):
        return [int(v) for v in value if v]
    return []
