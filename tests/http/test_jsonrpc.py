"""Odoo's JSON-RPC envelope: parsing, results, errors, value encoding."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from erplite.exceptions import AccessError, UserError, ValidationError
from erplite.http import jsonrpc
from erplite.http.errors import SessionExpiredException


def make_request(body, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    builder = EnvironBuilder(method="POST", path="/rpc", data=data, content_type=content_type)
    return Request(builder.get_environ())


def body_of(response):
    return json.loads(response.get_data(as_text=True))


class FakeRecordset:
    """Duck-typed recordset: what the encoder recognises."""

    _name = "res.partner"

    def __init__(self, *ids):
        self.ids = list(ids)


# -- parsing ------------------------------------------------------------------------------------


def test_parse_request_reads_id_method_and_params():
    call = jsonrpc.parse_request(
        make_request({"jsonrpc": "2.0", "method": "call", "id": 7, "params": {"a": 1}})
    )
    assert (call.id, call.method, call.params) == (7, "call", {"a": 1})


def test_missing_or_null_params_are_an_empty_mapping():
    assert jsonrpc.parse_request(make_request({"id": 1})).params == {}
    assert jsonrpc.parse_request(make_request({"id": 1, "params": None})).params == {}


def test_json_rpc_mimetype_is_accepted():
    call = jsonrpc.parse_request(make_request({"id": 3}, "application/json-rpc"))
    assert call.id == 3


def test_bad_json_is_400_with_an_error_envelope():
    with pytest.raises(jsonrpc.InvalidJsonRpc) as info:
        jsonrpc.parse_request(make_request(b"{not json"))
    response = info.value.get_response()
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    body = body_of(response)
    assert body["jsonrpc"] == "2.0" and body["id"] is None
    assert body["error"]["code"] == jsonrpc.PARSE_ERROR
    assert body["error"]["message"] == "Invalid JSON data"
    assert body["error"]["data"]["name"] == "erplite.http.jsonrpc.InvalidJsonRpc"


def test_array_body_and_positional_params_are_400():
    with pytest.raises(jsonrpc.InvalidJsonRpc, match="must be a JSON object"):
        jsonrpc.parse_request(make_request([{"id": 1}]))
    with pytest.raises(jsonrpc.InvalidJsonRpc, match="params must be an object") as info:
        jsonrpc.parse_request(make_request({"id": 9, "params": [1, 2]}))
    assert body_of(info.value.get_response())["id"] == 9  # the id is echoed when known


def test_wrong_content_type_is_400():
    with pytest.raises(jsonrpc.UnsupportedJsonRpcMediaType) as info:
        jsonrpc.parse_request(make_request("a=1", "application/x-www-form-urlencoded"))
    response = info.value.get_response()
    assert response.status_code == 400
    assert "application/x-www-form-urlencoded" in body_of(response)["error"]["message"]


# -- results ------------------------------------------------------------------------------------


def test_success_envelope():
    response = jsonrpc.result_response({"uid": 2}, 42)
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert body_of(response) == {"jsonrpc": "2.0", "id": 42, "result": {"uid": 2}}


def test_none_result_is_null():
    assert body_of(jsonrpc.result_response(None, "a")) == {
        "jsonrpc": "2.0",
        "id": "a",
        "result": None,
    }


def test_dates_are_encoded_in_odoo_formats():
    value = {
        "date": datetime.date(2024, 2, 29),
        "datetime": datetime.datetime(2024, 2, 29, 13, 5, 9, 123456),
        "aware": datetime.datetime(
            2024, 3, 1, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        ),
    }
    assert json.loads(jsonrpc.dumps(value)) == {
        "date": "2024-02-29",
        "datetime": "2024-02-29 13:05:09",
        "aware": "2024-02-29 23:00:00",  # converted to UTC, as erplite stores datetimes
    }


def test_bytes_sets_and_recordsets_are_encoded():
    value = {"bin": b"aGVsbG8=", "tags": {3, 1, 2}, "partners": FakeRecordset(4, 5)}
    assert json.loads(jsonrpc.dumps(value)) == {
        "bin": "aGVsbG8=",
        "tags": [1, 2, 3],
        "partners": [4, 5],
    }


def test_non_ascii_text_is_sent_as_is():
    assert jsonrpc.dumps({"name": "Société"}) == '{"name":"Société"}'


# -- errors -------------------------------------------------------------------------------------


def test_access_error_envelope_names_the_erplite_exception():
    response = jsonrpc.error_response(AccessError("You may not read Orders"), 5)
    assert response.status_code == 200  # JSON-RPC errors travel in a 200, as in Odoo
    assert body_of(response) == {
        "jsonrpc": "2.0",
        "id": 5,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": "erplite.exceptions.AccessError",
                "message": "You may not read Orders",
                "arguments": ["You may not read Orders"],
                "context": {},
                "debug": "",
            },
        },
    }


def test_validation_error_carries_its_message():
    data = jsonrpc.error_envelope(ValidationError("End before start"), 1)["error"]["data"]
    assert data["name"] == "erplite.exceptions.ValidationError"
    assert data["message"] == "End before start"


def test_exception_context_is_serialized():
    exc = UserError("Pick a warehouse")
    exc.context = {"active_model": "stock.picking"}
    data = jsonrpc.error_envelope(exc, 1)["error"]["data"]
    assert data["context"] == {"active_model": "stock.picking"}


def test_session_expired_is_code_100():
    error = jsonrpc.error_envelope(SessionExpiredException(), 1)["error"]
    assert (error["code"], error["message"]) == (100, "Odoo Session Expired")
    assert error["data"]["name"] == "erplite.http.errors.SessionExpiredException"


def test_not_found_is_code_404():
    error = jsonrpc.error_envelope(NotFound(), None)["error"]
    assert (error["code"], error["message"]) == (404, "404: Not Found")


def test_unexpected_error_hides_details_and_logs_them_with_an_id(caplog):
    try:
        {}["secret_column"]
    except KeyError as exc:
        with caplog.at_level(logging.ERROR, logger="erplite.http.errors"):
            response = jsonrpc.error_response(exc, 3)
    body = body_of(response)
    error_id = response.headers["X-Error-Id"]
    assert len(error_id) == 12
    data = body["error"]["data"]
    assert data["name"] == "werkzeug.exceptions.InternalServerError"
    assert error_id in data["message"]
    assert "secret_column" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert record.exc_info and record.exc_info[0] is KeyError
