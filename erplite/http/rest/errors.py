"""The REST layer's constants, its errors and the status each exception is answered with.

Constants: :data:`MAX_ID`, the JSON Schemas :data:`ID` and :data:`INT32`, the :data:`METHODS`
an operation may have and the :data:`STATUS_TITLES` of the document. Errors: :class:`RestError`
(any status, raised by a handler) and :class:`InvalidInput` (400). :func:`status_of` maps an
exception to its status (:func:`register_error_status` adds a module's own),
:func:`error_body` gives its JSON body. Every name is re-exported by ``erplite.http.rest``.
"""

from __future__ import annotations

from typing import Any

import werkzeug.wrappers

from erplite.exceptions import AccessDenied, AccessError, InvalidArgument, MissingError, UserError
from erplite.http.errors import serialize_exception
from erplite.http.jsonrpc import JSON_CONTENT_TYPE, dumps_bytes

#: the largest id of a record (ids are PostgreSQL ``integer``)
MAX_ID = 2**31 - 1
#: JSON Schema of a record id
ID: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
#: JSON Schema of an ``integer`` column
INT32: dict[str, Any] = {"type": "integer", "minimum": -(2**31), "maximum": MAX_ID}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

#: title of each status in the document
STATUS_TITLES = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad input: a parameter or a body field does not fit its schema (see `field`)",
    401: "Not authenticated: no or wrong API key and no logged-in session",
    403: "Forbidden: the caller's access rights or record rules refuse it",
    404: "Not found: no such record",
    409: "Conflict: the record's state does not allow this",
    412: "Precondition failed: the record changed since the version `If-Match` names",
    415: "The body is not JSON",
    422: "Refused: the values break a business rule or a constraint",
}

_MISSING: Any = object()


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class RestError(Exception):
    """An error with its HTTP status, raised by a handler (or by the input checks).

    ``field`` names the input concerned (``"order_line[0].product_id"``, a query parameter's
    name) and ``value`` the value refused; both are added to the error body.
    """

    # the error body's ``name`` is the class's public path (``erplite.http.rest.RestError``),
    # as clients have always seen it: the package re-exports the class
    __module__ = "erplite.http.rest"

    def __init__(
        self, status: int, message: str, *, field: str | None = None, value: Any = _MISSING
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.value = value


class InvalidInput(RestError):
    """400: a parameter or a body field does not fit its declared schema."""

    __module__ = "erplite.http.rest"

    def __init__(self, field: str | None, message: str, value: Any = _MISSING):
        super().__init__(400, message, field=field, value=value)


#: statuses registered by modules, the most recent first: ``(exception class, status)``
_registered_statuses: list[tuple[type[BaseException], int]] = []

_DEFAULT_STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (AccessDenied, 403),
    (AccessError, 403),
    (MissingError, 404),
    (UserError, 422),  # ValidationError included
    (InvalidArgument, 400),  # a malformed order, domain, limit... (erplite.orm.arguments)
)


def register_error_status(exception_class: type[BaseException], status: int) -> None:
    """Answer ``status`` when a REST handler raises ``exception_class`` (or a subclass).

    The way for business code to be answered with a status of its own without knowing HTTP:
    the orders module defines ``StateError(UserError)`` for a workflow step refused by the
    order's state, and its controllers register it as 409. Outside REST routes the exception
    stays what it is (a ``UserError``: 422 in JSON-2, a warning in JSON-RPC).
    """
    if not (isinstance(exception_class, type) and issubclass(exception_class, BaseException)):
        raise TypeError(f"{exception_class!r} is not an exception class")
    _registered_statuses[:] = [
        (cls, code) for cls, code in _registered_statuses if cls is not exception_class
    ]
    _registered_statuses.insert(0, (exception_class, int(status)))


def status_of(exc: BaseException) -> int | None:
    """The status a REST route answers for ``exc``; ``None`` for an unexpected exception.

    The most specific class wins: a registered subclass of ``UserError`` beats ``UserError``.
    """
    if isinstance(exc, RestError):
        return exc.status
    candidates = [*_registered_statuses, *_DEFAULT_STATUSES]
    best: tuple[int, int] | None = None  # (distance in the MRO, status)
    mro = type(exc).__mro__
    for cls, status in candidates:
        if cls in mro:
            distance = mro.index(cls)
            if best is None or distance < best[0]:
                best = (distance, status)
    return best[1] if best else None


def error_body(exc: BaseException) -> dict[str, Any]:
    """The JSON body of an error: Odoo's serialized exception, plus ``field``/``value``."""
    body = serialize_exception(exc)
    if isinstance(exc, RestError):
        body["message"] = exc.message
        if exc.field is not None:
            body["field"] = exc.field
        if exc.value is not _MISSING:
            body["value"] = exc.value
    return body


def json_response(body: Any, status: int = 200, headers: Any = None) -> werkzeug.wrappers.Response:
    """A JSON response (``application/json; charset=utf-8``)."""
    from erplite.http.requestlib import Response

    return Response(
        dumps_bytes(body), status=status, headers=headers, content_type=JSON_CONTENT_TYPE
    )
