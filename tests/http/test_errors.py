"""Exceptions to HTTP responses, and the framework's templates."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound, abort
from werkzeug.routing import RequestRedirect
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from erplite.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from erplite.http.errors import (
    SessionExpiredException,
    describe_exception,
    error_response,
    render_template,
    serialize_exception,
)


def make_request(path="/orders", *, accept="text/html", script_name="", query=None):
    builder = EnvironBuilder(
        path=path,
        headers={"Accept": accept},
        base_url=f"http://localhost{script_name}",
        query_string=query,
    )
    return Request(builder.get_environ())


@pytest.mark.parametrize(
    ("exc", "status", "title"),
    [
        (UserError("Confirm the order first"), 422, "User Error"),
        (ValidationError("End before start"), 422, "Validation Error"),
        (AccessError("No access"), 403, "Access Error"),
        (AccessDenied(), 403, "Access Denied"),
        (MissingError("Record deleted"), 404, "Missing Record"),
        (NotFound(), 404, "Not Found"),
        (MethodNotAllowed(["GET"]), 405, "Method Not Allowed"),
        (SessionExpiredException(), 401, "Session Expired"),
    ],
)
def test_expected_exceptions_map_to_statuses(exc, status, title):
    info = describe_exception(exc)
    assert (info.status, info.title) == (status, title)
    assert info.expected and info.error_id is None


def test_serialize_exception_has_odoos_shape():
    assert serialize_exception(AccessError("No access")) == {
        "name": "erplite.exceptions.AccessError",
        "message": "No access",
        "arguments": ["No access"],
        "context": {},
        "debug": "",
    }
    assert serialize_exception(ValueError("x"))["name"] == "builtins.ValueError"
    try:
        raise ValueError("boom")
    except ValueError as exc:
        assert "Traceback" in serialize_exception(exc, debug=True)["debug"]


def test_user_error_page_is_422_with_the_escaped_message():
    response = error_response(ValidationError("Name <b>required</b>"), make_request())
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Validation Error" in page
    assert "Name &lt;b&gt;required&lt;/b&gt;" in page


def test_json_clients_get_the_serialized_exception():
    response = error_response(AccessError("No access"), make_request(accept="application/json"))
    assert response.status_code == 403
    assert response.content_type == "application/json; charset=utf-8"
    body = json.loads(response.get_data(as_text=True))
    assert body["name"] == "erplite.exceptions.AccessError"
    assert body["message"] == "No access"


def test_missing_record_is_404():
    assert error_response(MissingError("gone"), make_request()).status_code == 404


def test_unexpected_error_is_500_with_an_id_and_no_traceback(caplog):
    try:
        raise RuntimeError("password=hunter2 in the stack")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR, logger="erplite.http.errors"):
            response = error_response(exc, make_request())
    page = response.get_data(as_text=True)
    error_id = response.headers["X-Error-Id"]
    assert response.status_code == 500
    assert re.fullmatch(r"[0-9a-f]{12}", error_id)
    assert error_id in page
    assert "hunter2" not in page and "Traceback" not in page
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info[0] is RuntimeError  # the traceback is in the log, under that id


def test_http_exceptions_keep_status_and_headers():
    response = error_response(MethodNotAllowed(["GET", "HEAD"]), make_request())
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.mimetype == "text/html"


def test_redirects_and_aborted_responses_pass_through():
    redirect = error_response(RequestRedirect("http://localhost/orders/"), make_request())
    assert redirect.status_code == 308
    assert redirect.headers["Location"] == "http://localhost/orders/"
    try:
        abort(Response("teapot", status=418))
    except Exception as exc:
        aborted = error_response(exc, make_request())
    assert (aborted.status_code, aborted.get_data(as_text=True)) == (418, "teapot")


def test_session_expired_redirects_to_login_under_the_mount_point():
    request = make_request("/orders/7", script_name="/erp", query="tab=lines")
    response = error_response(SessionExpiredException(), request)
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/erp/web/login"
    assert parse_qs(location.query) == {"redirect": ["/orders/7?tab=lines"]}


def test_session_expired_for_json_clients_is_401():
    response = error_response(SessionExpiredException(), make_request(accept="application/json"))
    assert response.status_code == 401
    body = json.loads(response.get_data(as_text=True))
    assert body["name"] == "erplite.http.errors.SessionExpiredException"


# -- templates ----------------------------------------------------------------------------------


def test_login_form_works_without_javascript():
    page = render_template(
        "login.html",
        action="/erp/web/login",
        csrf_token="abc123o1700000000",
        redirect="/orders?x=1&y=2",
        login="admin",
        error="Wrong login/password",
    )
    assert '<form method="post" action="/erp/web/login">' in page
    assert '<input type="hidden" name="csrf_token" value="abc123o1700000000">' in page
    assert '<input type="hidden" name="redirect" value="/orders?x=1&amp;y=2">' in page
    assert 'name="login" type="text" value="admin"' in page
    assert 'name="password" type="password"' in page
    assert '<p class="alert" role="alert">Wrong login/password</p>' in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']https?:""", page)  # no external assets


def test_login_form_escapes_values():
    page = render_template("login.html", csrf_token="t", redirect='"><script>x()</script>')
    assert "<script>" not in page
    assert "&#34;&gt;&lt;script&gt;" in page


def test_login_form_offers_a_database_choice_when_several():
    page = render_template("login.html", csrf_token="t", databases=["acme", "beta"], db="beta")
    assert '<select id="db" name="db" required>' in page
    assert '<option value="beta" selected>beta</option>' in page
    single = render_template("login.html", csrf_token="t", databases=["acme"], db="acme")
    assert '<input type="hidden" name="db" value="acme">' in single
    assert "<select" not in single


def test_login_form_without_error_has_no_alert():
    assert 'role="alert"' not in render_template("login.html", csrf_token="t")
