"""Issue 10, finding 6: sessions, CSRF and headers through every API that reaches them.

- anonymous visits of the login page store no session, and the login still works;
- JSON-2 calls made with the session cookie need the ``X-CSRF-Token`` header to write;
- ``res.users.authenticate`` cannot be called remotely;
- disabling two-factor authentication and changing the password ask for the password again,
  and ``change_password`` leaves the caller with a new, valid session;
- pages cannot be framed by other sites, nothing is sniffed;
- a GET of ``/web/session/logout`` without a token only asks to confirm.

(The REST routes are tested in ``tests/modules/orders/test_rest_security.py``.)
"""

from __future__ import annotations

import uuid
import xmlrpc.client

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, api
from erplite.security import totp
from erplite.security.throttle import TABLE_NAME
from erplite.sql import SQL
from tests.http.conftest import csrf_of, login, rpc, session_cookie


@pytest.fixture
def user(web_db):
    """A fresh internal user with an API key, committed; its throttle counters are removed
    afterwards."""
    registry = web_db.registry()
    name = f"w{uuid.uuid4().hex[:8]}"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        record = env["res.users"].create({"name": name, "login": name, "password": "pw-1"})
        uid = record.id
    with registry.cursor() as cr:
        key = api.Environment(cr, uid, {})["res.users.apikeys"]._generate("rpc", "tests")
    yield {"uid": uid, "login": name, "password": "pw-1", "key": key, "registry": registry}
    with registry.cursor() as cr:
        cr.execute(
            SQL("DELETE FROM %s WHERE key = %s", SQL.identifier(TABLE_NAME), f"login:{name}")
        )


def session_rows(app) -> int:
    store = app.session_store
    store.ensure_table()
    with store.pool.connection() as conn:
        return conn.execute("SELECT count(*) FROM http_session").fetchone()[0]


def logged_in(client) -> bool:
    return client.get("/test_http/user").status_code == 200


