"""Request size limits (issue 10, finding 4): a body over the limit is a 413 before it is read,
a route may declare a larger limit, JSON and XML-RPC nesting is bounded, ``/web/health`` keeps
answering."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import xmlrpc.client

import pytest
from werkzeug.test import Client

from erplite.cli import config as cli_config
from erplite.http import limits
from erplite.http.wsgi import application_from_environ
from tests.http.conftest import LiveServer

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def small_app(web_db):
    """An application accepting bodies of 64 KiB at most and JSON 16 levels deep."""
    from erplite.http import Application

    return Application(web_db.dsn, web_db.addons_paths, max_content_length=LIMIT, max_json_depth=16)


@pytest.fixture(scope="module")
def small_server(small_app):
    with LiveServer(small_app) as server:
        yield server


def rpc_body(size: int = 0) -> bytes:
    params = {"service": "common", "method": "version", "args": []}
    envelope = {"jsonrpc": "2.0", "id": 5, "method": "call", "params": params, "pad": "x" * size}
    return json.dumps(envelope).encode()


def raw_request(server: LiveServer, head: str, body: bytes = b"") -> tuple[int, bytes, float]:
    """Send ``head`` (request line and headers) and ``body`` on a socket; the status, the
    response and how long the answer took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        response = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    status = int(response.split(b" ", 2)[1])
    return status, response, time.monotonic() - started


# -- Content-Length -----------------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(small_server):
    # 50 MB announced, 10 bytes sent: the answer comes without waiting for the rest
    head = (
        "POST /jsonrpc HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\nConnection: close\r\n"
    )
    status, response, elapsed = raw_request(small_server, head, b'{"jsonrpc"')
    assert status == 413
    assert elapsed < 10
    body = json.loads(response.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["code"] == -32600
    assert f"limit of {LIMIT} bytes" in body["error"]["message"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/jsonrpc", "application/json"),
        ("/json/2/res.partner/search", "application/json"),
        ("/xmlrpc/2/common", "text/xml"),
        ("/web/login", "application/x-www-form-urlencoded"),
    ],
)
def test_every_kind_of_route_answers_413(small_app, path, content_type):
    client = Client(small_app)
    response = client.post(path, data=b"x" * (LIMIT + 1), content_type=content_type)
    assert response.status_code == 413


