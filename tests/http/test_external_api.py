"""The Odoo-compatible external API on a real server (127.0.0.1): Python's own
``xmlrpc.client``, plain HTTP JSON-RPC, and the JSON-2 API."""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request
import uuid
import xmlrpc.client

import pytest

from erplite import SUPERUSER_ID, api


@pytest.fixture(scope="module")
def common(live_server):
    return xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/common", allow_none=True)


@pytest.fixture(scope="module")
def models(live_server):
    return xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/object", allow_none=True)


@pytest.fixture(scope="module")
def demo_key(web_db):
    """An API key (scope rpc) of the demo user."""
    with web_db.registry().cursor() as cr:
        env = api.Environment(cr, web_db.demo_uid, {})
        return env["res.users.apikeys"]._generate("rpc", "tests")


def with_env(web_db, uid=SUPERUSER_ID):
    class Block:
        def __enter__(self):
            self.cr = web_db.registry().cursor()
            return api.Environment(self.cr, uid, {})

        def __exit__(self, *exc):
            self.cr.__exit__(*exc)

    return Block()


def post_json(url: str, payload, headers=None, data: bytes | None = None):
    """``(status, headers, decoded body)`` of a POST, whatever the status."""
    body = data if data is not None else json.dumps(payload).encode()
    request = urllib.request.Request(
        url, body, {"Content-Type": "application/json", **(headers or {})}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, error.headers, json.loads(text) if text else None


def jsonrpc(live_server, service, method, *args):
    status, _headers, body = post_json(
        f"{live_server.url}/jsonrpc",
        {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 3,
            "params": {"service": service, "method": method, "args": list(args)},
        },
    )
    assert status == 200
    return body


# -- common -------------------------------------------------------------------------------------


def test_version_reports_odoo_17_protocol(common):
    version = common.version()
    assert version["server_version"] == "17.0"
    assert version["server_version_info"] == [17, 0, 0, "final", 0, ""]
    assert version["server_serie"] == "17.0"
    assert version["protocol_version"] == 1
    assert version["erplite_version"]


def test_about(common):
    assert common.about() == "See http://openerp.com"
    assert common.about(True) == ["See http://openerp.com", "17.0"]


def test_login_and_authenticate(common, web_db):
    assert common.login(web_db.name, "admin", "admin") == web_db.admin_uid
    assert common.authenticate(web_db.name, "demo", "demo", {}) == web_db.demo_uid
    assert common.login(web_db.name, "admin", "wrong") is False
    assert common.login(web_db.name, "nobody", "x") is False


def test_login_on_a_database_not_served_is_a_fault(common):
    with pytest.raises(xmlrpc.client.Fault) as info:
        common.login("erplite_not_here", "admin", "admin")
    assert "not found" in info.value.faultString


def test_api_key_replaces_the_password(common, models, web_db, demo_key):
    assert common.login(web_db.name, "demo", demo_key) == web_db.demo_uid
    ids = models.execute_kw(
        web_db.name, web_db.demo_uid, demo_key, "res.partner", "search", [[["id", "=", 1]]]
    )
    assert isinstance(ids, list)


# -- object: call_kw conventions ----------------------------------------------------------------


def test_search_read_with_many2one_pairs(models, web_db):
    rows = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "res.users",
        "search_read",
        [[["login", "=", "admin"]]],
        {"fields": ["login", "partner_id"]},
    )
    assert len(rows) == 1 and rows[0]["login"] == "admin"
    partner_id, partner_name = rows[0]["partner_id"]
    assert isinstance(partner_id, int) and partner_name == "Administrator"


def test_create_returns_an_id_and_a_list_gives_ids(models, web_db):
    new_id = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "create",
        [{"name": uuid.uuid4().hex}],
    )
    assert isinstance(new_id, int)
    ids = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "create",
        [[{"name": uuid.uuid4().hex}, {"name": uuid.uuid4().hex}]],
    )
    assert isinstance(ids, list) and len(ids) == 2 and new_id not in ids


