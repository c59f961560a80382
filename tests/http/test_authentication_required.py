"""A request without credentials is told "Authentication required", whatever its route type;
only a session that logged in and no longer counts is told "Session expired".

JSON-RPC keeps Odoo's code 100 (``Odoo Session Expired``) and exception name, which clients
look for; the message in ``data`` is the one that tells the two cases apart.
"""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

from tests.http.conftest import login, rpc


def test_json_rpc_without_credentials_says_authentication_required(client: Client) -> None:
    error = rpc(client, "/test_http/json/echo", {"a": 1}).get_json()["error"]
    assert (error["code"], error["message"]) == (100, "Odoo Session Expired")
    assert error["data"]["name"] == "erplite.http.errors.SessionExpiredException"
    assert error["data"]["message"] == "Authentication required: log in first."


def test_json2_without_credentials_says_authentication_required(client: Client) -> None:
    response = client.post("/json/2/res.partner/search", json={"domain": []})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    message = response.get_json()["message"]
    assert message.startswith('Authentication required: send "Authorization: bearer <API key>"')
    assert "expired" not in message.lower()


def test_page_without_credentials_says_authentication_required(client: Client) -> None:
    # a browser is sent to the login form; a client asking for JSON gets a 401 that says why
    page = client.get("/test_http/user")
    assert page.status_code == 303 and "/web/login" in page.headers["Location"]
    answer = client.get("/test_http/user", headers={"Accept": "application/json"})
    assert answer.status_code == 401
    assert answer.get_json()["message"] == "Authentication required: log in first."


def test_a_session_that_no_longer_counts_says_session_expired(app: Any, web_db: Any) -> None:
    from erplite import SUPERUSER_ID, api

    browser = Client(app)
    assert login(browser, "demo", "demo").status_code == 303
    assert rpc(browser, "/test_http/json/echo", {"a": 1}).get_json().get("result")
    with web_db.registry().cursor() as cr:  # a new password ends the user's sessions
        api.Environment(cr, SUPERUSER_ID, {})["res.users"].browse(web_db.demo_uid).password = "demo"
    error = rpc(browser, "/test_http/json/echo", {"a": 1}).get_json()["error"]
    assert error["code"] == 100
    assert error["data"]["message"] == "Session expired: log in again."