def test_a_body_within_the_limit_is_served(small_app):
    client = Client(small_app)
    response = client.post("/jsonrpc", data=rpc_body(LIMIT // 2), content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["result"]["server_serie"] == "17.0"


def test_a_chunked_body_is_cut_at_the_limit(small_server):
    connection = http.client.HTTPConnection("127.0.0.1", small_server.port, timeout=20)
    try:
        chunks = (b"x" * 8192 for _ in range(64))  # 512 KiB without Content-Length
        connection.request(
            "POST",
            "/jsonrpc",
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["code"] == -32600
    finally:
        connection.close()


def test_a_route_may_declare_a_larger_limit(small_app):
    client = Client(small_app)
    data = b"y" * (LIMIT * 4)
    response = client.post("/test_http/large_upload", data=data, content_type="text/plain")
    assert response.status_code == 200 and response.get_json() == {"size": LIMIT * 4}
    response = client.post(
        "/test_http/large_upload", data=b"y" * (1024 * 1024 + 1), content_type="text/plain"
    )
    assert response.status_code == 413


def test_health_answers_while_large_bodies_are_refused(small_server):
    head = (
        "POST /json/2/res.partner/search HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\nConnection: close\r\n"
    )
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(raw_request(small_server, head)[0]))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    status, response, _elapsed = raw_request(
        small_server, "GET /web/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    )
    for thread in threads:
        thread.join(30)
    assert status == 200 and b'"status": "pass"' in response.replace(b'":"', b'": "')
    assert statuses == [413] * 8


# -- nesting ------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_rpc_nested_too_deep_is_a_400(small_app):
    client = Client(small_app)
    for depth in (17, 1000, 30_000):
        data = '{"jsonrpc": "2.0", "id": 1, "params": {"args": ' + nested(depth) + "}}"
        response = client.post("/jsonrpc", data=data, content_type="application/json")
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert "deeper than 16 levels" in error["message"]


def test_json2_nested_too_deep_is_a_400(small_app):
    client = Client(small_app)
    for depth in (17, 1000):
        data = '{"domain": ' + nested(depth) + "}"
        response = client.post(
            "/json/2/res.partner/search", data=data, content_type="application/json"
        )
        assert response.status_code == 400
        assert "deeper than 16 levels" in response.get_json()["message"]


def test_rest_body_nested_too_deep_is_a_400(small_app):
    client = Client(small_app)
    data = '{"partner_id": ' + nested(1000) + "}"
    response = client.post("/api/orders", data=data, content_type="application/json")
    assert response.status_code == 400
    assert "deeper than 16 levels" in response.get_json()["message"]


def test_nesting_within_the_limit_is_served(small_app, web_db):
    client = Client(small_app)
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [web_db.name, web_db.admin_uid, "admin", "res.partner", "search",
                     [["|", ["id", "in", [1]], ["id", "=", 1]]]],
        },
    }  # fmt: skip
    response = client.post("/jsonrpc", json=body)
    assert response.get_json()["result"] == [1]


def test_xmlrpc_nested_too_deep_is_a_fault(small_app):
    value: list = []
    for _ in range(40):
        value = [value]
    data = xmlrpc.client.dumps((value,), "version")
    response = Client(small_app).post("/xmlrpc/2/common", data=data, content_type="text/xml")
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(response.get_data())
    assert "deeper than 16 levels" in info.value.faultString


def test_loads_json_without_recursion():
    assert limits.loads_json(b'{"a": [[1]]}', max_depth=3) == {"a": [[1]]}
    with pytest.raises(limits.TooDeeplyNested):
        limits.loads_json(b'{"a": [[[1]]]}', max_depth=3)
    with pytest.raises(limits.TooDeeplyNested):
        limits.loads_json(nested(200_000), max_depth=64)
    assert not limits.depth_exceeds({"a": [{"b": 1}]}, 3)
    assert limits.depth_exceeds({"a": [{"b": []}]}, 3)
    assert not limits.depth_exceeds("text", 1) and not limits.depth_exceeds(5, 1)
    # XML-RPC's parameters are a tuple of values
    assert limits.depth_exceeds(([[1]],), 2) and not limits.depth_exceeds(([[1]],), 3)


# -- configuration ------------------------------------------------------------------------------


def test_limits_are_configured_by_erplite_variables():
    config = cli_config.load_config(
        environ={"ERPLITE_MAX_CONTENT_LENGTH": "1048576", "ERPLITE_MAX_JSON_DEPTH": "20"}
    )
    assert (config.max_content_length, config.max_json_depth) == (1048576, 20)
    # the command's defaults are the HTTP layer's (repeated there, not imported)
    assert cli_config.DEFAULT_MAX_CONTENT_LENGTH == limits.DEFAULT_MAX_CONTENT_LENGTH
    assert cli_config.DEFAULT_MAX_JSON_DEPTH == limits.DEFAULT_MAX_JSON_DEPTH
    defaults = cli_config.load_config(environ={})
    assert defaults.max_content_length == limits.DEFAULT_MAX_CONTENT_LENGTH
    assert defaults.max_json_depth == limits.DEFAULT_MAX_JSON_DEPTH
    with pytest.raises(cli_config.ConfigError, match="ERPLITE_MAX_CONTENT_LENGTH"):
        cli_config.load_config(environ={"ERPLITE_MAX_CONTENT_LENGTH": "lots"})
    app = application_from_environ(
        {
            "ERPLITE_DSN": "dbname=x",
            "ERPLITE_MAX_CONTENT_LENGTH": "2048",
            "ERPLITE_MAX_JSON_DEPTH": "8",
        }
    )
    assert (app.max_content_length, app.max_json_depth) == (2048, 8)
    with pytest.raises(RuntimeError, match="ERPLITE_MAX_JSON_DEPTH"):
        application_from_environ({"ERPLITE_DSN": "dbname=x", "ERPLITE_MAX_JSON_DEPTH": "0"})