def test_model_methods_take_no_ids_and_recordsets_become_ids(models, web_db):
    name = uuid.uuid4().hex
    new_id = models.execute_kw(
        web_db.name, web_db.admin_uid, "admin", "test_http.counter", "create", [{"name": name}]
    )
    assert models.execute_kw(
        web_db.name, web_db.admin_uid, "admin", "test_http.counter", "find", [name]
    ) == [new_id]
    assert models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "increment",
        [[new_id]],
        {"step": 5},
    ) == [5]
    assert models.execute(
        web_db.name, web_db.admin_uid, "admin", "test_http.counter", "increment", [new_id], 2
    ) == [7]


def test_dates_are_marshalled_as_strings_and_classic_write_gives_ids(models, web_db):
    partner = models.execute_kw(
        web_db.name, web_db.admin_uid, "admin", "res.partner", "create", [{"name": "Dated"}]
    )
    new_id = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "create",
        [
            {
                "name": uuid.uuid4().hex,
                "day": "2024-05-01",
                "moment": "2024-05-01 10:20:30",
                "partner_id": partner,
            }
        ],
    )
    [row] = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "read",
        [[new_id], ["day", "moment", "partner_id", "create_date"]],
        {"load": "_classic_write"},
    )
    assert row["day"] == "2024-05-01" and row["moment"] == "2024-05-01 10:20:30"
    assert row["partner_id"] == partner
    datetime.datetime.strptime(row["create_date"], "%Y-%m-%d %H:%M:%S")
    [classic] = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "read",
        [[new_id], ["partner_id"]],
    )
    assert classic["partner_id"] == [partner, "Dated"]


def test_context_is_taken_from_the_keyword_arguments(models, web_db):
    archived = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "res.partner",
        "create",
        [{"name": "Archived", "active": False}],
    )
    found = models.execute_kw(
        web_db.name, web_db.admin_uid, "admin", "res.partner", "search", [[["id", "=", archived]]]
    )
    assert found == []
    found = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "res.partner",
        "search",
        [[["id", "=", archived]]],
        {"context": {"active_test": False}},
    )
    assert found == [archived]


def test_what_odoo_clients_call(models, web_db):
    context = models.execute_kw(
        web_db.name, web_db.admin_uid, "admin", "res.users", "context_get", []
    )
    assert context["lang"] == "en_US" and context["uid"] == web_db.admin_uid
    fields = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "res.partner",
        "fields_get",
        [],
        {"attributes": ["type", "string"]},
    )
    assert fields["name"]["type"] == "char"
    assert fields["parent_id"]["type"] == "many2one"
    ir_models = models.execute_kw(
        web_db.name,
        web_db.admin_uid,
        "admin",
        "ir.model",
        "search_read",
        [[["model", "in", ["res.partner", "test_http.counter"]]]],
        {"fields": ["model", "transient"], "order": "model"},
    )
    assert [(m["model"], m["transient"]) for m in ir_models] == [
        ("res.partner", False),
        ("test_http.counter", False),
    ]


# -- refusals and faults ------------------------------------------------------------------------


def fault(call, *args, **kwargs) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    return info.value


def test_private_and_non_public_methods_are_refused(models, web_db):
    for method in ("_secret", "reset_all", "init"):
        error = fault(
            models.execute_kw,
            web_db.name,
            web_db.admin_uid,
            "admin",
            "test_http.counter",
            method,
            [[]],
        )
        assert error.faultCode == 4
        assert f"Private methods (such as {method}) cannot be called remotely." in error.faultString


def test_faults_carry_odoo_like_codes_and_messages(models, web_db):
    wrong_password = fault(
        models.execute_kw, web_db.name, web_db.admin_uid, "nope", "res.partner", "search", [[]]
    )
    assert wrong_password.faultCode == 3 and wrong_password.faultString == "Access Denied"
    unknown_model = fault(
        models.execute_kw, web_db.name, web_db.admin_uid, "admin", "no.such.model", "search", [[]]
    )
    assert unknown_model.faultCode == 2
    assert unknown_model.faultString == "Object no.such.model doesn't exist"
    user_error = fault(
        models.execute_kw,
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "refuse",
        [[]],
    )
    assert user_error.faultCode == 2 and user_error.faultString == "Counters cannot do that."
    unknown_method = fault(
        models.execute_kw,
        web_db.name,
        web_db.admin_uid,
        "admin",
        "res.partner",
        "no_such_method",
        [[]],
    )
    assert unknown_method.faultCode == 1 and "does not exist" in unknown_method.faultString
    bad_arguments = fault(
        models.execute_kw,
        web_db.name,
        web_db.admin_uid,
        "admin",
        "res.partner",
        "search",
        [[]],
        {"no_such_argument": 1},
    )
    assert bad_arguments.faultCode == 1 and "no_such_argument" in bad_arguments.faultString


