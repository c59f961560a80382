"""The XML-RPC wire format: parsing calls, marshalling results as Odoo, fault codes."""

from __future__ import annotations

import datetime
import enum
import logging
import threading
import xmlrpc.client

import pytest
from werkzeug.exceptions import BadRequest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from erplite.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    RedirectWarning,
    UserError,
    ValidationError,
)
from erplite.http import xmlrpc as rpc


class FakeRecordset:
    _name = "res.partner"

    def __init__(self, *ids):
        self.ids = list(ids)


class Op(enum.IntEnum):  # stands for erplite's Command
    LINK = 4


class Html(str):  # stands for markupsafe.Markup
    pass


def roundtrip(result):
    """What a Python client reads from ``dumps_result(result)``."""
    (value,), _ = xmlrpc.client.loads(rpc.dumps_result(result))
    return value


def client_fault(fault):
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(rpc.dumps_fault(fault))
    return info.value


# -- parsing ------------------------------------------------------------------------------------


def test_loads_returns_params_and_method():
    call = xmlrpc.client.dumps(
        ("demo", 2, "pw", "res.partner", "search_read", [[["active", "=", True]]], {"limit": 5}),
        "execute_kw",
    )
    params, method = rpc.loads(call.encode())
    assert method == "execute_kw"
    assert params == (
        "demo",
        2,
        "pw",
        "res.partner",
        "search_read",
        [[["active", "=", True]]],
        {"limit": 5},
    )


def test_loads_turns_iso8601_values_into_datetimes():
    call = xmlrpc.client.dumps((xmlrpc.client.DateTime("20240501T10:20:30"),), "m")
    (value,), _ = rpc.loads(call)
    assert value == datetime.datetime(2024, 5, 1, 10, 20, 30)


@pytest.mark.parametrize("body", [b"", b"<methodCall><params>", b"not xml", b"<a/>"])
def test_malformed_calls_are_bad_requests(body):
    with pytest.raises(BadRequest, match="Invalid XML-RPC request"):
        rpc.loads(body)


# -- marshalling --------------------------------------------------------------------------------


def test_dates_are_marshalled_as_odoo_strings():
    value = roundtrip(
        {
            "date_order": datetime.datetime(2024, 5, 1, 9, 30, 0, 999),
            "date": datetime.date(2024, 5, 1),
        }
    )
    assert value == {"date_order": "2024-05-01 09:30:00", "date": "2024-05-01"}


def test_none_is_allowed():
    assert roundtrip([None, {"x": None}]) == [None, {"x": None}]
    assert "<nil/>" in rpc.dumps_result(None)


def test_odoo_specific_values():
    value = roundtrip(
        {
            "image": b"iVBORw0KGgo=",  # binary fields travel as base64 text
            "partner_ids": FakeRecordset(3, 4),
            "command": Op.LINK,
            "description": Html("<p>ok</p>"),
            "tags": ("a", "b"),
            "ids": {7},
            "by_id": {1: "one"},
        }
    )
    assert value == {
        "image": "iVBORw0KGgo=",
        "partner_ids": [3, 4],
        "command": 4,
        "description": "<p>ok</p>",
        "tags": ["a", "b"],
        "ids": [7],
        "by_id": {"1": "one"},
    }


def test_control_characters_are_removed():
    assert roundtrip("a\x00b\x1bc\td\ne") == "abc\td\ne"


def test_unmarshallable_values_raise_type_error():
    with pytest.raises(TypeError, match="cannot marshal object"):
        rpc.dumps_result(object())


# -- faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (AccessError("Not allowed to read"), rpc.RPC_FAULT_CODE_ACCESS_ERROR),
        (AccessDenied(), rpc.RPC_FAULT_CODE_ACCESS_DENIED),
        (UserError("Cannot confirm"), rpc.RPC_FAULT_CODE_WARNING),
        (ValidationError("Bad dates"), rpc.RPC_FAULT_CODE_WARNING),
        (MissingError("Record gone"), rpc.RPC_FAULT_CODE_WARNING),
        (RedirectWarning("Configure it", action=1), rpc.RPC_FAULT_CODE_WARNING),
        (BadRequest("Invalid XML-RPC request"), rpc.RPC_FAULT_CODE_CLIENT_ERROR),
    ],
)
def test_int_fault_codes_are_odoos(exc, code):
    fault = client_fault(rpc.fault_int(exc))
    assert fault.faultCode == code
    assert fault.faultString == (exc.description if isinstance(exc, BadRequest) else str(exc))


def test_odoo_fault_code_values():
    assert (
        rpc.RPC_FAULT_CODE_APPLICATION_ERROR,
        rpc.RPC_FAULT_CODE_WARNING,
        rpc.RPC_FAULT_CODE_ACCESS_DENIED,
        rpc.RPC_FAULT_CODE_ACCESS_ERROR,
    ) == (1, 2, 3, 4)


def test_unexpected_error_is_code_1_without_traceback(caplog):
    try:
        raise ZeroDivisionError("internal detail")
    except ZeroDivisionError as exc:
        with caplog.at_level(logging.ERROR, logger="erplite.http.errors"):
            document = rpc.handle_exception_int(exc)
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(document)
    assert info.value.faultCode == 1
    assert "internal detail" not in document and "Traceback" not in document
    error_id = info.value.faultString.rsplit(" ", 1)[-1]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_string_faults_of_the_legacy_endpoint():
    missing = client_fault(rpc.fault_string(MissingError("Record gone")))
    assert missing.faultCode == "warning -- MissingError\n\nRecord gone"
    assert missing.faultString == ""
    denied = client_fault(rpc.fault_string(AccessDenied()))
    assert (denied.faultCode, denied.faultString) == ("AccessDenied", "Access Denied")
    access = client_fault(rpc.fault_string(AccessError("No")))
    assert access.faultCode == "warning -- AccessError\n\nNo"
    user = client_fault(rpc.fault_string(UserError("Stop")))
    assert user.faultCode == "warning -- UserError\n\nStop"


# -- with Python's own client over a real socket ------------------------------------------------


def _wsgi(environ, start_response):
    request = Request(environ)
    try:
        params, method = rpc.loads(request.get_data())
        if method == "fail":
            raise AccessError(f"{params[0]} may not do that")
        document = rpc.dumps_result(
            {"method": method, "echo": list(params), "when": datetime.date(2024, 1, 2)}
        )
    except Exception as exc:
        document = rpc.handle_exception_int(exc)
    return rpc.xml_response(document)(environ, start_response)


@pytest.fixture(scope="module")
def server_url():
    server = make_server("127.0.0.1", 0, _wsgi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/xmlrpc/2/object"
    server.shutdown()
    thread.join()


def test_python_client_reads_results_and_faults(server_url):
    proxy = xmlrpc.client.ServerProxy(server_url)
    result = proxy.execute_kw("demo", 2, "pw", "res.partner", "read", [[1]])
    assert result == {
        "method": "execute_kw",
        "echo": ["demo", 2, "pw", "res.partner", "read", [[1]]],
        "when": "2024-01-02",
    }
    with pytest.raises(xmlrpc.client.Fault) as info:
        proxy.fail("demo")
    assert info.value.faultCode == 4
    assert info.value.faultString == "demo may not do that"
