"""Odoo's JSON-RPC 2.0 envelope, as ``type='json'`` routes and ``/jsonrpc`` speak it.

Worked example::

    call = parse_request(httprequest)   # 400 unless JSON, or on malformed JSON / envelope
    call.id, call.params                # (7, {"model": "res.partner", ...})
    result_response(42, call.id)        # {"jsonrpc": "2.0", "id": 7, "result": 42}
    error_response(AccessError("No"), call.id)
    # {"jsonrpc": "2.0", "id": 7, "error": {"code": 200, "message": "Odoo Server Error",
    #   "data": {"name": "erplite.exceptions.AccessError", "message": "No",
    #            "arguments": ["No"], "context": {}, "debug": ""}}}

As in Odoo 17, the ``method`` member of the request is ignored (the URL chose the endpoint),
``params`` must be an object (by-name parameters) and errors are answered with HTTP 200 and an
``error`` member: code ``100`` "Odoo Session Expired", ``404`` "404: Not Found", ``200`` "Odoo
Server Error" for everything else. Only a body that is not JSON-RPC at all gets an HTTP error
(400, a body that is not JSON included), still with a JSON-RPC body so that clients can read it.

Values are encoded as Odoo encodes them: ``datetime`` as ``"%Y-%m-%d %H:%M:%S"`` (UTC),
``date`` as ``"%Y-%m-%d"``, ``bytes`` as text, sets as lists, recordsets as their ids
(:mod:`erplite.tools.json_encoder`: the text of ``json.dumps``, written by orjson).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import werkzeug.exceptions
import werkzeug.wrappers
from werkzeug.exceptions import HTTPException, NotFound

from erplite.http.errors import (
    ErrorInfo,
    SessionExpiredException,
    describe_exception,
    serialize_exception,
)
from erplite.http.limits import DEFAULT_MAX_JSON_DEPTH, TooDeeplyNested, loads_json
from erplite.tools.json_encoder import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    dumps,
    dumps_bytes,
    json_default,
)

#: Request mimetypes that carry JSON (as Odoo's ``JSON_MIMETYPES``).
JSON_MIMETYPES = ("application/json", "application/json-rpc")

#: ``Content-Type`` of JSON responses (werkzeug adds no charset to ``application/json``).
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# JSON-RPC 2.0 reserved codes, used only for envelopes that could not be read at all.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------


def json_response(
    payload: Any, status: int = 200, headers: Any = None
) -> werkzeug.wrappers.Response:
    """A JSON response (``application/json; charset=utf-8``) of ``payload``."""
    return werkzeug.wrappers.Response(
        dumps_bytes(payload), status=status, headers=headers, content_type=JSON_CONTENT_TYPE
    )


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


@dataclass
class JsonRpcCall:
    """A parsed JSON-RPC request: its ``id``, the ignored ``method`` and the ``params``."""

    id: Any = None
    method: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


class _JsonRpcHTTPException(HTTPException):
    """An HTTP error whose body is a JSON-RPC error envelope."""

    rpc_code = PARSE_ERROR

    def __init__(self, description: str, request_id: Any = None):
        super().__init__(description)
        self.request_id = request_id

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        return [("Content-Type", JSON_CONTENT_TYPE)]

    def get_body(self, environ=None, scope=None) -> str:
        data = serialize_exception(self, message=self.description, arguments=[self.description])
        error = {"code": self.rpc_code, "message": self.description, "data": data}
        return dumps({"jsonrpc": "2.0", "id": self.request_id, "error": error})


class InvalidJsonRpc(_JsonRpcHTTPException, werkzeug.exceptions.BadRequest):
    """400: the body is not JSON, or not a JSON-RPC request object."""

    code = 400


class JsonRpcTooLarge(_JsonRpcHTTPException, werkzeug.exceptions.RequestEntityTooLarge):
    """413: the body is larger than the route accepts (see :mod:`erplite.http.limits`)."""

    code = 413
    rpc_code = INVALID_REQUEST


class UnsupportedJsonRpcMediaType(_JsonRpcHTTPException, werkzeug.exceptions.BadRequest):
    """400: a ``type='json'`` route was called without a JSON ``Content-Type`` (form data,
    say): Odoo 17 answers a request whose type does not match the route's with 400."""

    code = 400
    rpc_code = INVALID_REQUEST


