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
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import werkzeug.exceptions
import werkzeug.wrappers

from erplite.exceptions import AccessDenied, AccessError, MissingError, UserError
from erplite.http import routing
from erplite.http.errors import serialize_exception
from erplite.http.jsonrpc import JSON_CONTENT_TYPE, dumps

_logger = logging.getLogger(__name__)

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


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------

#: every component declared, by name: a JSON Schema dict or a RecordSchema
_components: dict[str, Any] = {}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def component(name: str, schema: Mapping[str, Any]) -> dict[str, str]:
    """Declare the JSON Schema ``schema`` as component ``name``; return its ``$ref``.

    :raises ValueError: another schema already has that name (component names are global).
    """
    _check_schema(schema, name)
    existing = _components.get(name)
    if existing is not None and existing != schema:
        raise ValueError(f"another REST schema is already named {name!r}")
    _components[name] = dict(schema)
    return _ref(name)


_KNOWN_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "format",
        "$ref",
        "anyOf",
        "description",
        "title",
        "default",
        "examples",
        "readOnly",
    }
)


def _check_schema(schema: Mapping[str, Any], where: str) -> None:
    """Refuse keywords :func:`validate` does not enforce (a typo would be silently ignored)."""
    if not isinstance(schema, Mapping):
        raise TypeError(f"{where}: a schema is a dict, not {schema!r}")
    unknown = set(schema) - _KNOWN_KEYWORDS
    if unknown:
        raise ValueError(f"{where}: unsupported JSON Schema keywords {sorted(unknown)}")
    for name, sub in (schema.get("properties") or {}).items():
        _check_schema(sub, f"{where}.{name}")
    if isinstance(schema.get("items"), Mapping):
        _check_schema(schema["items"], f"{where}[]")
    for index, sub in enumerate(schema.get("anyOf") or ()):
        _check_schema(sub, f"{where}.anyOf[{index}]")


REF_NAME = "Ref"
component(
    REF_NAME,
    {
        "type": "object",
        "description": "A related record (many2one): its id and display name.",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        "required": ["id", "name"],
        "additionalProperties": False,
    },
)
ERROR_NAME = "Error"
component(
    ERROR_NAME,
    {
        "type": "object",
        "description": "An error: Odoo's serialized exception (`name` is the exception class, "
        "`message` the text to show), with `field` and `value` naming the input refused.",
        "properties": {
            "name": {"type": "string"},
            "message": {"type": "string"},
            "arguments": {"type": "array"},
            "context": {"type": "object"},
            "debug": {"type": "string"},
            "field": {"type": "string"},
            "value": {},
        },
        "required": ["name", "message"],
    },
)


