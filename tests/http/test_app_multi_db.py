"""One Application, several databases: chosen by host name (dbfilter), by the
``X-Erplite-Database`` header, by the session, or by an RPC call's ``db``; registries loaded
lazily in a bounded LRU, reloaded when another process changes the modules."""

from __future__ import annotations

import uuid

import pytest
from werkzeug.test import Client

from erplite import Registry
from erplite.http import Application
from erplite.testing import drop_database
from tests.http.conftest import clone_web_database, login, rpc, session_cookie


@pytest.fixture(scope="module")
def two_dbs(erplite_server, web_template):
    a = clone_web_database(erplite_server, web_template)
    b = clone_web_database(erplite_server, web_template)
    try:
        yield a, b
    finally:
        for database in (a, b):
            drop_database(erplite_server, database.name)


@pytest.fixture(scope="module")
def by_host(erplite_server, two_dbs, pg_dsn, erplite_addons_paths):
    """Served by host name: <x>.example.com is database erplite_w_<x> (host names have no
    underscores)."""
    return Application(
        erplite_server, erplite_addons_paths, dbfilter=r"^erplite_w_%d$", session_dsn=pg_dsn
    )


class HostClient(Client):
    """A test client whose requests go to one host name."""

    def __init__(self, app, host: str):
        super().__init__(app)
        self.host = host
        self.base_url = f"http://{host}"

    def get_cookie(self, key, domain=None, path="/"):
        return super().get_cookie(key, domain or self.host, path)

    def set_cookie(self, key, value="", *args, domain=None, **kwargs):
        return super().set_cookie(key, value, *args, domain=domain or self.host, **kwargs)

    def open(self, *args, **kwargs):
        if not (args and not isinstance(args[0], str)):  # not an EnvironBuilder / environ
            kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)


def host_client(app, database) -> Client:
    return HostClient(app, database.name.removeprefix("erplite_w_") + ".example.com")


def test_the_host_chooses_the_database(by_host, two_dbs):
    a, b = two_dbs
    assert host_client(by_host, a).get("/test_http/whoami").get_json()["db"] == a.name
    assert host_client(by_host, b).get("/test_http/whoami").get_json()["db"] == b.name
    assert by_host.databases.multi


def test_data_never_crosses(by_host, two_dbs):
    a, b = two_dbs
    name = uuid.uuid4().hex
    client_a, client_b = host_client(by_host, a), host_client(by_host, b)
    created = rpc(
        client_a,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [a.name, a.admin_uid, "admin", "test_http.counter", "create", [{"name": name}]],
        },
    )
    assert isinstance(created.get_json()["result"], int)

    def count(client, database):
        body = rpc(
            client,
            "/jsonrpc",
            {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    database.name,
                    database.admin_uid,
                    "admin",
                    "test_http.counter",
                    "search_count",
                    [[["name", "=", name]]],
                ],
            },
        ).get_json()
        return body["result"]

    assert count(client_a, a) == 1
    assert count(client_b, b) == 0


def test_a_database_the_filter_excludes_is_never_served(by_host, two_dbs):
    a, b = two_dbs
    client_a = host_client(by_host, a)
    # the header may not pick a database the filter excludes for this host
    response = client_a.get("/test_http/whoami", headers={"X-Erplite-Database": b.name})
    assert response.status_code == 404
    # neither may an RPC call's db argument
    body = rpc(
        client_a,
        "/jsonrpc",
        {"service": "common", "method": "login", "args": [b.name, "admin", "admin"]},
    ).get_json()
    assert f"Database {b.name!r} not found." in body["error"]["data"]["message"]
    # an unknown host has no database: only the database-free routes answer
    nowhere = HostClient(by_host, "nowhere.example.com")
    assert nowhere.get("/test_http/whoami").status_code == 404
    assert nowhere.get("/web/health").get_json()["status"] == "pass"