def parse_body(
    data: bytes | str,
    mimetype: str = "application/json",
    max_depth: int = DEFAULT_MAX_JSON_DEPTH,
) -> JsonRpcCall:
    """Parse a JSON-RPC request body (see :func:`parse_request`)."""
    if mimetype not in JSON_MIMETYPES:
        raise UnsupportedJsonRpcMediaType(
            f"JSON-RPC requests need a Content-Type of {' or '.join(JSON_MIMETYPES)},"
            f" not {mimetype or 'none'!r}"
        )
    try:
        payload = loads_json(data, max_depth)
    except TooDeeplyNested as exc:
        raise InvalidJsonRpc(f"Invalid JSON data: {exc}") from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidJsonRpc("Invalid JSON data") from None
    if not isinstance(payload, dict):
        raise InvalidJsonRpc("Invalid JSON-RPC data: the request must be a JSON object")
    request_id = payload.get("id")
    params = payload.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidJsonRpc(
            "Invalid JSON-RPC data: params must be an object (by-name parameters)", request_id
        )
    method = payload.get("method")
    return JsonRpcCall(request_id, method if isinstance(method, str) else None, params)


def parse_request(
    httprequest: werkzeug.wrappers.Request, max_depth: int = DEFAULT_MAX_JSON_DEPTH
) -> JsonRpcCall:
    """Read the JSON-RPC request of a werkzeug request.

    :raises UnsupportedJsonRpcMediaType: (400) the ``Content-Type`` is not JSON
    :raises InvalidJsonRpc: (400) malformed JSON, nested deeper than ``max_depth``, not an
        object, ``params`` not an object
    Both are werkzeug ``HTTPException``\\ s whose response body is a JSON-RPC error envelope.
    The body is read with ``get_data()`` (cached), so a retried request can parse it again.
    """
    return parse_body(httprequest.get_data(), httprequest.mimetype, max_depth)


# ---------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------


def result_envelope(result: Any, request_id: Any) -> dict[str, Any]:
    """``{"jsonrpc": "2.0", "id": ..., "result": ...}``.

    ``result`` is always present (``null`` for ``None``) as JSON-RPC 2.0 requires; Odoo omits
    it for ``None``, which clients read the same way.
    """
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def error_envelope(exc: BaseException, request_id: Any, *, info: ErrorInfo | None = None) -> dict:
    """Odoo's error envelope for ``exc``.

    An unexpected exception is logged with its traceback under a new error id (see
    :func:`erplite.http.errors.describe_exception`) and described without its details.
    """
    if info is None:
        info = describe_exception(exc)
    if isinstance(exc, SessionExpiredException):
        code, message = 100, "Odoo Session Expired"
    elif isinstance(exc, NotFound):
        code, message = 404, "404: Not Found"
    else:
        code, message = 200, "Odoo Server Error"
    error = {"code": code, "message": message, "data": info.as_dict()}
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def result_response(result: Any, request_id: Any) -> werkzeug.wrappers.Response:
    """The HTTP response of a successful JSON-RPC call."""
    return json_response(result_envelope(result, request_id))


def error_response(
    exc: BaseException, request_id: Any, *, info: ErrorInfo | None = None
) -> werkzeug.wrappers.Response:
    """The HTTP response (status 200, as Odoo) of a JSON-RPC call that raised ``exc``.

    The 400 of an unreadable request is not an error of the call: it is its own response,
    use ``exc.get_response()`` for it.
    """
    if info is None:
        info = describe_exception(exc)
    response = json_response(error_envelope(exc, request_id, info=info))
    if info.error_id:
        response.headers["X-Error-Id"] = info.error_id
    return response


__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "JSON_MIMETYPES",
    "InvalidJsonRpc",
    "JsonRpcCall",
    "JsonRpcTooLarge",
    "UnsupportedJsonRpcMediaType",
    "dumps",
    "dumps_bytes",
    "error_envelope",
    "error_response",
    "json_default",
    "json_response",
    "parse_body",
    "parse_request",
    "result_envelope",
    "result_response",
    "serialize_exception",
]
