"""Sessions through the Application: fixation, logout, idle expiry, the session token,
throttled logins, the JSON session routes."""

from __future__ import annotations

import uuid

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, api
from tests.http.conftest import csrf_of, login, rpc, session_cookie


@pytest.fixture
def user(web_db):
    """A fresh internal user (login, password) per test, in its own committed transaction."""
    registry = web_db.registry()
    login_name = f"u{uuid.uuid4().hex[:8]}"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        record = env["res.users"].create(
            {"name": login_name.upper(), "login": login_name, "password": "secret-1"}
        )
        uid = record.id
    return {"uid": uid, "login": login_name, "password": "secret-1", "registry": registry}


def write_user(user, values):
    """Change a user from 'another worker': a transaction of its own, committed."""
    with user["registry"].cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].browse(user["uid"]).write(values)


def logged_in(client) -> bool:
    return client.get("/test_http/user").status_code == 200


# -- fixation, rotation, logout -----------------------------------------------------------------


def test_login_rotates_the_session_id(client, app, user):
    client.get("/web/login")
    before = session_cookie(client)
    assert before and app.session_store.get(before) is None  # the token's sid, not stored
    login(client, user["login"], user["password"])
    after = session_cookie(client)
    assert after and after != before
    assert app.session_store.get(before) is None  # the pre-login id is gone
    stored = app.session_store.get(after)
    assert stored.uid == user["uid"] and stored.login == user["login"]


def test_a_session_id_planted_by_an_attacker_is_useless(app, user):
    attacker = Client(app)
    attacker.get("/web/login")
    planted = session_cookie(attacker)
    victim = Client(app)
    victim.set_cookie("session_id", planted)
    login(victim, user["login"], user["password"])
    assert session_cookie(victim) != planted
    assert not logged_in(attacker)  # the attacker's copy of the id logged nobody in
    assert logged_in(victim)


def test_logout_destroys_the_session(client, app, user):
    login(client, user["login"], user["password"])
    sid = session_cookie(client)
    page = client.get("/web/session/logout")  # a GET only asks to confirm
    assert page.status_code == 200 and logged_in(client)
    response = client.post(
        "/web/session/logout", data={"csrf_token": csrf_of(page.get_data(as_text=True))}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/web/login"
    assert app.session_store.get(sid) is None
    assert session_cookie(client) != sid
    assert not logged_in(client)
    replay = Client(app)
    replay.set_cookie("session_id", sid)
    assert not logged_in(replay)


def test_idle_sessions_expire(client, app, web_db, user):
    login(client, user["login"], user["password"])
    sid = session_cookie(client)
    assert logged_in(client)
    with web_db.registry().cursor() as cr:
        cr.execute(
            "UPDATE http_session SET last_seen = last_seen - interval '8 days' WHERE sid = %s",
            [sid],
        )
    assert not logged_in(client)
    assert app.session_store.get(sid) is None


def test_an_active_session_is_touched_not_rewritten(client, app, user):
    login(client, user["login"], user["password"])
    sid = session_cookie(client)
    response = client.get("/test_http/user")
    assert "Set-Cookie" not in response.headers  # unchanged, seen less than a minute ago
    assert session_cookie(client) == sid


def test_the_session_is_read_with_the_requests_first_statement(client, app, user, monkeypatch):
    """Sessions in the served database: their row comes with the signals and, once the worker
    knows the sid's user, with that user's token row and user row, in one statement."""
    from erplite.sql import count_queries

    login(client, user["login"], user["password"])
    assert logged_in(client)  # this worker now knows the user of the sid
    store_reads: list[str] = []
    get = app.session_store.get
    monkeypatch.setattr(app.session_store, "get", lambda sid: store_reads.append(sid) or get(sid))
    with count_queries() as statements:
        assert client.get("/test_http/user").get_data(as_text=True) == f"user {user['login']}"
    texts = [str(statement) for statement in statements]
    assert len(texts) == 1, texts  # the page reads nothing else
    assert all(
        name in texts[0] for name in ("erplite_registry_signal", "http_session", "res_users")
    )
    assert store_reads == []


def test_a_session_whose_user_changed_is_checked_for_its_new_user(client, app, web_db, user):
    """The user the worker remembers for a sid only picks which token row is read with the
    session: the session's own user is checked, whatever the worker remembers."""
    login(client, user["login"], user["password"])
    assert logged_in(client)
    sid = session_cookie(client)
    store = app.session_store
    session = store.get(sid)
    session.uid, session.login = web_db.admin_uid, "admin"  # the token stays the user's
    store.save(session)
    assert not logged_in(client)  # the user's token is not the administrator's: logged out
    assert store.get(sid) is None

    login(client, user["login"], user["password"])
    assert logged_in(client)
    sid = session_cookie(client)
    session = store.get(sid)
    with user["registry"].cursor() as cr:
        admin = api.Environment(cr, SUPERUSER_ID, {})["res.users"].browse(web_db.admin_uid)
        session.session_token = admin._compute_session_token(sid)
    session.uid, session.login = web_db.admin_uid, "admin"
    store.save(session)
    assert client.get("/test_http/user").get_data(as_text=True) == "user admin"


# -- the session token: credentials changes end every session -----------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"password": "secret-2"},
        {"login": "renamed"},
        {"active": False},
    ],
    ids=["password", "login", "active"],
)
def test_changing_credentials_ends_every_session(app, user, change):
    first, second = Client(app), Client(app)
    login(first, user["login"], user["password"])
    login(second, user["login"], user["password"])
    assert logged_in(first) and logged_in(second)
    if "login" in change:
        change = {"login": f"{user['login']}-renamed"}
    write_user(user, change)
    old_sid = session_cookie(first)
    assert not logged_in(first)
    assert session_cookie(first) != old_sid  # the stale session was logged out and rotated
    body = rpc(second, "/test_http/json/echo").get_json()
    assert body["error"]["code"] == 100


