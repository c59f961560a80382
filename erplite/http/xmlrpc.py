"""The XML-RPC wire format of Odoo's external API (``/xmlrpc/2/common``, ``/xmlrpc/2/object``).

Worked example::

    params, method = loads(httprequest.get_data())   # ((db, uid, password, model, ...), 'execute_kw')
    dumps_result([{"id": 7, "date": date(2024, 5, 1)}])
    # <methodResponse>...<string>2024-05-01</string>...</methodResponse>
    dumps_fault(fault_int(AccessError("Not allowed")))
    # <methodResponse><fault>... faultCode 4, faultString 'Not allowed' ...</fault>

Values are marshalled as Odoo marshals them: ``datetime`` becomes the string
``"%Y-%m-%d %H:%M:%S"``, ``date`` the string ``"%Y-%m-%d"``, ``bytes`` a string (Odoo sends
binary fields as base64 text), control characters XML 1.0 forbids are removed; ``None`` is
allowed (``<nil/>``, which Python's client reads). Sets and tuples become arrays, recordsets their
ids, ``int``/``str`` subclasses (``Command``, ``Markup``) plain values.

Faults follow Odoo 17's ``odoo/addons/base/controllers/rpc.py``: on ``/xmlrpc/2/`` the fault
code is an int (:func:`fault_int`): 1 application error, 2 warning (``UserError`` and
``RedirectWarning``), 3 ``AccessDenied``, 4 ``AccessError``, 1 with the message for a
malformed argument (``InvalidArgument``, Odoo's ``ValueError``); the legacy ``/xmlrpc/`` puts a
string in ``faultCode`` (:func:`fault_string`). The fault string is the exception's message;
for an unexpected error, where Odoo sends the traceback, erplite sends a message carrying the
error id under which the traceback was logged.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import werkzeug.exceptions
import werkzeug.wrappers
from werkzeug.exceptions import HTTPException

from erplite.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    RedirectWarning,
    UserError,
)
from erplite.http.errors import ErrorInfo, describe_exception
from erplite.http.limits import DEFAULT_MAX_JSON_DEPTH, TooDeeplyNested, check_depth
from erplite.tools.lazy_modules import lazy_module

if TYPE_CHECKING:
    import xmlrpc.client as xmlrpc_client
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker loads no XML parser
    xmlrpc_client = lazy_module("xmlrpc.client", __name__, "xmlrpc_client")

#: Odoo's XML-RPC fault codes (clients define the same constants).
RPC_FAULT_CODE_CLIENT_ERROR = 1  # indistinguishable from an application error
RPC_FAULT_CODE_APPLICATION_ERROR = 1
RPC_FAULT_CODE_WARNING = 2
RPC_FAULT_CODE_ACCESS_DENIED = 3
RPC_FAULT_CODE_ACCESS_ERROR = 4

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# 0 to 31 except tab, newline and carriage return: not allowed in XML 1.0
_CONTROL_CHARACTERS = dict.fromkeys(set(range(32)) - {9, 10, 13})


class InvalidXmlRpcRequest(werkzeug.exceptions.BadRequest):
    """The request body is not an XML-RPC method call."""


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def loads(
    data: bytes | str, max_depth: int = DEFAULT_MAX_JSON_DEPTH
) -> tuple[tuple[Any, ...], str]:
    """Parse an XML-RPC method call: ``(params, method_name)``.

    ``dateTime.iso8601`` values become ``datetime`` objects, as in Odoo.
    :raises InvalidXmlRpcRequest: malformed XML, not a ``methodCall``, or arrays and structs
        nested deeper than ``max_depth``.
    """
    try:
        params, method = xmlrpc_client.loads(data, use_datetime=True)
    except Exception as exc:  # expat errors, ResponseError, ValueError: all "bad request"
        raise InvalidXmlRpcRequest(f"Invalid XML-RPC request: {exc}") from None
    if not method:
        raise InvalidXmlRpcRequest("Invalid XML-RPC request: no methodName")
    if _containers_in(data) > max_depth:  # else it cannot nest that deep: no walk
        try:
            check_depth(params, max_depth)
        except TooDeeplyNested as exc:
            raise InvalidXmlRpcRequest(f"Invalid XML-RPC request: {exc}") from None
    return params, method


def _containers_in(data: bytes | str) -> int:
    if isinstance(data, str):
        return data.count("<array") + data.count("<struct")
    return data.count(b"<array") + data.count(b"<struct")


# ---------------------------------------------------------------------------------------------
# Marshalling
# ---------------------------------------------------------------------------------------------


def to_xmlrpc(value: Any) -> Any:
    """``value`` with every part turned into a type XML-RPC marshals as Odoo does."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return int(value)  # Command and other IntEnums
    if isinstance(value, str):
        return str(value).translate(_CONTROL_CHARACTERS)  # Markup and other str subclasses
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace").translate(_CONTROL_CHARACTERS)
    if isinstance(value, (xmlrpc_client.Binary, xmlrpc_client.DateTime)):
        return value
    if hasattr(value, "_name") and hasattr(value, "ids"):  # a recordset
        return list(value.ids)
    if isinstance(value, Mapping):
        # XML-RPC struct members are named by strings
        return {str(key): to_xmlrpc(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_xmlrpc(item) for item in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"cannot marshal {type(value).__name__} objects")


def dumps_result(result: Any) -> str:
    """The ``methodResponse`` document returning ``result``.

    :raises TypeError: a value has no XML-RPC representation.
    :raises OverflowError: an int outside XML-RPC's 32-bit range.
    """
    return xmlrpc_client.dumps((to_xmlrpc(result),), methodresponse=True, allow_none=True)


def dumps_fault(fault: xmlrpc_client.Fault) -> str:
    """The ``methodResponse`` document carrying ``fault``."""
    return xmlrpc_client.dumps(fault, methodresponse=True, allow_none=True)


def dumps_call(method: str, params: tuple[Any, ...]) -> str:
    """A ``methodCall`` document (what clients send; handy in tests)."""
    return xmlrpc_client.dumps(tuple(to_xmlrpc(list(params))), method, allow_none=True)


# ---------------------------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------------------------


def fault_int(exc: BaseException, *, info: ErrorInfo | None = None) -> xmlrpc_client.Fault:
    """The fault of ``/xmlrpc/2/`` for ``exc`` (Odoo's ``xmlrpc_handle_exception_int``)."""
    if isinstance(exc, RedirectWarning):
        return xmlrpc_client.Fault(RPC_FAULT_CODE_WARNING, str(exc))
    if isinstance(exc, AccessError):
        return xmlrpc_client.Fault(RPC_FAULT_CODE_ACCESS_ERROR, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc_client.Fault(RPC_FAULT_CODE_ACCESS_DENIED, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc_client.Fault(RPC_FAULT_CODE_WARNING, str(exc))
    if isinstance(exc, HTTPException):  # a request we could not read: the client's error
        return xmlrpc_client.Fault(RPC_FAULT_CODE_CLIENT_ERROR, exc.description or str(exc))
    # logs an unexpected error's traceback under an error id, a client's mistake at INFO
    info = info or describe_exception(exc)
    return xmlrpc_client.Fault(RPC_FAULT_CODE_APPLICATION_ERROR, info.message)


def fault_string(exc: BaseException, *, info: ErrorInfo | None = None) -> xmlrpc_client.Fault:
    """The fault of the legacy ``/xmlrpc/`` (Odoo's ``xmlrpc_handle_exception_string``)."""
    if isinstance(exc, RedirectWarning):
        return _legacy_fault("warning -- Warning\n\n" + str(exc), "")
    if isinstance(exc, MissingError):
        return _legacy_fault("warning -- MissingError\n\n" + str(exc), "")
    if isinstance(exc, AccessError):
        return _legacy_fault("warning -- AccessError\n\n" + str(exc), "")
    if isinstance(exc, AccessDenied):
        return _legacy_fault("AccessDenied", str(exc))
    if isinstance(exc, UserError):
        return _legacy_fault("warning -- UserError\n\n" + str(exc), "")
    if isinstance(exc, HTTPException):
        return _legacy_fault(exc.description or str(exc), "")
    info = info or describe_exception(exc)
    return _legacy_fault(info.message, "")


def _legacy_fault(code: str, message: str) -> xmlrpc_client.Fault:
    """A fault whose ``faultCode`` is a string, as the legacy ``/xmlrpc/`` sends them (the
    standard library takes any value; its type stubs say ``int``)."""
    return xmlrpc_client.Fault(code, message)  # type: ignore[arg-type]


def handle_exception_int(exc: BaseException) -> str:
    """The ``methodResponse`` document of ``/xmlrpc/2/`` answering ``exc``."""
    return dumps_fault(fault_int(exc))


def handle_exception_string(exc: BaseException) -> str:
    """The ``methodResponse`` document of the legacy ``/xmlrpc/`` answering ``exc``."""
    return dumps_fault(fault_string(exc))


def xml_response(document: str) -> werkzeug.wrappers.Response:
    """An HTTP 200 ``text/xml`` response (XML-RPC faults travel with status 200 too)."""
    return werkzeug.wrappers.Response(document, mimetype="text/xml")


__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "RPC_FAULT_CODE_ACCESS_DENIED",
    "RPC_FAULT_CODE_ACCESS_ERROR",
    "RPC_FAULT_CODE_APPLICATION_ERROR",
    "RPC_FAULT_CODE_CLIENT_ERROR",
    "RPC_FAULT_CODE_WARNING",
    "InvalidXmlRpcRequest",
    "dumps_call",
    "dumps_fault",
    "dumps_result",
    "fault_int",
    "fault_string",
    "handle_exception_int",
    "handle_exception_string",
    "loads",
    "to_xmlrpc",
    "xml_response",
]
