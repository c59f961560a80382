"""``/web/dataset/call_kw``: a model method called with the session's user, as the web client
and OdooRPC call them.

Worked example::

    POST /web/session/authenticate {"params": {"db": "shop", "login": "admin", "password": "..."}}
    POST /web/dataset/call_kw/res.partner/search_read
         {"params": {"model": "res.partner", "method": "search_read",
                     "args": [[["is_company", "=", true]]], "kwargs": {"fields": ["name"]}}}
    → {"result": [{"id": 7, "name": "Azure Interior"}, ...]}

Odoo 17's calling conventions (``erplite.http.service.call_kw``): ``args[0]`` the ids of a
method on records, ``context`` in ``kwargs`` (merged over the session's), private methods
refused.
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.exceptions import UserError
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