def test_other_changes_keep_sessions(client, user):
    login(client, user["login"], user["password"])
    write_user(user, {"name": "Someone Else"})
    assert logged_in(client)


def test_own_password_change_ends_other_sessions(app, user):
    first, second = Client(app), Client(app)
    login(first, user["login"], user["password"])
    login(second, user["login"], user["password"])
    with user["registry"].cursor() as cr:
        env = api.Environment(cr, user["uid"], {})
        env["res.users"].change_password(user["password"], "secret-3")
    assert not logged_in(second)
    assert login(Client(app), user["login"], "secret-3").status_code == 303


# -- throttling ---------------------------------------------------------------------------------


def test_repeated_failures_throttle_the_login(app, user):
    def from_address(environ, start_response):  # a client of its own address
        environ["REMOTE_ADDR"] = "198.51.100.7"
        return app(environ, start_response)

    client = Client(from_address)
    for _ in range(6):
        page = login(client, user["login"], "wrong").get_data(as_text=True)
    assert "Wrong login/password" in page or "Too many login failures" in page
    blocked = login(client, user["login"], user["password"])
    assert blocked.status_code == 200
    assert "Too many login failures" in blocked.get_data(as_text=True)
    assert not logged_in(client)
    # the JSON route says the same
    body = rpc(
        client,
        "/web/session/authenticate",
        {"db": app.databases.single_name, "login": user["login"], "password": user["password"]},
    ).get_json()
    assert body["error"]["data"]["name"] == "erplite.exceptions.AccessDenied"
    assert "Too many login failures" in body["error"]["data"]["message"]


# -- JSON session routes ------------------------------------------------------------------------


def test_session_authenticate_returns_session_info_and_a_cookie(client, web_db, user):
    response = rpc(
        client,
        "/web/session/authenticate",
        {"db": web_db.name, "login": user["login"], "password": user["password"]},
    )
    info = response.get_json()["result"]
    assert info["uid"] == user["uid"] and info["db"] == web_db.name
    assert info["username"] == user["login"]
    assert info["server_version_info"][:2] == [17, 0]
    assert info["user_context"]["lang"] == "en_US"
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert rpc(client, "/web/session/get_session_info").get_json()["result"]["uid"] == user["uid"]
    rpc(client, "/web/session/destroy")
    assert rpc(client, "/web/session/get_session_info").get_json()["error"]["code"] == 100