def test_calls_run_with_the_callers_rights(models, web_db):
    error = fault(
        models.execute_kw,
        web_db.name,
        web_db.demo_uid,
        "demo",
        "res.users",
        "write",
        [[web_db.admin_uid], {"login": "hijacked"}],
    )
    assert error.faultCode == 4
    error = fault(
        models.execute_kw,
        web_db.name,
        web_db.demo_uid,
        "demo",
        "res.groups",
        "create",
        [{"name": "Escalation"}],
    )
    assert error.faultCode == 4
    admin = models.execute_kw(
        web_db.name, web_db.admin_uid, "admin", "res.users", "read", [[web_db.admin_uid], ["login"]]
    )
    assert admin[0]["login"] == "admin"


def test_legacy_xmlrpc_path_has_string_fault_codes(live_server, web_db):
    legacy = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/object", allow_none=True)
    error = fault(
        legacy.execute_kw,
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "_secret",
        [[]],
    )
    assert error.faultCode.startswith("warning -- AccessError")


def test_a_changed_password_is_refused_at_once(common, models, web_db):
    login_name = f"rpc{uuid.uuid4().hex[:6]}"
    with with_env(web_db) as env:
        uid = (
            env["res.users"]
            .create({"name": login_name, "login": login_name, "password": "first"})
            .id
        )
    assert models.execute_kw(web_db.name, uid, "first", "res.partner", "search_count", [[]]) >= 0
    with with_env(web_db) as env:
        env["res.users"].browse(uid).write({"password": "second"})
    assert (
        fault(
            models.execute_kw, web_db.name, uid, "first", "res.partner", "search_count", [[]]
        ).faultCode
        == 3
    )
    assert models.execute_kw(web_db.name, uid, "second", "res.partner", "search_count", [[]]) >= 0


def test_a_revoked_api_key_is_refused_at_once(models, web_db):
    with with_env(web_db, web_db.demo_uid) as env:
        key = env["res.users.apikeys"]._generate("rpc", "short-lived")
    assert (
        models.execute_kw(
            web_db.name, web_db.demo_uid, key, "res.partner", "search", [[["id", "=", 0]]]
        )
        == []
    )
    with with_env(web_db) as env:
        env["res.users.apikeys"].search([("name", "=", "short-lived")])._remove()
    assert (
        fault(
            models.execute_kw, web_db.name, web_db.demo_uid, key, "res.partner", "search", [[]]
        ).faultCode
        == 3
    )


# -- JSON-RPC over plain HTTP -------------------------------------------------------------------


def test_jsonrpc_login_and_execute_kw(live_server, web_db):
    uid = jsonrpc(live_server, "common", "login", web_db.name, "admin", "admin")["result"]
    assert uid == web_db.admin_uid
    rows = jsonrpc(
        live_server,
        "object",
        "execute_kw",
        web_db.name,
        uid,
        "admin",
        "res.partner",
        "search_read",
        [[["name", "ilike", "admin"]]],
        {"fields": ["name", "create_date"], "order": "name desc", "limit": 5},
    )["result"]
    assert rows and all("admin" in row["name"].lower() for row in rows)
    datetime.datetime.strptime(rows[0]["create_date"], "%Y-%m-%d %H:%M:%S")