class RecordSchema:
    """The JSON form of a model's records, derived from the model's fields.

    :param name: the component name in the OpenAPI document (``"Order"``).
    :param model: the model (``"sale.order"``).
    :param fields: the fields shown, ``"id"`` included if wanted.
    :param nested: x2many fields shown as lists of records of another :class:`RecordSchema`
        instead of lists of ids.
    :param description: the component's description.

    Values: many2one ``{"id", "name"}`` or ``null``; x2many a list of ids (or of nested
    records); ``date`` ``"YYYY-MM-DD"``; ``datetime`` ``"YYYY-MM-DDTHH:MM:SSZ"`` (UTC);
    integers and floats numbers, never ``null``; booleans ``true``/``false``; text, selection,
    dates and many2one ``null`` when empty, unless the field is required.
    """

    SIMPLE_TYPES: Mapping[str, dict[str, Any]] = {
        "char": {"type": "string"},
        "text": {"type": "string"},
        "html": {"type": "string"},
        "selection": {"type": "string"},
        "integer": {"type": "integer"},
        "float": {"type": "number"},
        "monetary": {"type": "number"},
        "boolean": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "datetime": {"type": "string", "format": "date-time"},
    }
    NULLABLE_TYPES = frozenset(
        {"char", "text", "html", "selection", "date", "datetime", "many2one"}
    )

    def __init__(
        self,
        name: str,
        model: str,
        fields: Iterable[str],
        *,
        nested: Mapping[str, RecordSchema] | None = None,
        description: str | None = None,
    ):
        self.name = name
        self.model = model
        self.fields = list(fields)
        self.nested = dict(nested or {})
        self.description = description
        existing = _components.get(name)
        if existing is not None and not (
            isinstance(existing, RecordSchema) and existing.model == model
        ):
            raise ValueError(f"another REST schema is already named {name!r}")
        _components[name] = self

    @property
    def ref(self) -> dict[str, str]:
        """``{"$ref": "#/components/schemas/<name>"}``."""
        return _ref(self.name)

    # -- the JSON Schema ----------------------------------------------------------------------
    def json_schema(self, registry: Any) -> dict[str, Any]:
        """The JSON Schema of one record, from the fields of the model in ``registry``."""
        model_fields = registry[self.model]._fields
        properties = {}
        for fname in self.fields:
            field = model_fields.get(fname)
            if field is None:
                raise ValueError(f"RecordSchema {self.name}: {self.model} has no field {fname!r}")
            properties[fname] = self._field_schema(field)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "required": list(self.fields),
            "additionalProperties": False,
        }
        description = self.description or registry[self.model]._description
        if description:
            schema["description"] = f"{description} (`{self.model}`)"
        return schema

    def _field_schema(self, field: Any) -> dict[str, Any]:
        ftype = field.type
        if field.name == "id":
            schema: dict[str, Any] = {"type": "integer"}
        elif ftype == "many2one":
            schema = _ref(REF_NAME)
        elif ftype in ("one2many", "many2many"):
            sub = self.nested.get(field.name)
            schema = {"type": "array", "items": sub.ref if sub else {"type": "integer"}}
        elif ftype in self.SIMPLE_TYPES:
            schema = dict(self.SIMPLE_TYPES[ftype])
            if ftype == "selection" and isinstance(field.selection, (list, tuple)):
                schema["enum"] = [value for value, _label in field.selection]
        else:
            raise TypeError(
                f"RecordSchema {self.name}: field {field.model_name}.{field.name} of type "
                f"{ftype!r} has no JSON form"
            )
        if ftype in self.NULLABLE_TYPES and not field.required and field.name != "id":
            if "$ref" in schema:
                schema = {"anyOf": [schema, {"type": "null"}]}
            else:
                schema["type"] = [schema["type"], "null"]
                if "enum" in schema:
                    schema["enum"] = [*schema["enum"], None]
        description = field.string or ""
        if getattr(field, "help", None):
            description = f"{description}: {field.help}" if description else field.help
        if description:
            schema = {**schema, "description": description}
        return schema

    # -- the values ---------------------------------------------------------------------------
    def dump(self, records: Any) -> list[dict[str, Any]]:
        """The JSON form of ``records`` (read with the caller's rights), in their order."""
        if not records:
            return []
        names = [fname for fname in self.fields if fname != "id"]
        rows = records.read(names)
        model_fields = records._fields
        for fname, sub in self.nested.items():
            if fname not in self.fields:
                continue
            ids = list(dict.fromkeys(i for row in rows for i in row[fname]))
            subs = {item["id"]: item for item in sub.dump(records.env[sub.model].browse(ids))}
            for row in rows:
                row[fname] = [subs[i] for i in row[fname] if i in subs]
        result = []
        for row in rows:
            item = {}
            for fname in self.fields:
                if fname == "id":
                    item["id"] = row["id"]
                elif fname in self.nested:
                    item[fname] = row[fname]
                else:
                    item[fname] = self._value(model_fields[fname], row[fname])
            result.append(item)
        return result

    def dump_one(self, record: Any) -> dict[str, Any]:
        """The JSON form of one record."""
        record.ensure_one()
        return self.dump(record)[0]

    @staticmethod
    def _value(field: Any, value: Any) -> Any:
        ftype = field.type
        if ftype == "many2one":
            if not value:
                return None
            rid, name = value if isinstance(value, (tuple, list)) else (value, "")
            return {"id": rid, "name": str(name) if name else ""}
        if ftype in ("one2many", "many2many"):
            return list(value or ())
        if ftype == "boolean":
            return bool(value)
        if ftype == "integer":
            return int(value or 0)
        if ftype in ("float", "monetary"):
            return float(value or 0.0)
        if value is False or value is None:
            return None
        if ftype == "datetime":
            if isinstance(value, str):
                value = datetime.datetime.fromisoformat(value)
            if value.tzinfo is not None:
                value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return value.isoformat() + "Z"
        if ftype == "date":
            return value.isoformat() if isinstance(value, datetime.date) else str(value)
        return str(value)


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    target = _components.get(name)
    if not isinstance(target, Mapping):
        raise TypeError(f"$ref {ref!r} is not a component usable for input")
    return target


