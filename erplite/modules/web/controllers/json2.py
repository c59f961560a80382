"""Odoo 19's JSON-2 API: ``POST /json/2/<model>/<method>`` with an API key.

Worked example::

    POST /json/2/res.partner/search_read
    Authorization: bearer 4f1c...                 (an API key, scope "rpc")
    X-Erplite-Database: shop                      (when the server serves several databases)
    Content-Type: application/json

    {"domain": [["is_company", "=", true]], "fields": ["name"], "limit": 5,
     "context": {"lang": "en_US"}}

    → 200 [{"id": 7, "name": "Azure Interior"}, ...]

The body holds ``ids`` (the records a method works on; none for an ``@api.model`` method),
``context`` and the method's keyword arguments. The answer is the method's result as plain
JSON, recordsets as lists of ids. Errors are real statuses with the serialized exception as
body: 400 unreadable body, 401 (``WWW-Authenticate: bearer``) no or wrong API key, 403
``AccessError``, 404 unknown model or method, 409 (``Retry-After``) a record busy through every
retry, 415 not JSON, 422 arguments that do not fit the method, ``UserError``,
``ValidationError``, 429 (``Retry-After``) an API key refused by the login throttle (too many
failed logins from the address or for the login). The call runs as the key's owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import werkzeug.exceptions

from erplite import http
from erplite.http import request
from erplite.http.service import (
    InvalidArguments,
    MethodNotFound,
    api_kind,
    get_public_method,
    signature_of,
)


def _is_recordset(value: Any) -> bool:
    return hasattr(value, "_name") and hasattr(value, "ids") and not isinstance(value, type)


class Json2(http.Controller):
    @http.route(
        "/json/2/<string:model>/<string:method>",
        type="json2",
        auth="bearer",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def call(self, model: str, method: str, **_ignored: Any):
        env = request.env
        if model not in env:
            raise werkzeug.exceptions.NotFound(f"The model {model!r} does not exist.")
        Model = env[model]
        try:
            func = get_public_method(Model, method)
        except MethodNotFound:
            raise werkzeug.exceptions.NotFound(
                f"The model {model!r} has no public method {method!r}."
            ) from None
        params = dict(getattr(request, "jsonrequest", None) or {})
        ids = params.pop("ids", None)
        context = params.pop("context", None)
        if context is not None and not isinstance(context, Mapping):
            raise InvalidArguments("context must be an object")
        if ids is not None and (
            not isinstance(ids, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            raise InvalidArguments("ids must be a list of integers")
        kind = api_kind(Model, method)
        if kind in ("model", "model_create") and ids:
            raise InvalidArguments(f"{model}.{method} is a model method: it takes no ids")
        records = Model.with_context({**env.context, **(context or {})}).browse(ids or [])
        try:
            signature_of(func).bind(records, **params)
        except TypeError as exc:
            raise InvalidArguments(f"{model}.{method}(): {exc}") from None
        result = func(records, **params)
        if _is_recordset(result):
            result = result.ids
        records.env.flush_all()
        return result
