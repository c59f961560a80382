"""Client mistakes are client errors (issue 10, finding 5): through JSON-RPC, XML-RPC, JSON-2
and REST, each answers Odoo 17's type (``ValueError`` for a bad domain, field, order, limit or
offset; ``ValidationError`` for a bad value) with a message naming the argument, and nothing is
logged at ERROR (that level is for bugs)."""

from __future__ import annotations

import logging
import re
import xmlrpc.client
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import api

MODEL = "test_http.counter"
VALUE_ERROR = "builtins.ValueError"
VALIDATION_ERROR = "erplite.exceptions.ValidationError"

# (id, method, positional args of execute_kw, keyword args, exception name, message pattern)
MISTAKES: list[tuple[str, str, list, dict, str, str]] = [
    ("order", "search", [[]], {"order": "id; DROP TABLE x"}, VALUE_ERROR, r"Invalid order 'id; DROP TABLE x'"),
    ("order-field", "search", [[]], {"order": "nope desc"}, VALUE_ERROR, r"Invalid field 'nope'.*in order"),
    ("negative-limit", "search", [[]], {"limit": -1}, VALUE_ERROR, r"Invalid limit -1"),
    ("negative-offset", "search", [[]], {"offset": -5}, VALUE_ERROR, r"Invalid offset -5"),
    ("string-limit", "search", [[]], {"limit": "10"}, VALUE_ERROR, r"Invalid limit '10'"),
    ("string-offset", "search_read", [[]], {"offset": "x"}, VALUE_ERROR, r"Invalid offset 'x'"),
    ("unknown-field", "search_read", [[]], {"fields": ["nope"]}, VALUE_ERROR, r"Invalid field 'nope' on model 'test_http.counter' in fields"),
    ("quoted-field", "search_read", [[]], {"fields": ['name"']}, VALUE_ERROR, r"""Invalid field 'name"' on model"""),
    ("fields-not-a-list", "search_read", [[]], {"fields": "name"}, VALUE_ERROR, r"Invalid fields 'name'"),
    ("domain-string", "search", ["bad"], {}, VALUE_ERROR, r"Invalid domain 'bad'"),
    ("domain-term", "search", [[["name", "=="]]], {}, VALUE_ERROR, r"Invalid domain term \['name', '=='\]"),
    ("domain-operator", "search", [[["name", "bogus", 1]]], {}, VALUE_ERROR, r"Invalid operator 'bogus'"),
    ("domain-field", "search", [[["nope", "=", 1]]], {}, VALUE_ERROR, r"Invalid field test_http.counter.nope"),
    ("domain-value", "search", [[["value", "=", "twelve"]]], {}, VALUE_ERROR, r"Invalid domain: Wrong value for test_http.counter.value: 'twelve'"),
    ("child-of-without-parent", "search", [[["id", "child_of", 1]]], {}, VALUE_ERROR, r"'child_of' on model 'test_http.counter': it has no parent field 'parent_id'"),
    ("company-ids-string", "search", [[]], {"context": {"allowed_company_ids": "abc"}}, VALUE_ERROR, r"allowed_company_ids 'abc'"),
    ("company-ids-nested", "search", [[]], {"context": {"allowed_company_ids": [[1]]}}, VALUE_ERROR, r"allowed_company_ids \[\[1\]\]"),
    ("read-field", "read", [[1], ["nope"]], {}, VALUE_ERROR, r"Invalid field 'nope'"),
    ("groupby-field", "read_group", [[], ["value:sum"], ["nope"]], {}, VALUE_ERROR, r"Invalid field 'nope'.*in groupby"),
    ("aggregate", "read_group", [[], ["value:median"], ["name"]], {}, VALUE_ERROR, r"Invalid aggregate 'value:median'"),
    ("read-group-limit", "read_group", [[], ["value:sum"], ["name"]], {"limit": -3}, VALUE_ERROR, r"Invalid limit -3"),
    ("create-integer", "create", [{"name": "v1", "value": "twelve"}], {}, VALIDATION_ERROR, r"Wrong value for test_http.counter.value: 'twelve'"),
    ("create-date", "create", [{"name": "v2", "day": "nope"}], {}, VALIDATION_ERROR, r"Wrong value for test_http.counter.day: 'nope'"),
    ("create-many2one", "create", [{"name": "v3", "partner_id": "x"}], {}, VALIDATION_ERROR, r"Wrong value for test_http.counter.partner_id"),
    ("create-not-a-dict", "create", [["name"]], {}, VALUE_ERROR, r"create\(\) on test_http.counter expects dicts"),
    ("create-unknown-field", "create", [{"name": "v4", "nope": 1}], {}, VALUE_ERROR, r"Invalid field 'nope'"),
]  # fmt: skip

