"""Databases, applications, clients and a real server for the HTTP tests.

- ``pg_dsn``: a fresh, empty database per test module (for the building blocks: sessions,
  retrying), on the shared plugin's PostgreSQL server;
- ``web_db``: per test module, a copy of the template database with the fixture module
  ``test_http`` (and so ``web``) installed, the admin password set to ``admin`` and a plain
  internal user ``demo``/``demo``; ``app``: an ``Application`` serving it; ``client``: a
  werkzeug test client with its own cookie jar;
- ``live_server``: ``app`` served by werkzeug's threaded server on 127.0.0.1 (a real socket,
  for ``xmlrpc.client`` and plain HTTP clients).
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from psycopg import sql
from werkzeug.serving import make_server
from werkzeug.test import Client

from erplite.sql import admin_connection, close_pool, dbname_of, dsn_with_dbname
from erplite.testing import create_database, drop_database


@pytest.fixture(scope="module")
def pg_dsn(erplite_server):
    dbname = f"erplite_http_{uuid.uuid4().hex[:10]}"
    with admin_connection(erplite_server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    dsn = dsn_with_dbname(erplite_server, dbname)
    try:
        yield dsn
    finally:
        close_pool(dsn)
        with admin_connection(erplite_server) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


@dataclass
class WebDatabase:
    """A database served in the tests: its DSN, name, addons paths and a few record ids."""

    dsn: str
    name: str
    addons_paths: tuple[str, ...]
    admin_uid: int
    demo_uid: int

    def registry(self) -> Any:
        from erplite import Registry

        return Registry(self.dsn, self.addons_paths)


def make_web_database(server: str, template_dsn: str, addons_paths: tuple[str, ...]) -> WebDatabase:
    """A copy of the template with ``test_http`` installed and known passwords."""
    from erplite import SUPERUSER_ID, Registry, api

    name = f"erplite_w_{uuid.uuid4().hex[:12]}"
    dsn = create_database(server, name, template=dbname_of(template_dsn))
    registry = Registry.new(dsn, install=("test_http",), addons_paths=addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        admin.write({"password": "admin"})
        demo = env["res.users"].create({"name": "Demo User", "login": "demo", "password": "demo"})
        ids = admin.id, demo.id
    return WebDatabase(dsn, name, addons_paths, *ids)


@pytest.fixture(scope="session")
def web_template(erplite_server, erplite_template, erplite_addons_paths):
    """Made once per test session: the template of every ``web_db``."""
    database = make_web_database(erplite_server, erplite_template[0], erplite_addons_paths)
    close_pool(database.dsn)
    try:
        yield database
    finally:
        drop_database(erplite_server, database.name)


def clone_web_database(server: str, template: WebDatabase) -> WebDatabase:
    """A copy of ``template`` (a few hundred milliseconds)."""
    name = f"erplite_w_{uuid.uuid4().hex[:12]}"
    dsn = create_database(server, name, template=template.name)
    return WebDatabase(dsn, name, template.addons_paths, template.admin_uid, template.demo_uid)


@pytest.fixture(scope="module")
def web_db(erplite_server, web_template):
    database = clone_web_database(erplite_server, web_template)
    try:
        yield database
    finally:
        drop_database(erplite_server, database.name)


@pytest.fixture(scope="module")
def app(web_db):
    from erplite.http import Application

    return Application(web_db.dsn, web_db.addons_paths)


@pytest.fixture
def client(app):
    return Client(app)


class LiveServer:
    """An application served on 127.0.0.1 by werkzeug's threaded server, in a thread."""

    def __init__(self, wsgi_app: Any):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture(scope="module")
def live_server(app):
    with LiveServer(app) as server:
        yield server


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of an HTML page."""
    match = _CSRF_RE.search(page)
    assert match, "no csrf_token in the page"
    return match.group(1)


def login(client: Client, login: str, password: str, **form: str) -> Any:
    """Log in through the HTML form, as a browser does; return the POST's response."""
    page = client.get("/web/login").get_data(as_text=True)
    data = {"login": login, "password": password, "csrf_token": csrf_of(page), **form}
    return client.post("/web/login", data=data)


def rpc(client: Client, url: str, params: dict | None = None, **kw: Any) -> Any:
    """POST a JSON-RPC call; return the werkzeug response."""
    body = {"jsonrpc": "2.0", "method": "call", "id": 7, "params": params or {}}
    return client.post(url, json=body, **kw)


def session_cookie(client: Client) -> str | None:
    cookie = client.get_cookie("session_id")
    return cookie.value if cookie is not None else None
