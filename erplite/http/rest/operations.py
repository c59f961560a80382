"""The declared operations: :func:`operation` makes a controller method a ``json2`` route whose
input is checked and whose known errors get their status; :class:`Reply` to choose the status
of a success; :func:`get_record` for a 404 on a missing record."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import werkzeug.exceptions

from erplite.exceptions import MissingError
from erplite.http import routing
from erplite.http.rest.errors import (
    METHODS,
    STATUS_TITLES,
    InvalidInput,
    error_body,
    json_response,
    status_of,
)
from erplite.http.rest.schemas import _check_schema, _resolve
from erplite.http.rest.validation import from_text, validate

_logger = logging.getLogger(__name__)


class Reply:
    """What a handler returns to choose the status or add headers (else: the body, with the
    operation's first success status)."""

    def __init__(
        self, body: Any = None, status: int = 200, headers: Mapping[str, str] | None = None
    ):
        self.body = body
        self.status = status
        self.headers = dict(headers or {})


#: the document's description of the ``ETag`` header of a conditional operation
ETAG_TEXT = (
    "The record's version: send it back as `If-Match` to change the record only if nobody "
    "changed it since (412 otherwise)"
)
#: the document's description of the ``If-Match`` header
#: the 409 any operation running as a user may answer (``erplite.http.errors.RecordBusy``)
BUSY_TEXT = (
    "The record is busy: other requests kept changing the same records through every retry; "
    "send the request again after `Retry-After` seconds"
)
#: the 429 of an operation taking an API key (``erplite.http.auth.ThrottledBearer``)
THROTTLED_TEXT = (
    "Too many failed logins from this address or for this login (the login throttle): try "
    "again after `Retry-After` seconds"
)
#: the ``Retry-After`` header of a 409 (busy) or a 429
RETRY_AFTER_TEXT = "Seconds to wait before sending the request again (a busy record, a throttle)"

IF_MATCH_TEXT = (
    "The `ETag` of the record as the client last read it: the change is refused with 412 if "
    "the record changed since. `*` or no header: change unconditionally."
)

_PATH_PARAM_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Operation:
    """One declared REST operation (made by :func:`operation`, which routes it).

    :param method: the HTTP method, one of :data:`~erplite.http.rest.METHODS`.
    :param path: the URL, parameters in braces (``"/api/orders/{order_id}"``).
    :param summary: one line for the document.
    :param description: the longer text of the document.
    :param tags: the document's groups of operations.
    :param path_params: the schema of each path parameter (all required).
    :param query: the schema of each query parameter (all optional; absent ones get the
        schema's ``default``, else ``None``).
    :param body: the schema of the JSON body (its checked value is the ``body`` argument).
    :param responses: success status → schema of the body (``None``: no body).
    :param response_headers: success status → {header: description}, for the document.
    :param errors: status → description, the errors the handler may answer beyond those the
        declaration implies (400 always, 401/403 with authentication, 404 with path
        parameters, 415/422 with a body).
    :param auth: the route's ``auth`` (default ``'bearer'``: API key or session).
    :param operation_id: the document's ``operationId``.
    :param conditional: the handler sends the ``ETag`` of the record it answers and, unless
        it is a ``GET``, honours ``If-Match`` (412 when stale): see
        :mod:`~erplite.http.rest.preconditions`. Documents the header, the tag and the 412.
    :raises ValueError: an unknown method or ``auth``, path parameters that differ from
        ``path_params``, a schema keyword :func:`~erplite.http.rest.validate` does not
        enforce, no success status in ``responses``.
    """

    def __init__(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        description: str | None = None,
        tags: Iterable[str] = (),
        path_params: Mapping[str, Mapping[str, Any]] | None = None,
        query: Mapping[str, Mapping[str, Any]] | None = None,
        body: Mapping[str, Any] | None = None,
        responses: Mapping[int, Any],
        response_headers: Mapping[int, Mapping[str, str]] | None = None,
        errors: Mapping[int, str] | None = None,
        auth: str = "bearer",
        operation_id: str,
        conditional: bool = False,
    ):
        method = method.upper()
        if method not in METHODS:
            raise ValueError(f"{method!r} is not one of {METHODS}")
        if auth not in routing.AUTH_METHODS:
            raise ValueError(f"auth={auth!r} is not one of {routing.AUTH_METHODS}")
        self.method = method
        self.path = path
        self.summary = summary
        self.description = description
        self.tags = list(tags)
        self.path_params = dict(path_params or {})
        self.query = dict(query or {})
        self.body = body
        self.responses = dict(responses)
        self.response_headers = {int(k): dict(v) for k, v in (response_headers or {}).items()}
        self.conditional = conditional
        self.auth = auth
        self.operation_id = operation_id
        names = _PATH_PARAM_RE.findall(path)
        if set(names) != set(self.path_params) or len(names) != len(set(names)):
            raise ValueError(
                f"{method} {path}: the path parameters {names} and the declared ones "
                f"{sorted(self.path_params)} differ"
            )
        for name, schema in {**self.path_params, **self.query}.items():
            _check_schema(schema, f"{operation_id}.{name}")
        if body is not None:
            _check_schema(body, f"{operation_id}.body")
        successes = sorted(code for code in self.responses if 200 <= code < 300)
        if not successes:
            raise ValueError(f"{method} {path} declares no success response")
        self.success_status = successes[0]
        if conditional:
            for code in successes:
                if self.responses[code] is not None:
                    self.response_headers.setdefault(code, {}).setdefault("ETag", ETAG_TEXT)
        self.errors = self._error_statuses(errors or {})

    @property
    def checks_if_match(self) -> bool:
        """Whether the operation honours ``If-Match`` (a conditional change)."""
        return self.conditional and self.method != "GET"

    @property
    def rule(self) -> str:
        """The werkzeug rule of the path (``{id}`` → ``<id>``, checked by the schema)."""
        return _PATH_PARAM_RE.sub(r"<\1>", self.path)

    def _error_statuses(self, declared: Mapping[int, str]) -> dict[int, str]:
        # 400 always: an unknown query parameter is refused, so is an unreadable JSON body
        statuses: dict[int, str] = {400: STATUS_TITLES[400]}
        if self.auth in ("user", "bearer"):
            statuses[401] = STATUS_TITLES[401]
        if self.auth != "none":
            statuses[403] = STATUS_TITLES[403]
        if self.path_params:
            statuses[404] = STATUS_TITLES[404]
        if self.body is not None:
            statuses[415] = STATUS_TITLES[415]
            statuses[422] = STATUS_TITLES[422]
        if self.checks_if_match:
            statuses[412] = STATUS_TITLES[412]
        for status, text in declared.items():
            statuses[int(status)] = text or STATUS_TITLES.get(int(status), "Error")
        if self.auth != "none":  # a transaction as a user: the retries may give up (busy)
            declared_409 = statuses.get(409)
            statuses[409] = f"{declared_409}; or: {BUSY_TEXT}" if declared_409 else BUSY_TEXT
        if self.auth == "bearer":  # an API key is checked through the login throttle
            statuses[429] = THROTTLED_TEXT
        return dict(sorted(statuses.items()))

    # -- serving ------------------------------------------------------------------------------
    def parse_input(self, request: Any, url_args: Mapping[str, Any]) -> dict[str, Any]:
        """The handler's arguments: path and query parameters converted, the body checked.

        :raises InvalidInput: a value that does not fit its schema, or an unknown parameter.
        """
        args: dict[str, Any] = {}
        for name, schema in self.path_params.items():
            args[name] = from_text(schema, str(url_args.get(name, "")), name)
        query = request.httprequest.args
        for name in query:
            if name not in self.query:
                known = ", ".join(self.query) or "none"
                raise InvalidInput(name, f"unknown query parameter {name!r} (known: {known})")
        for name, schema in self.query.items():
            values = query.getlist(name)
            if len(values) > 1:
                raise InvalidInput(name, f"{name} is given {len(values)} times", values)
            if values:
                args[name] = from_text(schema, values[0], name)
            else:
                args[name] = _resolve(schema).get("default")
        if self.body is not None:
            data = getattr(request, "jsonrequest", None)
            args["body"] = validate(self.body, data if data is not None else {}, "")
        return args

    def serve(self, controller: Any, func: Callable, url_args: Mapping[str, Any]) -> Any:
        """Check the input, call the handler, make the response; a known error gets its
        status (attached to the exception, which goes on up so the transaction rolls back)."""
        from erplite.http import request

        try:
            args = self.parse_input(request, url_args)
            result = func(controller, **args)
            reply = result if isinstance(result, Reply) else Reply(result, self.success_status)
            env = request.env
            if env is not None and env.uid is not None:
                env.flush_all()  # deferred writes fail here, with their status
            if reply.status == 204:
                from erplite.http.requestlib import Response

                return Response(status=204, headers=reply.headers)
            return json_response(reply.body, reply.status, reply.headers)
        except werkzeug.exceptions.HTTPException:
            raise
        except Exception as exc:
            error = _as_known_error(exc, request)
            if error is None:
                raise
            status = status_of(error)
            log = _logger.info if status in (400, 404, 409, 412, 422) else _logger.warning
            log("%s %s: %s %s", self.method, request.httprequest.path, status, error)
            error.error_response = json_response(error_body(error), status)  # type: ignore[attr-defined]
            if error is exc:
                raise
            raise error from exc


def _as_known_error(exc: BaseException, request: Any) -> BaseException | None:
    """``exc``, or the ``ValidationError`` of a constraint violation, when it has a status."""
    import psycopg

    if isinstance(exc, psycopg.IntegrityError):
        from erplite.http.retrying import as_validation_error

        registry = request.registry
        if registry is not None and hasattr(registry, "integrity_error_to_validation"):
            return registry.integrity_error_to_validation(exc)
        return as_validation_error(exc, registry)
    return exc if status_of(exc) is not None else None


def operation(method: str, path: str, **declaration: Any) -> Callable:
    """Declare a controller method as the REST operation ``method path``.

    ``declaration`` holds the keyword arguments of :class:`Operation` (``summary`` and
    ``responses`` at least); ``description`` defaults to the method's docstring and
    ``operation_id`` to its name.

    The handler is called with the path and query parameters and ``body`` as keyword
    arguments, in the request's transaction, as the caller; it returns the body (JSON-able)
    or a :class:`Reply`.
    """

    def decorator(func: Callable) -> Callable:
        description = declaration.get("description")
        op = Operation(
            method,
            path,
            **{
                **declaration,
                "description": description if description is not None else _doc_of(func),
                "operation_id": declaration.get("operation_id") or func.__name__,
            },
        )

        def handler(self: Any, /, **url_args: Any) -> Any:
            # the JSON-2 dispatcher passes the body's keys too: only the URL's are used
            return op.serve(self, func, url_args)

        handler.__name__ = func.__name__
        handler.__qualname__ = func.__qualname__
        handler.__module__ = func.__module__
        handler.__doc__ = func.__doc__
        handler.rest_operation = op  # type: ignore[attr-defined]
        return routing.route(
            op.rule,
            type="json2",
            auth=op.auth,
            methods=[op.method],
            csrf=False,
            save_session=False,
            readonly=op.method == "GET",
        )(handler)

    return decorator


def _doc_of(func: Callable) -> str | None:
    import inspect

    doc = inspect.getdoc(func)
    return doc or None


def operation_of(endpoint: Any) -> Operation | None:
    """The :class:`Operation` of a routed endpoint, ``None`` if it is not a REST one."""
    func = getattr(endpoint, "func", endpoint)
    return getattr(func, "rest_operation", None)


def get_record(model: str, record_id: int) -> Any:
    """The record ``record_id`` of ``model`` in the caller's environment.

    :raises MissingError: no such record (404). Reading it afterwards applies the caller's
        access rights and record rules (403).
    """
    from erplite.http import request

    record = request.env[model].browse(record_id).exists()
    if not record:
        raise MissingError(f"{request.env[model]._description} {record_id} does not exist.")
    return record