def call_kw(client, model, method, args, kwargs=None):
    return rpc(
        client,
        f"/web/dataset/call_kw/{model}/{method}",
        {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
    )


def session_info(client) -> dict:
    return rpc(client, "/web/session/get_session_info").get_json()["result"]


# -- the login page stores no session -----------------------------------------------------------


def test_anonymous_visits_store_no_session_and_the_login_works(app, web_db, user):
    before = session_rows(app)
    browser = Client(app)
    first = browser.get("/web/login")
    sid = session_cookie(browser)
    assert first.status_code == 200 and sid  # the form's token is bound to this sid
    for _ in range(3):
        browser.get("/web/login")
    Client(app).get("/web/login")  # another visitor
    Client(app).get("/web/login?redirect=/web")
    assert session_rows(app) == before
    assert session_cookie(browser) == sid
    # the token of the first page still works: the login happens, under a new sid
    response = browser.post(
        "/web/login",
        data={
            "login": user["login"],
            "password": user["password"],
            "csrf_token": csrf_of(first.get_data(as_text=True)),
        },
    )
    assert response.status_code == 303
    assert session_cookie(browser) != sid and logged_in(browser)
    assert session_rows(app) == before + 1


def test_a_wrong_password_stores_no_session(app, web_db, user):
    before = session_rows(app)
    browser = Client(app)
    page = login(browser, user["login"], "wrong")
    assert "Wrong login/password" in page.get_data(as_text=True)
    assert session_rows(app) == before


def test_a_forged_token_or_another_sessions_token_is_refused(app, user):
    victim, attacker = Client(app), Client(app)
    victim.get("/web/login")
    token = csrf_of(attacker.get("/web/login").get_data(as_text=True))
    response = victim.post(
        "/web/login",
        data={"login": user["login"], "password": user["password"], "csrf_token": token},
    )
    assert response.status_code == 400 and not logged_in(victim)


def test_logout_stores_no_empty_session(app, web_db, user):
    browser = Client(app)
    login(browser, user["login"], user["password"])
    before = session_rows(app)
    token = csrf_of(browser.get("/web/session/logout").get_data(as_text=True))
    browser.post("/web/session/logout", data={"csrf_token": token})
    assert session_rows(app) == before - 1


# -- logout needs a confirmation or a token -----------------------------------------------------


def test_logout_by_a_cross_site_get_only_asks_to_confirm(app, user):
    browser = Client(app)
    login(browser, user["login"], user["password"])
    sid = session_cookie(browser)
    page = browser.get("/web/session/logout?redirect=/test_http/none")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'method="post"' in text
    assert 'action="/web/session/logout"' in text and 'value="/test_http/none"' in text
    assert logged_in(browser) and session_cookie(browser) == sid
    # a POST without the token is refused (another site's form)
    assert browser.post("/web/session/logout").status_code == 400
    assert logged_in(browser)
    # the confirmation's button
    done = browser.post(
        "/web/session/logout", data={"csrf_token": csrf_of(text), "redirect": "/test_http/none"}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/test_http/none"
    assert not logged_in(browser)


def test_logout_by_a_get_with_the_sessions_token(app, user):
    browser = Client(app)
    login(browser, user["login"], user["password"])
    token = session_info(browser)["csrf_token"]
    response = browser.get(f"/web/session/logout?csrf_token={token}")
    assert response.status_code == 303 and not logged_in(browser)


def test_logout_of_nobody_needs_no_confirmation(client):
    response = client.get("/web/session/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/web/login"


# -- JSON-2 with the session cookie -------------------------------------------------------------


def test_json2_writes_with_the_session_cookie_need_the_csrf_header(app, web_db, user):
    browser = Client(app)
    login(browser, user["login"], user["password"])
    url = "/json/2/res.partner/create"
    body = {"vals_list": [{"name": "Forged"}]}
    refused = browser.post(url, json=body)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.get_json()["message"]
    wrong = browser.post(url, json=body, headers={"X-CSRF-Token": "deadbeefo9999999999"})
    assert wrong.status_code == 403
    with web_db.registry().cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE name = 'Forged'")
        assert cr.fetchone()[0] == 0  # nothing written
    token = session_info(browser)["csrf_token"]
    accepted = browser.post(
        url, json={"vals_list": [{"name": "Wanted"}]}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert isinstance(accepted.get_json()[0], int)


def test_json2_with_an_api_key_needs_no_csrf_header(client, user):
    response = client.post(
        "/json/2/res.partner/create",
        json={"vals_list": [{"name": "By key"}]},
        headers={"Authorization": f"bearer {user['key']}"},
    )
    assert response.status_code == 200


# -- res.users.authenticate is the server's only ------------------------------------------------


@pytest.mark.parametrize("client_address", ["203.0.113.9", None])
def test_authenticate_cannot_be_called_remotely(client, web_db, user, client_address):
    args = [web_db.name, user["login"], user["password"], {"REMOTE_ADDR": client_address}]
    # JSON-RPC
    body = rpc(
        client,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [web_db.name, user["uid"], user["key"], "res.users", "authenticate", args],
        },
    ).get_json()
    assert body["error"]["data"]["name"] == "erplite.exceptions.AccessError", body
    # XML-RPC
    request = xmlrpc.client.dumps(
        (web_db.name, user["uid"], user["key"], "res.users", "authenticate", args),
        "execute_kw",
        allow_none=True,
    )
    response = client.post("/xmlrpc/2/object", data=request, content_type="text/xml")
    with pytest.raises(xmlrpc.client.Fault, match="cannot be called remotely"):
        xmlrpc.client.loads(response.get_data())
    # JSON-2
    response = client.post(
        "/json/2/res.users/authenticate",
        json={"db": web_db.name, "login": user["login"], "password": user["password"]},
        headers={"Authorization": f"bearer {user['key']}"},
    )
    assert response.status_code == 403
    # the session's call_kw
    browser = Client(client.application)
    login(browser, user["login"], user["password"])
    body = call_kw(browser, "res.users", "authenticate", args).get_json()
    assert body["error"]["data"]["name"] == "erplite.exceptions.AccessError"


# -- the password again, and the caller's session after a change --------------------------------


def test_change_password_gives_the_caller_a_new_valid_session(app, web_db, user):
    browser, other = Client(app), Client(app)
    login(browser, user["login"], user["password"])
    login(other, user["login"], user["password"])
    old_sid = session_cookie(browser)
    wrong = call_kw(browser, "res.users", "change_password", ["not it", "pw-2"]).get_json()
    assert wrong["error"]["data"]["name"] == "erplite.exceptions.AccessDenied"
    response = call_kw(browser, "res.users", "change_password", [user["password"], "pw-2"])
    assert response.get_json()["result"] is True
    new_sid = session_cookie(browser)
    assert new_sid and new_sid != old_sid
    assert app.session_store.get(old_sid) is None
    assert logged_in(browser) and session_info(browser)["uid"] == user["uid"]
    assert not logged_in(other)  # every other session of the user ended
    assert login(Client(app), user["login"], "pw-2").status_code == 303


@pytest.mark.parametrize("api_name", ["jsonrpc", "xmlrpc"])
def test_change_password_over_rpc_needs_the_old_one(client, web_db, user, api_name):
    def execute_kw(*call):
        args = (web_db.name, user["uid"], user["key"], "res.users", *call)
        if api_name == "jsonrpc":
            body = rpc(
                client, "/jsonrpc", {"service": "object", "method": "execute_kw", "args": args}
            ).get_json()
            if "error" in body:
                raise RuntimeError(body["error"]["data"]["name"])
            return body["result"]
        response = client.post(
            "/xmlrpc/2/object",
            data=xmlrpc.client.dumps(args, "execute_kw", allow_none=True),
            content_type="text/xml",
        )
        try:
            return xmlrpc.client.loads(response.get_data())[0][0]
        except xmlrpc.client.Fault as fault:
            raise RuntimeError(fault.faultString) from None

    with pytest.raises(RuntimeError, match="AccessDenied|Access Denied"):
        execute_kw("change_password", ["wrong", "pw-3"])
    assert execute_kw("change_password", [user["password"], "pw-3"]) is True
    assert login(Client(client.application), user["login"], "pw-3").status_code == 303


def test_change_password_over_json2_needs_the_old_one(client, user):
    bearer = {"Authorization": f"bearer {user['key']}"}
    url = "/json/2/res.users/change_password"
    wrong = client.post(url, json={"old_passwd": "wrong", "new_passwd": "pw-4"}, headers=bearer)
    assert wrong.status_code == 403
    right = client.post(
        url, json={"old_passwd": user["password"], "new_passwd": "pw-4"}, headers=bearer
    )
    assert right.status_code == 200 and right.get_json() is True
    assert login(Client(client.application), user["login"], "pw-4").status_code == 303


def test_disabling_two_factor_needs_the_password_through_every_api(app, web_db, user):
    secret = totp.new_secret()
    with user["registry"].cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].browse(user["uid"])._set_totp_secret(secret)

    def enabled() -> bool:
        with user["registry"].cursor() as cr:
            cr.execute("SELECT totp_secret IS NOT NULL FROM res_users WHERE id = %s", [user["uid"]])
            return cr.fetchone()[0]

    client = Client(app)
    bearer = {"Authorization": f"bearer {user['key']}"}
    # JSON-2 without, then with a wrong password
    for body in ({"ids": [user["uid"]]}, {"ids": [user["uid"]], "password": "wrong"}):
        response = client.post("/json/2/res.users/action_totp_disable", json=body, headers=bearer)
        assert response.status_code == 403 and enabled()
    # JSON-RPC execute_kw without the password
    body = rpc(
        client,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [web_db.name, user["uid"], user["key"], "res.users", "action_totp_disable",
                     [[user["uid"]]]],
        },
    ).get_json()  # fmt: skip
    assert body["error"]["data"]["name"] == "erplite.exceptions.AccessDenied" and enabled()
    # XML-RPC with the password
    request = xmlrpc.client.dumps(
        (web_db.name, user["uid"], user["key"], "res.users", "action_totp_disable",
         [[user["uid"]], user["password"]]),
        "execute_kw",
        allow_none=True,
    )  # fmt: skip
    response = client.post("/xmlrpc/2/object", data=request, content_type="text/xml")
    assert xmlrpc.client.loads(response.get_data())[0][0] is True
    assert not enabled()


# -- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/web/login", "/test_http/page", "/test_http/nowhere", "/web/session/logout"]
)
def test_pages_cannot_be_framed_by_other_sites(client, url):
    response = client.get(url)
    if response.status_code == 303:
        response = client.get(response.headers["Location"])
    assert response.mimetype == "text/html"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_response_says_nosniff(client, user):
    responses = [
        rpc(client, "/jsonrpc", {"service": "common", "method": "version", "args": []}),
        client.post("/xmlrpc/2/common", data=xmlrpc.client.dumps((), "version"),
                    content_type="text/xml"),
        client.post("/json/2/res.partner/search", json={"domain": []},
                    headers={"Authorization": f"bearer {user['key']}"}),
        client.post("/json/2/res.partner/search", json={}),  # 401
        client.get("/web/static/src/css/web.css"),
    ]  # fmt: skip
    for response in responses:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response
        assert "X-Frame-Options" not in response.headers  # not a page


def test_a_cross_site_form_cannot_reach_the_sessions_json_rpc(app, web_db, user):
    """The JSON-RPC session routes need no token (as in Odoo): they take only a JSON body, which
    another site's form cannot send (its enctype text/plain is refused) and its scripts cannot
    send without a CORS preflight."""
    browser = Client(app)
    login(browser, user["login"], user["password"])
    body = (
        '{"jsonrpc": "2.0", "method": "call", "params": {"model": "res.partner", '
        '"method": "create", "args": [{"name": "Form forged"}], "kwargs": {}}}'
    )
    response = browser.post(
        "/web/dataset/call_kw/res.partner/create", data=body, content_type="text/plain"
    )
    assert response.status_code == 400
    with web_db.registry().cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE name = 'Form forged'")
        assert cr.fetchone()[0] == 0
