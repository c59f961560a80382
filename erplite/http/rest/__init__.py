"""Declared REST routes: one declaration gives the route, the input checks, the error statuses
and the OpenAPI 3.1 document.

Worked example (a module's controller)::

    from erplite import http
    from erplite.http import rest, request

    BOOK = rest.RecordSchema("Book", "library.book", ["id", "name", "author_id", "date"])
    BOOK_CREATE = rest.component("BookCreate", {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 1}, "author_id": rest.ID},
        "required": ["name"],
        "additionalProperties": False,
    })

    class Books(http.Controller):
        @rest.operation("GET", "/api/books/{book_id}", summary="One book", tags=["Books"],
                        path_params={"book_id": rest.ID}, responses={200: BOOK.ref})
        def read_book(self, book_id):                 # book_id is an int, already checked
            return BOOK.dump_one(rest.get_record("library.book", book_id))

        @rest.operation("POST", "/api/books", summary="Add a book", tags=["Books"],
                        body=BOOK_CREATE, responses={201: BOOK.ref})
        def create_book(self, body):                  # body is the validated JSON object
            book = request.env["library.book"].create(body)
            return rest.Reply(BOOK.dump_one(book), status=201)

        @rest.operation("GET", "/api/openapi.json", summary="This document", auth="none",
                        responses={200: {"type": "object"}})
        def openapi(self):
            return rest.openapi_document(title="Library API", version="1.0")

From ``@rest.operation`` come:

- **the route**: an :func:`erplite.http.route` of type ``json2`` (JSON in, JSON out, errors with
  their real status) at the path, ``{name}`` becoming a werkzeug ``<name>``; ``auth='bearer'``
  by default (an API key in ``Authorization: bearer <key>``, else the session); the handler
  runs with the caller's rights, never as superuser;
- **the input checks**: path and query parameters are converted from text by their schema
  (``integer``, ``number``, ``boolean``, ``string`` with ``format`` ``date``/``date-time``) and
  checked; an unknown query parameter is refused; the JSON body is checked against its schema.
  A failure is a **400** whose body names the field (``"field": "order_line[0].product_id"``)
  and the value. Values reach the handler converted: ``date`` strings as ``datetime.date``,
  ``date-time`` strings as naive UTC ``datetime.datetime``;
- **the error statuses** (the body is Odoo's serialized exception, plus ``field``/``value`` when
  known): 401 no or wrong credentials (``WWW-Authenticate: bearer``, from the dispatcher), 403
  ``AccessError``/``AccessDenied``, 404 ``MissingError``, 409 the exceptions registered with
  :func:`register_error_status` (a business "wrong state" error, such as the orders module's
  ``StateError``), 422 ``ValidationError``/``UserError`` and constraint violations; a handler may
  also raise :class:`RestError` with any status. Anything else is left to the dispatcher (500
  with an error id, 503 database unavailable, retries on serialization failures);
- **optimistic concurrency** (``conditional=True``): the handler answers a record with
  :func:`record_reply` (its ``ETag``, from its ``write_date`` and JSON form) and checks
  ``If-Match`` with :func:`check_if_match` before changing it: **412** when the record changed
  since the client read it (see :mod:`~erplite.http.rest.preconditions`);
- **the OpenAPI 3.1 document**: :func:`openapi_document` builds it from the operations routed
  in the request's database (so only installed modules' routes appear), with every parameter,
  body and response schema and each error status the operation can answer.

Schemas are plain JSON Schema (the subset :func:`validate` understands: ``type`` (one or a
list, ``"null"`` included), ``enum``, ``properties``, ``required``, ``additionalProperties``
(boolean), ``items``, ``minItems``/``maxItems``, ``minimum``/``maximum``,
``minLength``/``maxLength``, ``format`` ``date``/``date-time``, ``$ref`` to a
:func:`component`, ``anyOf``; ``description``, ``title``, ``default``, ``examples`` are
documentation). Record schemas (:class:`RecordSchema`) are derived from a model's fields: a
many2one is ``{"id": .., "name": ..}`` (component ``Ref``) or ``null``, an x2many a list of ids
or of nested records, dates ``YYYY-MM-DD``, datetimes RFC 3339 in UTC (``...Z``).

The package holds one concept a module: this module (the constants and the errors with their
statuses), :mod:`~erplite.http.rest.schemas` (components and record schemas),
:mod:`~erplite.http.rest.validation` (input checks and conversions),
:mod:`~erplite.http.rest.operations` (the declaration, its route and serving),
:mod:`~erplite.http.rest.preconditions` (``ETag``, ``If-Match``) and
:mod:`~erplite.http.rest.openapi` (the document). Every public name is importable from here.
"""

from __future__ import annotations

from typing import Any

import werkzeug.wrappers

from erplite.exceptions import AccessDenied, AccessError, InvalidArgument, MissingError, UserError
from erplite.http.errors import serialize_exception
from erplite.http.jsonrpc import JSON_CONTENT_TYPE, dumps

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

    return Response(dumps(body), status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


# the submodules use the errors and constants above: imported once those are defined
from erplite.http.rest.openapi import (  # noqa: E402
    SECURITY_SCHEMES,
    build_document,
    openapi_document,
    operations_of,
)
from erplite.http.rest.operations import (  # noqa: E402
    Operation,
    Reply,
    get_record,
    operation,
    operation_of,
)
from erplite.http.rest.preconditions import (  # noqa: E402
    check_if_match,
    etag_of,
    record_reply,
)
from erplite.http.rest.schemas import (  # noqa: E402
    ERROR_NAME,
    REF_NAME,
    RecordSchema,
    component,
)
from erplite.http.rest.validation import from_text, validate  # noqa: E402

__all__ = [
    "ERROR_NAME",
    "ID",
    "INT32",
    "MAX_ID",
    "METHODS",
    "InvalidInput",
    "Operation",
    "REF_NAME",
    "RecordSchema",
    "Reply",
    "RestError",
    "SECURITY_SCHEMES",
    "STATUS_TITLES",
    "build_document",
    "check_if_match",
    "component",
    "error_body",
    "etag_of",
    "from_text",
    "get_record",
    "json_response",
    "openapi_document",
    "operation",
    "operation_of",
    "operations_of",
    "record_reply",
    "register_error_status",
    "status_of",
    "validate",
]