# only JSON carries these: XML 1.0 has no NUL character, XML-RPC no integer past 32 bits
JSON_ONLY: list[tuple[str, str, list, dict, str, str]] = [
    ("nul-in-domain", "search", [[["name", "=", "a\x00b"]]], {}, VALUE_ERROR, r"Invalid domain: Wrong value for test_http.counter.name.*NUL"),
    ("nul-in-like", "search", [[["name", "ilike", "a\x00b"]]], {}, VALUE_ERROR, r"Invalid domain: Wrong value for test_http.counter.name.*NUL"),
    ("nul-in-create", "create", [{"name": "a\x00b"}], {}, VALIDATION_ERROR, r"Wrong value for test_http.counter.name.*NUL"),
    ("many2one-out-of-range", "create", [{"name": "v6", "partner_id": 2**40}], {}, VALIDATION_ERROR, r"Wrong value for test_http.counter.partner_id: 1099511627776 \(out of the range"),
    ("integer-out-of-range", "create", [{"name": "v5", "value": 2**40}], {}, VALIDATION_ERROR, r"Wrong value for test_http.counter.value: 1099511627776 \(out of the range"),
    ("default-get-none", "default_get", [None], {}, VALUE_ERROR, r"Invalid fields_list None for model 'test_http.counter'"),
    ("default-get-dict", "default_get", [[{}]], {}, VALUE_ERROR, r"Invalid field \{\} on model 'test_http.counter' in fields_list"),
    ("domain-dict", "search", [[["name", "=", {}]]], {}, VALUE_ERROR, r"Invalid value \{\} for field 'name' in domain term \('name', '=', \{\}\)"),
    ("domain-dict-in-list", "search", [[["partner_id", "in", [{"id": 1}]]]], {}, VALUE_ERROR, r"Invalid value \{'id': 1\} for field 'partner_id'"),
    ("id-not-a-number", "search", [[["id", "=", "\u00e9"]]], {}, VALUE_ERROR, r"Invalid domain: Wrong value for test_http.counter.id: '\u00e9'"),
    ("id-in-dict", "search", [[["id", "in", [{}]]]], {}, VALUE_ERROR, r"Invalid value \{\} for field 'id'"),
]  # fmt: skip


def ids_of(table: list) -> list[str]:
    return [row[0] for row in table]


@pytest.fixture(scope="module")
def admin_key(web_db) -> str:
    with web_db.registry().cursor() as cr:
        env = api.Environment(cr, web_db.admin_uid, {})
        return env["res.users.apikeys"]._generate("rpc", "client errors")


@pytest.fixture
def no_error_logged(caplog):
    """Fails the test if anything is logged at ERROR or above; the client mistakes at INFO."""
    caplog.set_level(logging.INFO)
    yield caplog
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def execute_kw_body(web_db, method: str, args: list, kwargs: dict) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [web_db.name, web_db.admin_uid, "admin", MODEL, method, args, kwargs],
        },
    }


# -- JSON-RPC -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "name", "message"),
    [row[1:] for row in MISTAKES + JSON_ONLY],
    ids=ids_of(MISTAKES + JSON_ONLY),
)
def test_jsonrpc(app, web_db, no_error_logged, method, args, kwargs, name, message):
    response = Client(app).post("/jsonrpc", json=execute_kw_body(web_db, method, args, kwargs))
    assert response.status_code == 200
    error = response.get_json()["error"]
    assert error["code"] == 200
    assert error["data"]["name"] == name
    assert re.search(message, error["data"]["message"]), error["data"]["message"]
    assert "X-Error-Id" not in response.headers
    logged = [r for r in no_error_logged.records if r.levelno == logging.INFO]
    assert any(re.search(message, r.getMessage()) for r in logged)