def test_session_authenticate_refuses_wrong_credentials_and_other_databases(client, user):
    wrong = rpc(
        client,
        "/web/session/authenticate",
        {"db": "erplite_nowhere", "login": user["login"], "password": user["password"]},
    ).get_json()
    assert wrong["error"]["data"]["message"] == "Database not found."
    assert session_cookie(client) is None


def test_stateless_routes_store_no_session(client, user):
    login(client, user["login"], user["password"])
    response = rpc(
        client,
        "/jsonrpc",
        {"service": "common", "method": "version", "args": []},
    )
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


# -- two-factor authentication ------------------------------------------------------------------


def test_two_factor_login_needs_the_code(client, app, user):
    from erplite.security.totp import current_code, new_secret
    from tests.http.conftest import csrf_of

    secret = new_secret()
    with user["registry"].cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.users"].browse(user["uid"])._set_totp_secret(secret)
    response = login(client, user["login"], user["password"], redirect="/test_http/user")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/web/login/totp?")
    assert not logged_in(client)  # the password alone logs nobody in
    half_sid = session_cookie(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    wrong_code = "000000" if current_code(secret) != "000000" else "111111"
    wrong = client.post(
        "/web/login/totp",
        data={"totp_token": wrong_code, "csrf_token": csrf_of(page), "redirect": "/test_http/user"},
    )
    assert "Verification failed" in wrong.get_data(as_text=True)
    assert not logged_in(client)
    page = wrong.get_data(as_text=True)
    right = client.post(
        "/web/login/totp",
        data={
            "totp_token": current_code(secret),
            "csrf_token": csrf_of(page),
            "redirect": "/test_http/user",
        },
    )
    assert right.status_code == 303 and right.headers["Location"] == "/test_http/user"
    assert logged_in(client)
    assert session_cookie(client) != half_sid  # rotated when the login completed
    # RPC clients of such a user need an API key: the password is refused
    body = rpc(
        client,
        "/jsonrpc",
        {
            "service": "common",
            "method": "login",
            "args": [app.databases.single_name, user["login"], user["password"]],
        },
    ).get_json()
    assert body["result"] is False


# -- the session's JSON API, as OdooRPC uses it -------------------------------------------------


def test_call_kw_runs_as_the_sessions_user(client, web_db, user):
    anonymous = rpc(
        client,
        "/web/dataset/call_kw/res.users/search_read",
        {"model": "res.users", "method": "search_read", "args": [[]]},
    ).get_json()
    assert anonymous["error"]["code"] == 100
    rpc(
        client,
        "/web/session/authenticate",
        {"db": web_db.name, "login": user["login"], "password": user["password"]},
    )
    body = rpc(
        client,
        "/web/dataset/call_kw/res.users/search_read",
        {
            "model": "res.users",
            "method": "search_read",
            "args": [[["id", "=", user["uid"]]]],
            "kwargs": {"fields": ["login"], "context": {"active_test": False}},
        },
    ).get_json()
    assert body["result"] == [{"id": user["uid"], "login": user["login"]}]
    refused = rpc(
        client,
        "/web/dataset/call_kw",
        {
            "model": "res.users",
            "method": "write",
            "args": [[web_db.admin_uid], {"login": "taken-over"}],
            "kwargs": {},
        },
    ).get_json()
    assert refused["error"]["data"]["name"] == "erplite.exceptions.AccessError"
    private = rpc(
        client,
        "/web/dataset/call_kw",
        {
            "model": "res.users",
            "method": "_is_system",
            "args": [[user["uid"]]],
            "kwargs": {},
        },
    ).get_json()
    assert "Private methods" in private["error"]["data"]["message"]
