"""Html fields are sanitised whatever API writes them: JSON-RPC, XML-RPC, JSON-2 and the
session's ``call_kw`` (the REST API is covered in ``tests/modules/orders``)."""

from __future__ import annotations

import xmlrpc.client

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, api
from tests.http.conftest import login, rpc

PAYLOAD = (
    '<p onclick="steal()">Note<script>alert(document.cookie)</script></p>'
    '<img src="x.png" onerror="alert(1)"><a href="javascript:alert(1)">link</a>'
    '<p style="color: red; width: expression(alert(1))">styled</p>'
)
CLEAN = '<p>Note</p><img src="x.png"><a>link</a><p style="color: red">styled</p>'


@pytest.fixture(scope="module")
def demo_key(web_db):
    with web_db.registry().cursor() as cr:
        env = api.Environment(cr, web_db.demo_uid, {})
        return env["res.users.apikeys"]._generate("rpc", "html tests")


def stored_comment(web_db, partner_id):
    with web_db.registry().cursor() as cr:
        cr.execute("SELECT comment FROM res_partner WHERE id = %s", [partner_id])
        return cr.fetchone()[0]


def new_partner(web_db):
    with web_db.registry().cursor() as cr:
        return api.Environment(cr, SUPERUSER_ID, {})["res.partner"].create({"name": "Html"}).id


def execute_kw_jsonrpc(client, web_db, *args):
    body = rpc(
        client,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [web_db.name, web_db.demo_uid, "demo", *args],
        },
    ).get_json()
    assert "error" not in body, body
    return body["result"]


def execute_kw_xmlrpc(client, web_db, *args):
    request = xmlrpc.client.dumps(
        (web_db.name, web_db.demo_uid, "demo", *args), "execute_kw", allow_none=True
    )
    response = client.post("/xmlrpc/2/object", data=request, content_type="text/xml")
    (result,), _method = xmlrpc.client.loads(response.get_data())
    return result


@pytest.mark.parametrize("api_name", ["jsonrpc", "xmlrpc"])
def test_create_and_write_through_execute_kw(client, web_db, api_name):
    call = execute_kw_jsonrpc if api_name == "jsonrpc" else execute_kw_xmlrpc
    partner_id = call(client, web_db, "res.partner", "create", [{"name": "P", "comment": PAYLOAD}])
    assert stored_comment(web_db, partner_id) == CLEAN
    call(client, web_db, "res.partner", "write", [[partner_id], {"comment": PAYLOAD + "<b>2</b>"}])
    assert stored_comment(web_db, partner_id) == CLEAN + "<b>2</b>"


def test_create_and_write_through_json2(client, web_db, demo_key):
    headers = {"Authorization": f"bearer {demo_key}"}
    response = client.post(
        "/json/2/res.partner/create",
        json={"vals_list": [{"name": "P", "comment": PAYLOAD}]},
        headers=headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    [partner_id] = response.get_json()
    assert stored_comment(web_db, partner_id) == CLEAN
    response = client.post(
        "/json/2/res.partner/write",
        json={"ids": [partner_id], "vals": {"comment": "<b onmouseover=alert(1)>b</b>"}},
        headers=headers,
    )
    assert response.status_code == 200
    assert stored_comment(web_db, partner_id) == "<b>b</b>"


def test_write_through_the_sessions_call_kw(app, web_db):
    browser = Client(app)
    login(browser, "demo", "demo")
    partner_id = new_partner(web_db)
    body = rpc(
        browser,
        "/web/dataset/call_kw/res.partner/write",
        {"model": "res.partner", "method": "write", "args": [[partner_id], {"comment": PAYLOAD}],
         "kwargs": {}},
    ).get_json()  # fmt: skip
    assert body.get("result") is True, body
    assert stored_comment(web_db, partner_id) == CLEAN