def test_jsonrpc_errors_use_the_envelope(live_server, web_db):
    body = jsonrpc(
        live_server,
        "object",
        "execute_kw",
        web_db.name,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "_secret",
        [[]],
    )
    assert body["id"] == 3
    assert body["error"]["code"] == 200
    assert body["error"]["data"]["name"] == "erplite.exceptions.AccessError"
    denied = jsonrpc(
        live_server,
        "object",
        "execute_kw",
        web_db.name,
        web_db.admin_uid,
        "bad",
        "res.partner",
        "search",
        [[]],
    )
    assert denied["error"]["data"]["name"] == "erplite.exceptions.AccessDenied"


def test_jsonrpc_db_service(live_server, web_db):
    assert jsonrpc(live_server, "db", "list")["result"] == [web_db.name]
    assert jsonrpc(live_server, "db", "server_version")["result"] == "17.0"
    assert jsonrpc(live_server, "db", "db_exist", web_db.name)["result"] is True
    unknown = jsonrpc(live_server, "db", "drop", "admin", web_db.name)
    assert unknown["error"]["code"] == 404


# -- JSON-2 -------------------------------------------------------------------------------------


def json2(live_server, model, method, payload=None, key=None, **kw):
    headers = {"Authorization": f"bearer {key}"} if key else {}
    return post_json(f"{live_server.url}/json/2/{model}/{method}", payload or {}, headers, **kw)


def test_json2_returns_plain_json(live_server, web_db, demo_key):
    status, headers, body = json2(
        live_server,
        "res.users",
        "search_read",
        {"domain": [["id", "=", web_db.demo_uid]], "fields": ["login"]},
        demo_key,
    )
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body == [{"id": web_db.demo_uid, "login": "demo"}]
    status, _, body = json2(
        live_server, "res.users", "read", {"ids": [web_db.demo_uid], "fields": ["login"]}, demo_key
    )
    assert (status, body) == (200, [{"id": web_db.demo_uid, "login": "demo"}])
    status, _, ids = json2(
        live_server,
        "test_http.counter",
        "create",
        {"vals_list": [{"name": uuid.uuid4().hex}]},
        demo_key,
    )
    assert status == 200 and isinstance(ids, list) and len(ids) == 1
    status, _, context = json2(
        live_server, "res.users", "context_get", {"context": {"lang": "en_US"}}, demo_key
    )
    assert status == 200 and context["uid"] == web_db.demo_uid


def test_json2_needs_a_valid_key(live_server):
    status, headers, body = json2(live_server, "res.partner", "search", {"domain": []})
    assert status == 401 and headers["WWW-Authenticate"].lower().startswith("bearer")
    status, headers, _ = json2(live_server, "res.partner", "search", {"domain": []}, "0" * 40)
    assert status == 401 and headers["WWW-Authenticate"].lower().startswith("bearer")


def test_json2_statuses(live_server, demo_key):
    assert json2(live_server, "no.model", "search", {}, demo_key)[0] == 404
    assert json2(live_server, "res.partner", "nope", {}, demo_key)[0] == 404
    status, _, body = json2(live_server, "test_http.counter", "_secret", {"ids": []}, demo_key)
    assert status == 403 and body["name"] == "erplite.exceptions.AccessError"
    status, _, body = json2(
        live_server, "res.partner", "search", {"domain": [], "bogus": 1}, demo_key
    )
    assert status == 422 and "bogus" in body["message"]
    assert (
        json2(live_server, "res.partner", "search", {"ids": [1], "domain": []}, demo_key)[0] == 422
    )
    status, _, body = json2(live_server, "test_http.counter", "refuse", {"ids": []}, demo_key)
    assert status == 422 and body["message"] == "Counters cannot do that."
    status, _, body = json2(
        live_server, "res.users", "write", {"ids": [2], "vals": {"login": "x"}}, demo_key
    )
    assert status == 403
    assert json2(live_server, "res.partner", "search", key=demo_key, data=b"{oops")[0] == 400
    assert json2(live_server, "res.partner", "search", key=demo_key, data=b"[1]")[0] == 400


def test_json2_refuses_bodies_that_are_not_json(live_server, demo_key):
    request = urllib.request.Request(
        f"{live_server.url}/json/2/res.partner/search",
        b"domain=[]",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"bearer {demo_key}",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=30)
    assert info.value.code == 415
