"""The Application with Werkzeug's test client: pages, statuses, CSRF, static files."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from tests.http.conftest import csrf_of, login, rpc, session_cookie

# -- health, version, database list -------------------------------------------------------------


def test_health_checks_the_database_and_answers_json(client):
    response = client.get("/web/health")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"status": "pass", "db_server_status": True, "database": "ok"}
    assert session_cookie(client) is None  # a probe stores no session


def test_version_routes_report_odoo_17(client):
    version = client.get("/web/version").get_json()
    assert version["version_info"] == [17, 0, 0, "final", 0, ""]
    assert version["version"] == "17.0"
    info = rpc(client, "/web/webclient/version_info").get_json()["result"]
    assert info["server_serie"] == "17.0" and info["protocol_version"] == 1
    assert "erplite_version" in info


def test_database_list_is_the_served_database(client, web_db):
    assert rpc(client, "/web/database/list").get_json()["result"] == [web_db.name]


# -- the login page -----------------------------------------------------------------------------


def test_login_page_is_a_plain_form_with_a_csrf_token(client):
    response = client.get("/web/login?redirect=/web")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="post" action="/web/login">' in page
    assert "<script" not in page  # works without JavaScript
    assert csrf_of(page)
    assert 'name="redirect" value="/web"' in page
    # the token is bound to the session, which is stored for it
    assert session_cookie(client)


def test_login_redirects_and_sets_a_safe_cookie(client):
    response = login(client, "admin", "admin", redirect="/test_http/user")
    assert response.status_code == 303
    assert response.headers["Location"] == "/test_http/user"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    assert client.get("/test_http/user").get_data(as_text=True) == "user admin"


def test_login_never_redirects_to_another_site(client):
    response = login(client, "admin", "admin", redirect="//evil.example.com/x")
    assert response.headers["Location"] == "/web"


def test_wrong_password_shows_the_form_again_with_one_message(client):
    response = login(client, "admin", "nope")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong login/password" in page
    assert 'value="admin"' in page  # the login is kept
    unknown = login(client, "nobody", "nope").get_data(as_text=True)
    assert "Wrong login/password" in unknown  # same message: logins are not revealed


def test_user_route_redirects_to_login_with_the_way_back(client):
    response = client.get("/test_http/user?x=1")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/web/login"
    assert parse_qs(location.query) == {"redirect": ["/test_http/user?x=1"]}


def test_web_landing_page_after_login(client):
    login(client, "demo", "demo")
    page = client.get("/web").get_data(as_text=True)
    assert "Demo User" in page and "(demo)" in page
    assert 'href="/web/static/src/css/web.css"' in page


def test_root_redirects_to_web(client):
    response = client.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/web"


# -- auth methods -------------------------------------------------------------------------------


def test_public_route_uses_the_public_user_then_the_logged_in_one(client, web_db):
    anonymous = client.get("/test_http/whoami").get_json()
    assert anonymous["login"] == "public" or anonymous["uid"] not in (
        web_db.admin_uid,
        web_db.demo_uid,
    )
    assert anonymous["db"] == web_db.name
    login(client, "demo", "demo")
    assert client.get("/test_http/whoami").get_json()["uid"] == web_db.demo_uid


def test_none_route_has_no_user(client):
    assert client.get("/test_http/none").get_data(as_text=True) == "none None"


def test_json_route_without_session_answers_session_expired(client):
    body = rpc(client, "/test_http/json/echo", {"a": 1}).get_json()
    assert body["error"]["code"] == 100
    assert body["error"]["message"] == "Odoo Session Expired"
    assert body["id"] == 7


def test_json_route_merges_the_context_and_encodes_dates(client, web_db):
    login(client, "admin", "admin")
    body = rpc(client, "/test_http/json/echo", {"a": 1, "context": {"marker": "m"}}).get_json()
    result = body["result"]
    assert result["params"] == {"a": 1}
    assert result["marker"] == "m" and result["context_lang"] == "en_US"
    assert result["uid"] == web_db.admin_uid
    assert (result["today"], result["now"]) == ("2024-05-01", "2024-05-01 12:30:00")


# -- statuses -----------------------------------------------------------------------------------


def test_unknown_url_is_404_and_wrong_method_405(client):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    wrong = client.put("/test_http/whoami")
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_json_route_refuses_other_content_types_with_400(client):
    response = client.post("/web/webclient/version_info", data="x", content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == -32600


def test_form_data_posted_to_a_json_route_is_400(client):
    """As Odoo 17: a request whose type does not match the route's (form data posted to a
    ``type='json'`` route) is a 400, answered in the JSON-RPC envelope naming what was sent."""
    response = client.post("/web/webclient/version_info", data={"a": "1"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "application/x-www-form-urlencoded" in error["message"]
    assert error["data"]["name"].endswith("UnsupportedJsonRpcMediaType")


def test_json_route_refuses_malformed_json_with_400(client):
    response = client.post(
        "/web/webclient/version_info", data="{oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Invalid JSON data"


def test_converters_and_parameters(client):
    response = client.get("/test_http/echo/42?color=red")
    assert response.get_json() == {"number": 42, "params": {"color": "red"}}
    assert client.get("/test_http/echo/forty-two").status_code == 404


def test_future_response_headers_are_added(client):
    assert client.get("/test_http/future").headers["X-Future"] == "yes"


def test_cors_route_answers_the_preflight(client):
    preflight = client.options("/test_http/cors")
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    response = rpc(client, "/test_http/cors")
    assert response.get_json()["result"] == "cors"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- CSRF ---------------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused_with_a_clear_400(client):
    response = client.post("/test_http/echo/1", data={"a": "b"})
    assert response.status_code == 400
    assert "invalid CSRF token" in response.get_data(as_text=True)


def test_post_with_a_token_of_another_session_is_refused(client, app):
    from werkzeug.test import Client

    other = Client(app)
    token = csrf_of(other.get("/web/login").get_data(as_text=True))
    client.get("/web/login")
    response = client.post("/test_http/echo/1", data={"csrf_token": token})
    assert response.status_code == 400


def test_post_with_the_sessions_token_passes_and_the_token_is_not_a_parameter(client):
    token = csrf_of(client.get("/web/login").get_data(as_text=True))
    response = client.post("/test_http/echo/5", data={"csrf_token": token, "a": "b"})
    assert response.status_code == 200
    assert response.get_json() == {"number": 5, "params": {"a": "b"}}


def test_csrf_false_route_needs_no_token(client):
    response = client.post("/test_http/nocsrf")
    assert response.status_code == 200 and response.get_data(as_text=True) == "posted without token"


def test_login_form_itself_is_csrf_protected(client):
    client.get("/web/login")
    response = client.post("/web/login", data={"login": "admin", "password": "admin"})
    assert response.status_code == 400
    assert session_cookie(client) is not None
    assert client.get("/test_http/user").status_code == 303  # not logged in


# -- templates ----------------------------------------------------------------------------------


def test_module_templates_render_escaped(client):
    page = client.get("/test_http/form").get_data(as_text=True)
    assert '<p id="hello">Hello &lt;world&gt; from /test_http/page</p>' in page


# -- static files -------------------------------------------------------------------------------


def test_static_file_of_an_installed_module_with_cache_headers(client):
    response = client.get("/test_http/static/src/test.css")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "body { color: black; }\n"
    assert response.mimetype == "text/css"
    assert response.cache_control.public and response.cache_control.max_age == 604800
    etag = response.headers["ETag"]
    again = client.get("/test_http/static/src/test.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    versioned = client.get("/test_http/static/src/test.css?unique=abc")
    assert versioned.cache_control.max_age == 31536000 and versioned.cache_control.immutable


def test_static_files_never_leave_the_static_folder(client):
    assert client.get("/test_http/static/../__manifest__.py").status_code == 404
    assert client.get("/test_http/static/%2e%2e/__manifest__.py").status_code == 404
    assert client.get("/test_http/static/src/missing.css").status_code == 404


def test_static_files_of_modules_not_installed_are_not_served(client):
    # test_orm's folder exists in the addons path, but it has no static folder; a module
    # that is not installed (test_security has none either) answers 404 like a missing file
    assert client.get("/nosuchmodule/static/x.css").status_code == 404
    assert client.get("/web/static/description/icon.svg").status_code == 200


def test_json_error_statuses_are_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert json.loads(response.get_data())["name"] == "werkzeug.exceptions.NotFound"
