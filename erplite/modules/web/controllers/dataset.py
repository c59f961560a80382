"""``/web/dataset/call_kw``: a model method called with the session's user, as the web client
and OdooRPC call them.

Worked example::

    POST /web/session/authenticate {"params": {"db": "shop", "login": "admin", "password": "..."}}
    POST /web/dataset/call_kw/res.partner/search_read
         {"params": {"model": "res.partner", "method": "search_read",
                     "args": [[["is_company", "=", true]]], "kwargs": {"fields": ["name"]}}}
    → {"result": [{"id": 7, "name": "Azure Interior"}, ...]}

``/web/dataset/resequence`` writes the order a list's rows were dragged into (the ``handle``
widget): ``ids`` in their new order get ``field`` = ``offset``, ``offset + 1``, ... as in Odoo
17, or, without ``offset``, the values those records had, sorted (a permutation: the other
records keep their place), as the user.

Odoo 17's calling conventions (``erplite.http.service.call_kw``): ``args[0]`` the ids of a
method on records, ``context`` in ``kwargs`` (merged over the session's), private methods
refused.
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.exceptions import InvalidArgument, UserError
from erplite.http import request
from erplite.http.service import InvalidArguments, call_kw


class DataSet(http.Controller):
    @http.route(
        ["/web/dataset/call_kw", "/web/dataset/call_kw/<path:path>"], type="json", auth="user"
    )
    def call_kw(
        self,
        model: str,
        method: str,
        args: list | None = None,
        kwargs: dict | None = None,
        path: str | None = None,
    ):
        env = request.env
        if not isinstance(model, str) or model not in env:
            raise UserError(f"Object {model} doesn't exist")
        if args is not None and not isinstance(args, list):
            raise InvalidArguments("args must be a list")
        if kwargs is not None and not isinstance(kwargs, dict):
            raise InvalidArguments("kwargs must be an object")
        kwargs = dict(kwargs or {})
        context: dict[str, Any] = dict(env.context)
        context.update(kwargs.pop("context", None) or {})
        return call_kw(env[model], method, list(args or []), {**kwargs, "context": context})


def _new_sequences(current: list[int], offset: int | None) -> list[int]:
    """The sequences of records put in a new order: from ``offset`` on, or the values they
    had, sorted (numbered on from the smallest when two were equal)."""
    if offset is not None:
        return [offset + index for index in range(len(current))]
    values = sorted(current)
    if len(set(values)) < len(values):
        return [values[0] + index for index in range(len(values))]
    return values


class Resequence(http.Controller):
    @http.route("/web/dataset/resequence", type="json", auth="user")
    def resequence(
        self,
        model: str,
        ids: list,
        field: str = "sequence",
        offset: int | None = None,
        context: dict | None = None,
    ):
        env = request.env
        if not isinstance(model, str) or model not in env:
            raise UserError(f"Object {model} doesn't exist")
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids
        ):
            raise InvalidArgument("ids must be a list of record ids")
        if offset is not None and (not isinstance(offset, int) or isinstance(offset, bool)):
            raise InvalidArgument("offset must be an integer")
        records = env[model].with_context(**(context if isinstance(context, dict) else {}))
        described = records._fields.get(field) if isinstance(field, str) else None
        if described is None or described.type != "integer":
            return False
        rows = records.browse(ids).read([field])
        if len(rows) != len(set(ids)):
            raise InvalidArgument("Some of the records do not exist or were deleted.")
        current = {row["id"]: row[field] or 0 for row in rows}
        order = list(dict.fromkeys(ids))
        for record_id, value in zip(order, _new_sequences([current[i] for i in order], offset)):
            if current[record_id] != value:
                records.browse(record_id).write({field: value})
        return True