# ---------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:\d{2})?$"
)
_INT_RE = re.compile(r"^-?[0-9]{1,20}$")
_NUMBER_RE = re.compile(r"^-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?$")
_JSON_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and math.isfinite(v) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _describe(path: str) -> str:
    return path or "the body"


def _parse_datetime(value: str) -> datetime.datetime:
    match = _DATETIME_RE.match(value)
    if not match:
        raise ValueError("not an RFC 3339 date-time")
    day, time, offset = match.groups()
    parsed = datetime.datetime.fromisoformat(f"{day}T{time}")
    if offset and offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError("invalid time zone offset")
        parsed -= sign * datetime.timedelta(hours=hours, minutes=minutes)
    return parsed


def validate(schema: Mapping[str, Any], value: Any, path: str = "") -> Any:
    """Check ``value`` (decoded JSON) against ``schema``; return it converted.

    ``date`` strings become ``datetime.date``, ``date-time`` strings naive UTC
    ``datetime.datetime``, integral floats of an ``integer`` ints. Strings may not hold NUL
    characters nor lone surrogates (PostgreSQL cannot store them), numbers must be finite.

    :raises InvalidInput: naming ``path`` (``"order_line[0].discount"``) and the value.
    """
    schema = _resolve(schema)
    if "anyOf" in schema:
        errors = []
        for sub in schema["anyOf"]:
            try:
                return validate(sub, value, path)
            except InvalidInput as exc:
                errors.append(exc.message)
        raise InvalidInput(path, f"{_describe(path)}: {'; or '.join(errors)}", value)
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else list(types)
        if not any(_JSON_TYPES[t](value) for t in types):
            raise InvalidInput(
                path, f"{_describe(path)} must be of type {' or '.join(types)}", value
            )
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v) for v in schema["enum"])
        raise InvalidInput(path, f"{_describe(path)} must be one of {allowed}", value)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _validate_number(schema, value, path, types)
    if isinstance(value, str):
        return _validate_string(schema, value, path)
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise InvalidInput(
                path, f"{_describe(path)} needs at least {schema['minItems']} items", value
            )
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise InvalidInput(
                path, f"{_describe(path)} has more than {schema['maxItems']} items", len(value)
            )
        items = schema.get("items")
        if items is None:
            return list(value)
        return [validate(items, item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        return _validate_object(schema, value, path)
    return value


def _validate_number(schema: Mapping[str, Any], value: Any, path: str, types: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(path, f"{_describe(path)} must be a finite number", str(value))
    if types and "integer" in types and "number" not in types and isinstance(value, float):
        value = int(value)
    if "minimum" in schema and value < schema["minimum"]:
        raise InvalidInput(path, f"{_describe(path)} must be at least {schema['minimum']}", value)
    if "maximum" in schema and value > schema["maximum"]:
        raise InvalidInput(path, f"{_describe(path)} must be at most {schema['maximum']}", value)
    return value


def _validate_string(schema: Mapping[str, Any], value: str, path: str) -> Any:
    if "\x00" in value:
        raise InvalidInput(
            path, f"{_describe(path)} may not contain NUL characters", value.replace("\x00", "\\0")
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(path, f"{_describe(path)} is not valid Unicode text") from None
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise InvalidInput(
            path, f"{_describe(path)} needs at least {schema['minLength']} characters", value
        )
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise InvalidInput(
            path, f"{_describe(path)} has more than {schema['maxLength']} characters", value[:50]
        )
    fmt = schema.get("format")
    if fmt == "date":
        try:
            if not _DATE_RE.match(value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                path, f"{_describe(path)} must be a date (YYYY-MM-DD)", value
            ) from None
    if fmt == "date-time":
        try:
            return _parse_datetime(value)
        except (ValueError, OverflowError):
            raise InvalidInput(
                path,
                f"{_describe(path)} must be a date-time (RFC 3339: YYYY-MM-DDTHH:MM:SSZ)",
                value,
            ) from None
    return value


def _validate_object(schema: Mapping[str, Any], value: dict, path: str) -> dict:
    properties = schema.get("properties") or {}
    prefix = f"{path}." if path else ""
    for name in schema.get("required") or ():
        if name not in value:
            raise InvalidInput(prefix + name, f"{prefix + name} is required")
    if schema.get("additionalProperties", True) is False:
        for name in value:
            if name not in properties:
                allowed = ", ".join(properties) or "none"
                raise InvalidInput(
                    prefix + str(name),
                    f"{prefix + str(name)} is not a known field (known: {allowed})",
                )
    result = {}
    for name, item in value.items():
        if name in properties:
            result[name] = validate(properties[name], item, prefix + name)
        else:
            result[name] = item
    return result


def from_text(schema: Mapping[str, Any], text: str, name: str) -> Any:
    """Convert the text of a path or query parameter by its schema, then :func:`validate` it."""
    schema = _resolve(schema)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or ["string"])
    value: Any = text
    if "integer" in types and _INT_RE.match(text):
        value = int(text)
    elif "number" in types and _NUMBER_RE.match(text):
        value = float(text)
    elif "boolean" in types and text in ("true", "false"):
        value = text == "true"
    elif "null" in types and text == "":
        value = None
    elif "string" not in types:
        kind = " or ".join(t for t in types if t != "null")
        raise InvalidInput(
            name, f"{name} must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}", text
        )
    return validate(schema, value, name)


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class Reply:
    """What a handler returns to choose the status or add headers (else: the body, with the
    operation's first success status)."""

    def __init__(
        self, body: Any = None, status: int = 200, headers: Mapping[str, str] | None = None
    ):
        self.body = body
        self.status = status
        self.headers = dict(headers or {})


_PATH_PARAM_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Operation:
    """One declared REST operation (see :func:`operation`)."""

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
        self.errors = self._error_statuses(errors or {})

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
        for status, text in declared.items():
            statuses[int(status)] = text or STATUS_TITLES.get(int(status), "Error")
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
            log = _logger.info if status in (400, 404, 409, 422) else _logger.warning
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


def operation(
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
    operation_id: str | None = None,
) -> Callable:
    """Declare a controller method as the REST operation ``method path``.

    :param path: the URL, parameters in braces (``"/api/orders/{order_id}"``).
    :param summary: one line for the document (the method's docstring is its description
        unless ``description`` is given).
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
    :param operation_id: default the method's name.

    The handler is called with the path and query parameters and ``body`` as keyword
    arguments, in the request's transaction, as the caller; it returns the body (JSON-able)
    or a :class:`Reply`.
    """

    def decorator(func: Callable) -> Callable:
        op = Operation(
            method,
            path,
            summary=summary,
            description=description if description is not None else _doc_of(func),
            tags=tags,
            path_params=path_params,
            query=query,
            body=body,
            responses=responses,
            response_headers=response_headers,
            errors=errors,
            auth=auth,
            operation_id=operation_id or func.__name__,
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
            auth=auth,
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


# ---------------------------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------------------------

SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (scope `rpc`) in `Authorization: bearer <key>`.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session_id",
        "description": "The session of a user logged in through `/web/login`.",
    },
}


def operations_of(routing_map: Any) -> list[Operation]:
    """The REST operations routed in ``routing_map`` (a database's URL map), sorted by path."""
    found: dict[tuple[str, str], Operation] = {}
    for rule in routing_map.iter_rules():
        op = operation_of(rule.endpoint)
        if op is not None:
            found[(op.path, op.method)] = op
    order = {method: index for index, method in enumerate(METHODS)}
    return [found[key] for key in sorted(found, key=lambda k: (k[0], order[k[1]]))]


def build_document(
    operations: Iterable[Operation],
    registry: Any,
    *,
    title: str,
    version: str,
    description: str | None = None,
    server_url: str = "/",
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations`` (record schemas taken from ``registry``)."""
    paths: dict[str, dict[str, Any]] = {}
    used_ids: set[str] = set()
    for op in operations:
        item = _operation_object(op)
        op_id = item["operationId"]
        suffix = 2
        while item["operationId"] in used_ids:
            item["operationId"] = f"{op_id}_{suffix}"
            suffix += 1
        used_ids.add(item["operationId"])
        paths.setdefault(op.path, {})[op.method.lower()] = item
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": _components_used(paths, registry),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
    return document


def _operation_object(op: Operation) -> dict[str, Any]:
    item: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if op.description:
        item["description"] = op.description
    if op.tags:
        item["tags"] = op.tags
    parameters = []
    for location, params in (("path", op.path_params), ("query", op.query)):
        for name, schema in params.items():
            parameter: dict[str, Any] = {
                "name": name,
                "in": location,
                "required": location == "path",
                "schema": dict(schema),
            }
            if schema.get("description"):
                parameter["description"] = schema["description"]
            parameters.append(parameter)
    if parameters:
        item["parameters"] = parameters
    if op.body is not None:
        item["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": dict(op.body)}},
        }
    responses: dict[str, Any] = {}
    for status, schema in sorted(op.responses.items()):
        response: dict[str, Any] = {"description": STATUS_TITLES.get(status, "Success")}
        if schema is not None:
            response["content"] = {"application/json": {"schema": dict(schema)}}
        headers = op.response_headers.get(status)
        if headers:
            response["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in headers.items()
            }
        responses[str(status)] = response
    for status, text in op.errors.items():
        response = {
            "description": text,
            "content": {"application/json": {"schema": _ref(ERROR_NAME)}},
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "`bearer`: authenticate with an API key",
                    "schema": {"type": "string"},
                }
            }
        responses[str(status)] = response
    item["responses"] = responses
    if op.auth == "bearer":
        item["security"] = [{"apiKey": []}, {"session": []}]
    elif op.auth == "user":
        item["security"] = [{"session": []}]
    else:
        item["security"] = []
    return item


def _refs_in(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[-1]
        for sub in value.values():
            yield from _refs_in(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _refs_in(sub)


def _components_used(paths: Mapping[str, Any], registry: Any) -> dict[str, Any]:
    """The components the paths refer to, and those they refer to, by name."""
    schemas: dict[str, Any] = {}
    pending = list(_refs_in(paths))
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        target = _components[name]
        schema = target.json_schema(registry) if isinstance(target, RecordSchema) else dict(target)
        schemas[name] = schema
        pending.extend(_refs_in(schema))
    return dict(sorted(schemas.items()))


def openapi_document(*, title: str, version: str, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the REST operations of the request's database.

    Built from the declarations of the routes installed there (cached with the database's
    registry); the server URL is the application's mount point.
    """
    from erplite.http import request

    state = request._state
    if state is None:
        raise werkzeug.exceptions.NotFound("No database is selected.")
    server_url = request.httprequest.script_root or "/"
    key = ("rest.openapi", title, version, description, server_url)
    document = state.cache.get(key)
    if document is None:
        document = build_document(
            operations_of(state.routing_map),
            request.registry,
            title=title,
            version=version,
            description=description,
            server_url=server_url,
        )
        state.cache[key] = document
    return document


__all__ = [
    "ID",
    "INT32",
    "MAX_ID",
    "InvalidInput",
    "Operation",
    "RecordSchema",
    "Reply",
    "RestError",
    "build_document",
    "component",
    "error_body",
    "from_text",
    "get_record",
    "openapi_document",
    "operation",
    "operation_of",
    "operations_of",
    "register_error_status",
    "status_of",
    "validate",
]
