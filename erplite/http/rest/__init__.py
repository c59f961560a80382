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

The package holds one concept a module: :mod:`~erplite.http.rest.errors` (the constants and the
errors with their statuses), :mod:`~erplite.http.rest.schemas` (components and record schemas),
:mod:`~erplite.http.rest.validation` (input checks and conversions),
:mod:`~erplite.http.rest.operations` (the declaration, its route and serving),
:mod:`~erplite.http.rest.preconditions` (``ETag``, ``If-Match``) and
:mod:`~erplite.http.rest.openapi` (the document). Every public name is importable from here.
"""

from erplite.http.rest.errors import (
    ID,
    INT32,
    MAX_ID,
    METHODS,
    STATUS_TITLES,
    InvalidInput,
    RestError,
    error_body,
    json_response,
    register_error_status,
    status_of,
)
from erplite.http.rest.openapi import (
    SECURITY_SCHEMES,
    build_document,
    openapi_document,
    operations_of,
)
from erplite.http.rest.operations import (
    Operation,
    Reply,
    get_record,
    operation,
    operation_of,
)
from erplite.http.rest.preconditions import (
    check_if_match,
    etag_of,
    record_reply,
)
from erplite.http.rest.schemas import (
    ERROR_NAME,
    REF_NAME,
    RecordSchema,
    component,
    page_component,
)
from erplite.http.rest.validation import from_text, validate

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
    "page_component",
    "record_reply",
    "register_error_status",
    "status_of",
    "validate",
]
