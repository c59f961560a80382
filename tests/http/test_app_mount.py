"""The Application mounted under a prefix of another WSGI application, behind a reverse proxy,
and under HTTPS: URLs and cookies follow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client
from werkzeug.wrappers import Response

from erplite.http import Application
from tests.http.conftest import csrf_of


def host_app(environ, start_response):
    return Response("the host application")(environ, start_response)


@pytest.fixture(scope="module")
def mounted(app):
    return DispatcherMiddleware(host_app, {"/erp": app})


def test_the_host_application_keeps_its_urls(mounted):
    client = Client(mounted)
    assert client.get("/anything").get_data(as_text=True) == "the host application"


def test_login_redirect_stays_under_the_prefix(mounted):
    client = Client(mounted)
    response = client.get("/erp/test_http/user")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/erp/web/login"
    assert parse_qs(location.query) == {"redirect": ["/test_http/user"]}


def test_login_under_the_prefix(mounted):
    client = Client(mounted)
    page = client.get("/erp/web/login?redirect=/test_http/user").get_data(as_text=True)
    assert 'action="/erp/web/login"' in page
    response = client.post(
        "/erp/web/login",
        data={
            "login": "admin",
            "password": "admin",
            "csrf_token": csrf_of(page),
            "redirect": "/test_http/user",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/erp/test_http/user"
    assert "Path=/erp" in response.headers["Set-Cookie"]
    assert client.get("/erp/test_http/user").get_data(as_text=True) == "user admin"
    # the cookie is not sent outside the mount point
    assert client.get_cookie("session_id", path="/erp") is not None
    confirm = client.get("/erp/web/session/logout").get_data(as_text=True)
    assert 'action="/erp/web/session/logout"' in confirm
    logout = client.post("/erp/web/session/logout", data={"csrf_token": csrf_of(confirm)})
    assert logout.headers["Location"] == "/erp/web/login"


def test_generated_urls_and_static_files_under_the_prefix(mounted):
    client = Client(mounted)
    page = client.get("/erp/test_http/form").get_data(as_text=True)
    assert "from /erp/test_http/page" in page
    assert client.get("/erp/test_http/static/src/test.css").status_code == 200
    assert client.get("/erp/").headers["Location"] == "/erp/web"


def test_https_sets_secure_cookies(app):
    client = Client(app)
    response = client.get("/web/login", base_url="https://erp.example.com")
    assert "Secure" in response.headers["Set-Cookie"]


def test_behind_a_proxy_with_proxy_fix(web_db):
    app = Application(web_db.dsn, web_db.addons_paths, proxy_fix=True)
    client = Client(app)
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "erp.example.com",
        "X-Forwarded-Prefix": "/tenant",
        "X-Forwarded-For": "203.0.113.9",
    }
    response = client.get("/web/login", headers=headers)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "Path=/tenant" in cookie
    assert 'action="/tenant/web/login"' in response.get_data(as_text=True)
    redirect = client.get("/test_http/user", headers=headers)
    assert urlsplit(redirect.headers["Location"]).path == "/tenant/web/login"
    # without proxy_fix, the same headers are not trusted
    plain = Client(Application(web_db.dsn, web_db.addons_paths))
    assert "Secure" not in plain.get("/web/login", headers=headers).headers["Set-Cookie"]