def test_jsonrpc_without_params(app, no_error_logged):
    response = Client(app).post("/jsonrpc", json={"jsonrpc": "2.0", "id": 4, "method": "call"})
    assert response.status_code == 200
    error = response.get_json()["error"]
    assert error["data"]["name"] == "erplite.http.service.InvalidArguments"
    assert "'service'" in error["data"]["message"]
    response = Client(app).post(
        "/jsonrpc", json={"jsonrpc": "2.0", "id": 4, "params": {"service": "common"}}
    )
    assert "'method'" in response.get_json()["error"]["data"]["message"]


# -- XML-RPC ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "name", "message"),
    [row[1:] for row in MISTAKES],
    ids=ids_of(MISTAKES),
)
def test_xmlrpc(app, web_db, no_error_logged, method, args, kwargs, name, message):
    data = xmlrpc.client.dumps(
        (web_db.name, web_db.admin_uid, "admin", MODEL, method, args, kwargs),
        "execute_kw",
        allow_none=True,
    )
    response = Client(app).post("/xmlrpc/2/object", data=data, content_type="text/xml")
    assert response.status_code == 200
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(response.get_data())
    # Odoo's codes: 1 an application error (ValueError), 2 a warning (UserError and its kinds)
    assert info.value.faultCode == (1 if name == VALUE_ERROR else 2)
    assert re.search(message, info.value.faultString), info.value.faultString
    assert "error id" not in info.value.faultString


# -- JSON-2 -------------------------------------------------------------------------------------

#: the JSON-2 body of each ``execute_kw`` call (by-name parameters, ``ids`` apart)
JSON2_PARAMETERS = {
    "search": ("domain", "offset", "limit", "order"),
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "read": ("fields",),
    "read_group": ("domain", "fields", "groupby", "offset", "limit"),
    "create": ("vals_list",),
    "default_get": ("fields_list",),
}


def json2_body(method: str, args: list, kwargs: dict) -> dict[str, Any]:
    body = dict(kwargs)
    if method == "read":
        body["ids"], args = args[0], args[1:]
    body.update(zip(JSON2_PARAMETERS[method], args))
    return body


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "name", "message"),
    [row[1:] for row in MISTAKES + JSON_ONLY],
    ids=ids_of(MISTAKES + JSON_ONLY),
)
def test_json2(app, admin_key, no_error_logged, method, args, kwargs, name, message):
    response = Client(app).post(
        f"/json/2/{MODEL}/{method}",
        json=json2_body(method, args, kwargs),
        headers={"Authorization": f"bearer {admin_key}"},
    )
    assert response.status_code == (400 if name == VALUE_ERROR else 422)
    body = response.get_json()
    assert body["name"] == name
    assert re.search(message, body["message"]), body["message"]


# -- REST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("order=id%3B%20DROP%20TABLE%20x", r"Invalid order 'id; DROP TABLE x'"),
        ("order=nope", r"Invalid field 'nope' on model 'sale.order' in order"),
        ("order=name%22", r"Invalid order 'name\"'"),
        ("limit=-1", r"limit must be at least 1"),
        ("offset=-5", r"offset must be at least 0"),
        ("limit=ten", r"limit"),
    ],
)
def test_rest_query_parameters(app, admin_key, no_error_logged, query, message):
    response = Client(app).get(
        f"/api/orders?{query}", headers={"Authorization": f"bearer {admin_key}"}
    )
    assert response.status_code == 400
    body = response.get_json()
    assert re.search(message, body["message"]), body["message"]


def test_rest_nul_in_a_body(app, admin_key, web_db, no_error_logged):
    response = Client(app).post(
        "/api/orders",
        json={"partner_id": 1, "client_order_ref": "ref\x00"},
        headers={"Authorization": f"bearer {admin_key}"},
    )
    # refused by the body's schema check already, before the ORM sees it
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == "client_order_ref" and "NUL" in body["message"]


# -- what stays a bug ---------------------------------------------------------------------------


def test_a_plain_value_error_is_still_an_unexpected_error(app, caplog):
    """Only the ORM's argument checks are client errors: a ValueError of a bug is a 500."""
    from erplite.http.errors import describe_exception

    with caplog.at_level(logging.ERROR):
        info = describe_exception(ValueError("invalid literal for int() with base 10: 'x'"))
    assert info.status == 500 and info.error_id
    assert any(info.error_id in r.getMessage() for r in caplog.records)