def test_a_session_counts_for_its_database_only(by_host, two_dbs):
    a, b = two_dbs
    client_a = host_client(by_host, a)
    login(client_a, "demo", "demo")
    sid = session_cookie(client_a)
    assert client_a.get("/test_http/whoami").get_json()["uid"] == a.demo_uid
    assert by_host.session_store.get(sid).db == a.name
    stolen = host_client(by_host, b)
    stolen.set_cookie("session_id", sid)
    assert stolen.get("/test_http/user").status_code == 303  # not logged in on b


def test_registries_are_loaded_lazily_in_a_bounded_lru(
    erplite_server, two_dbs, pg_dsn, erplite_addons_paths
):
    a, b = two_dbs
    app = Application(
        erplite_server,
        erplite_addons_paths,
        db_names=[a.name, b.name],
        session_dsn=pg_dsn,
        max_registries=1,
    )
    assert app.databases.loaded() == []
    client = Client(app)
    assert (
        client.get("/test_http/whoami", headers={"X-Erplite-Database": a.name}).status_code == 200
    )
    assert app.databases.loaded() == [a.name]
    assert (
        client.get("/test_http/whoami", headers={"X-Erplite-Database": b.name}).status_code == 200
    )
    assert app.databases.loaded() == [b.name]  # a was evicted


def test_without_host_filter_the_header_or_the_rpc_db_chooses(
    erplite_server, two_dbs, pg_dsn, erplite_addons_paths
):
    a, b = two_dbs
    app = Application(
        erplite_server, erplite_addons_paths, db_names=[a.name, b.name], session_dsn=pg_dsn
    )
    client = Client(app)
    # two databases, no header and no session: none is chosen
    assert client.get("/test_http/whoami").status_code == 404
    assert rpc(client, "/web/database/list").get_json()["result"] == sorted([a.name, b.name])
    assert (
        client.get("/test_http/whoami", headers={"X-Erplite-Database": b.name}).get_json()["db"]
        == b.name
    )
    for database in (a, b):
        body = rpc(
            client,
            "/jsonrpc",
            {"service": "common", "method": "login", "args": [database.name, "demo", "demo"]},
        ).get_json()
        assert body["result"] == database.demo_uid
    # the login page offers the databases; logging in chooses one for the session
    page = client.get("/web/login").get_data(as_text=True)
    assert f'<option value="{a.name}"' in page and f'<option value="{b.name}"' in page
    assert login(client, "demo", "demo", db=b.name).status_code == 303
    assert client.get("/test_http/whoami").get_json() == {
        "uid": b.demo_uid,
        "login": "demo",
        "db": b.name,
    }


def test_routes_come_from_the_installed_modules_and_follow_the_registry_signal(
    by_host, two_dbs, erplite_addons_paths
):
    a, b = two_dbs
    client_a, client_b = host_client(by_host, a), host_client(by_host, b)
    assert client_b.get("/test_http_extra/ping").status_code == 404
    before = by_host.databases.get(b.name)
    # another process installs a module in b: the registry signal moves
    Registry.new(b.dsn, install=("test_http_extra",), addons_paths=erplite_addons_paths)
    response = client_b.get("/test_http_extra/ping")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "pong")
    assert by_host.databases.get(b.name) is not before  # reloaded
    assert by_host.databases.get(b.name).sequence > before.sequence
    assert client_a.get("/test_http_extra/ping").status_code == 404  # not installed in a


def test_a_bumped_signal_reloads_before_serving(by_host, two_dbs):
    a, _b = two_dbs
    client = host_client(by_host, a)
    assert client.get("/web/health").status_code == 200
    before = by_host.databases.get(a.name)
    with before.registry.cursor() as cr:
        cr.execute("UPDATE erplite_registry_signal SET sequence = sequence + 1")
    assert client.get("/test_http/whoami").get_json()["db"] == a.name
    after = by_host.databases.get(a.name)
    assert after is not before and after.sequence == before.sequence + 1
