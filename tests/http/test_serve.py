"""Serving: ``erplite.http:application`` configured from ``ERPLITE_*`` variables, and a real
gunicorn with worker processes answering the external API."""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

import pytest

import erplite.http
from erplite.http.wsgi import Application, application_from_environ

ROOT = Path(__file__).resolve().parents[2]


def test_the_module_level_application_is_the_wsgi_callable():
    importlib.import_module("erplite.http.wsgi")
    importlib.import_module("erplite.http.requestlib")
    # importing the submodules must not hide the callable and the proxy behind module objects
    assert callable(erplite.http.application) and not isinstance(
        erplite.http.application, type(erplite)
    )
    assert not isinstance(erplite.http.request, type(erplite))
    assert not erplite.http.request  # falsy outside a request


def test_application_from_environ():
    app = application_from_environ(
        {"ERPLITE_DSN": "dbname=shop", "ERPLITE_ADDONS_PATH": "/a, /b", "ERPLITE_PROXY_MODE": "1"}
    )
    assert isinstance(app, Application)
    assert app.addons_paths == ("/a", "/b")
    assert app.databases.single_name == "shop"
    multi = application_from_environ(
        {
            "ERPLITE_DSN": "dbname=postgres",
            "ERPLITE_DBFILTER": "^%d$",
            "ERPLITE_SESSION_DSN": "dbname=sessions",
        }
    )
    assert multi.databases.multi and multi.session_dsn == "dbname=sessions"
    one = application_from_environ({"ERPLITE_DSN": "host=/tmp", "ERPLITE_DB_NAME": "shop"})
    assert one.databases.single_name == "shop"
    with pytest.raises(RuntimeError, match="ERPLITE_DSN"):
        application_from_environ({})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_workers_serve_the_external_api(web_db):
    port = free_port()
    env = {
        **os.environ,
        "ERPLITE_DSN": web_db.dsn,
        "ERPLITE_ADDONS_PATH": ",".join(web_db.addons_paths),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "erplite.http:application",
    ]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/web/health", timeout=5) as response:
                    assert json.loads(response.read())["status"] == "pass"
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stdout.read().decode()) from None
                time.sleep(0.2)
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        uid = common.login(web_db.name, "admin", "admin")
        assert uid == web_db.admin_uid
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
        for _ in range(4):  # spread over the workers
            rows = models.execute_kw(
                web_db.name,
                uid,
                "admin",
                "res.users",
                "search_read",
                [[["login", "=", "admin"]]],
                {"fields": ["login"]},
            )
            assert rows == [{"id": uid, "login": "admin"}]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def test_a_server_that_cannot_be_reached_fails_the_health_check_fast():
    app = Application(f"host=127.0.0.1 port={free_port()} user=nobody dbname=shop")
    from werkzeug.test import Client

    client = Client(app)
    started = time.monotonic()
    health = client.get("/web/health")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "fail",
        "db_server_status": False,
        "database": "unreachable",
    }
    assert health.headers["Retry-After"] == "1"
    page = client.get("/web")  # a route needing the database
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    assert time.monotonic() - started < 15


def test_a_missing_database_is_a_404(erplite_server):
    from werkzeug.test import Client

    from erplite.sql import dsn_with_dbname

    client = Client(Application(dsn_with_dbname(erplite_server, "erplite_no_such_db")))
    response = client.get("/web/login")
    assert response.status_code == 404
    assert "Database &#39;erplite_no_such_db&#39; not found." in response.get_data(as_text=True)
