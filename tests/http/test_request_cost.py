"""The shortcuts that make an RPC call cheap keep its behaviour: the public method found once
per model class follows a replaced or privatised method."""

from __future__ import annotations

import pytest

from erplite import api
from erplite.exceptions import AccessError
from erplite.http.service import MethodNotFound, api_kind, get_public_method
from erplite.pool import Pool
from erplite.sql import _configure


def test_public_methods_are_found_once_and_follow_changes_of_the_class(env, monkeypatch):
    partners = env["res.partner"]
    cls = type(partners)
    found = get_public_method(partners, "search_read")
    assert found is get_public_method(partners, "search_read") is cls.search_read
    assert api_kind(partners, "search_read") == "model"

    # a method replaced on the class is the one called
    def search_read(self, *args, **kwargs):
        return "replaced"

    monkeypatch.setattr(cls, "search_read", search_read)
    assert get_public_method(partners, "search_read") is search_read
    # the kind is the one of the most derived definition with an @api decorator
    assert api_kind(partners, "search_read") == "model"

    # and a replacement marked @api.private is refused, cached or not
    @api.private
    def private_search_read(self, *args, **kwargs):
        return "private"

    monkeypatch.setattr(cls, "search_read", private_search_read)
    for _ in range(2):
        with pytest.raises(AccessError):
            get_public_method(partners, "search_read")
    monkeypatch.undo()
    assert get_public_method(partners, "search_read") is found

    for name in ("_search", "init", None, ["search"]):
        with pytest.raises(AccessError):
            get_public_method(partners, name)
    with pytest.raises(MethodNotFound):
        get_public_method(partners, "no_such_method")


def test_an_rpc_call_without_cookie_stores_no_session_and_sends_no_cookie(app, web_db):
    from werkzeug.test import Client

    from erplite.sql import admin_connection
    from tests.http.conftest import rpc

    def sessions() -> int:
        with admin_connection(web_db.dsn) as conn:
            return conn.execute("SELECT count(*) FROM http_session").fetchone()[0]

    app.session_store.ensure_table()
    client = Client(app, use_cookies=False)
    version = rpc(client, "/jsonrpc", {"service": "common", "method": "version", "args": []})
    before = sessions()
    response = rpc(
        client,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [web_db.name, web_db.admin_uid, "admin", "res.users", "search_count", [[]]],
        },
    )
    assert version.get_json()["result"]["server_serie"] == "17.0"
    assert response.get_json()["result"] >= 2
    assert "Set-Cookie" not in response.headers and "Set-Cookie" not in version.headers
    assert sessions() == before


def test_remembered_route_matches_answer_as_werkzeug_does(app, client, web_db):
    from erplite.http.dispatcher import match_route

    routing_map = app.databases.get(web_db.name).routing_map
    for _ in range(2):  # the second time from the remembered matches
        assert client.get("/test_http/none").status_code == 200
        assert client.post("/test_http/none").status_code == 405  # GET only
        assert client.get("/test_http/echo/41").get_json()["number"] == 41
        assert client.get("/test_http/echo/42").get_json()["number"] == 42
        assert client.get("/test_http/nowhere").status_code == 404
    remembered = routing_map.matches
    assert all(
        not key[0].startswith(("/test_http/echo", "/test_http/nowhere")) for key in remembered
    )
    assert {key[:2] for key in remembered} >= {("/test_http/none", "GET")}
    environ = {
        "PATH_INFO": "/test_http/none",
        "REQUEST_METHOD": "GET",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    rule, args = match_route(routing_map, environ)
    assert (rule, args) == routing_map.bind_to_environ(environ).match(return_rule=True)
    assert rule.endpoint.routing["auth"] == "none"


def test_a_deactivated_user_is_refused_at_once_after_remembered_calls(client, web_db):
    import uuid

    from erplite import SUPERUSER_ID, api
    from tests.http.test_rpc_statements import execute_kw

    login_name = f"cost{uuid.uuid4().hex[:6]}"
    registry = web_db.registry()
    with registry.cursor() as cr:
        users = api.Environment(cr, SUPERUSER_ID, {})["res.users"]
        uid = users.create({"name": login_name, "login": login_name, "password": "pw"}).id
    for _ in range(2):  # verified, then remembered
        reply = execute_kw(client, web_db, uid, "pw", "res.partner", "search", [[["id", "=", 0]]])
        assert reply["result"] == []
    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["res.users"].browse(uid).write({"active": False})
    reply = execute_kw(client, web_db, uid, "pw", "res.partner", "search", [[["id", "=", 0]]])
    assert reply["error"]["data"]["name"] == "erplite.exceptions.AccessDenied"


def test_begin_with_is_one_transaction_and_gives_the_connection_back_as_it_was(web_db):
    import uuid

    from erplite.sql import SQL, Cursor, connection_pool, count_queries

    pool = connection_pool(web_db.dsn)
    name = uuid.uuid4().hex
    table = SQL.identifier("test_http_counter")
    query = SQL("SELECT %s::text, current_setting('transaction_isolation'), 7 %% 4", name)
    cr = Cursor(pool)
    with count_queries() as statements:
        cr.begin_with(query)
    assert cr.fetchall() == [(name, "repeatable read", 3)]
    assert len(statements) == 1 and cr.sql_count == 1
    cr.execute(SQL("INSERT INTO %s (name, value) VALUES (%s, 1)", table, name))
    cr.rollback()  # the INSERT was in the transaction begun by begin_with: undone
    assert not cr.connection.autocommit
    cr.execute(SQL("SELECT count(*) FROM %s WHERE name = %s", table, name))
    assert cr.fetchone() == (0,)
    cr.close()

    cr = Cursor(pool)
    cr.begin_with(SQL("SELECT %s::int", 1))
    assert cr.fetchone() == (1,)
    cr.execute(SQL("INSERT INTO %s (name, value) VALUES (%s, 2)", table, name))
    cr.commit()
    assert not cr.connection.autocommit
    cr.begin_with(SQL("SELECT %s::int", 2))  # a new transaction, begun the same way
    assert cr.fetchone() == (2,)
    cr.close()  # neither committed nor rolled back: the pool gets a normal connection

    for _ in range(3):
        with pool.connection() as conn:
            assert not conn.autocommit
            assert conn.info.transaction_status == conn.info.transaction_status.IDLE
    with Cursor(pool) as check:
        check.execute(SQL("SELECT value FROM %s WHERE name = %s", table, name))
        assert check.fetchall() == [(2,)]


def test_begin_with_prepares_once_per_connection_and_heals_when_its_statements_are_gone(web_db):
    from erplite import pooler
    from erplite.sql import SQL, Cursor, _begin_prepared, _compile_begin, connection_pool

    # directly to PostgreSQL even when the suite runs through PgBouncer (--erplite-pgbouncer):
    # the statements prepared are a session's
    direct = pooler.session_dsn(web_db.dsn)
    assert direct is not None
    pool = connection_pool(direct) if direct == web_db.dsn else Pool(direct, configure=_configure)
    query = SQL("SELECT %s::int + 1", 41)
    cr = Cursor(pool)
    try:
        conn = cr.connection
        for expected in (42, 42):  # prepared, then executed
            cr.begin_with(query)
            assert cr.fetchone() == (expected,)
            cr.rollback()
        name = _compile_begin(query.text)[0]
        assert name in _begin_prepared[conn]
        cr.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        assert cr.fetchone() == (1,)
        cr.rollback()

        cr.execute("DEALLOCATE ALL")  # what psycopg itself sends after some statements
        cr.commit()
        cr.begin_with(query)  # not there any more: prepared again
        assert cr.fetchone() == (42,)
        cr.commit()

        _begin_prepared[conn].discard(name)  # there, but forgotten: executed
        cr.begin_with(query)
        assert cr.fetchone() == (42,)
        cr.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        assert cr.fetchone() == (1,)
        cr.commit()
        assert name in _begin_prepared[conn] and not conn.autocommit
    finally:
        cr.close()
        if pool is not connection_pool(web_db.dsn):
            pool.close()


def test_begin_with_without_prepared_statements_is_still_one_message(web_db, monkeypatch):
    """Behind a transaction-mode pooler (a pool without prepared statements) the BEGIN and the
    query still travel together, as text with literals: nothing is prepared on the server."""
    from erplite.sql import SQL, Cursor, _begin_prepared, _compile_begin

    pool = Pool(web_db.dsn, configure=_configure, prepared_statements=False)
    query = SQL("SELECT %s::int + 1, %s || '%%'", 41, "it's")
    name = _compile_begin(query.text)[0]
    sent: list[str] = []
    cr = Cursor(pool)
    try:
        conn = cr.connection
        cursor_class = type(cr._cur)
        execute = cursor_class.execute

        def recording(cursor, text, *args, **kwargs):
            sent.append(text if isinstance(text, str) else repr(text))
            return execute(cursor, text, *args, **kwargs)

        monkeypatch.setattr(cursor_class, "execute", recording)
        for _ in range(3):
            cr.begin_with(query)
            assert cr.fetchone() == (42, "it's%")
            cr.commit()
            assert not conn.autocommit
        assert (
            sent
            == ["BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 41::int + 1, 'it''s' || '%'"] * 3
        )
        monkeypatch.undo()
        assert conn not in _begin_prepared
        cr.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        assert cr.fetchone() == (0,)
        cr.rollback()
    finally:
        cr.close()
        pool.close()


def test_call_kw_gives_the_records_the_calls_context_and_only_it(env, monkeypatch):
    from erplite.http.service import call_kw

    partners = env["res.partner"]

    @api.model
    def context_of(self):
        return dict(self.env.context)

    monkeypatch.setattr(type(partners), "context_of", context_of, raising=False)
    assert call_kw(partners.with_context(lang="fr_FR"), "context_of", [], {}) == {}
    assert call_kw(partners, "context_of", [], {}) == {}
    assert call_kw(partners.with_context(a=1), "context_of", [], {"context": {"b": 2}}) == {"b": 2}


def test_a_request_leaves_no_reference_cycle_of_the_http_layer(app, web_db, monkeypatch):
    import gc
    import io
    import json
    import weakref

    import erplite.http.dispatcher as dispatcher
    from erplite.http.requestlib import Request

    refs = []

    def recording_request(httprequest, app):
        request = Request(httprequest, app)
        refs.extend([weakref.ref(httprequest), weakref.ref(request)])
        return request

    params = {"service": "common", "method": "version", "args": []}
    body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
    data = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/jsonrpc",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
    }
    monkeypatch.setattr(dispatcher, "Request", recording_request)
    gc.disable()
    try:
        chunks = app(environ, lambda status, headers, exc_info=None: None)
        assert json.loads(b"".join(chunks))["result"]["server_serie"] == "17.0"
        del chunks
        # freed by reference counting, without a garbage collection
        assert [ref() for ref in refs] == [None, None]
    finally:
        gc.enable()


def test_a_begin_with_transaction_whose_connection_died_gives_the_pool_a_working_one(web_db):
    from erplite.sql import SQL, Cursor, admin_connection, connection_pool

    pool = connection_pool(web_db.dsn)
    cr = Cursor(pool)
    cr.begin_with(SQL("SELECT pg_backend_pid()"))
    (pid,) = cr.fetchone()
    with admin_connection(web_db.dsn) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    cr.close()  # no error: the dead connection goes back to the pool, which replaces it
    with Cursor(pool) as check:
        check.begin_with(SQL("SELECT %s::int", 5))
        assert check.fetchone() == (5,)


def test_an_rpc_call_waits_for_two_round_trips(client, web_db, monkeypatch):
    """BEGIN travels with the signals and credentials read (one round trip), then the search
    (one); psycopg sends no BEGIN of its own, and the COMMIT of this call, which only read, is
    sent without waiting for its answer (``Pool.putconn_committing``: read by the next
    caller of the connection), not by psycopg."""
    from psycopg._connection_base import BaseConnection

    from erplite.sql import connection_pool, count_queries
    from tests.http.test_rpc_statements import execute_kw

    args = [[["id", "=", web_db.admin_uid]]], {"fields": ["login"]}
    call = (client, web_db, web_db.admin_uid, "admin", "res.users", "search_read", *args)
    assert execute_kw(*call)["result"] == [{"id": web_db.admin_uid, "login": "admin"}]

    commands: list[bytes] = []  # what psycopg sends of its own: BEGIN, COMMIT, ROLLBACK
    exec_command = BaseConnection._exec_command

    def recording(self, command, *args, **kwargs):
        commands.append(bytes(command) if isinstance(command, bytes) else str(command).encode())
        return exec_command(self, command, *args, **kwargs)

    monkeypatch.setattr(BaseConnection, "_exec_command", recording)
    monkeypatch.setattr("erplite.http.dispatcher.SESSION_GC_PROBABILITY", 0)  # no vacuum now
    with count_queries() as statements:
        assert execute_kw(*call)["result"] == [{"id": web_db.admin_uid, "login": "admin"}]
    assert len(statements) == 2, statements
    assert commands == []
    assert connection_pool(web_db.dsn).pending_commits() == 1


def test_begin_with_quotes_each_list_of_values_once_and_keeps_equal_values_of_types_apart(web_db):
    from erplite.sql import SQL, Cursor, _literal, _literals, connection_pool

    pool = connection_pool(web_db.dsn)
    text = "SELECT %s::text, %s::text, %s::text"
    with Cursor(pool) as cr:
        # 1 == True == 1.0 as keys of a dict: their literals are not the same
        for params, expected in (
            ((1, True, "it's"), ("1", "true", "it's")),
            ((True, 1.0, "it's"), ("true", "1.0", "it's")),
            ((1.0, 1, "it''s"), ("1.0", "1", "it''s")),
        ):
            cr.begin_with(SQL(text, *params))
            assert cr.fetchone() == expected
            cr.rollback()
        conn = cr.connection
        values = ("ip:127.0.0.1", 7, None)
        first = _literals(conn, values)
        assert first == tuple(_literal(conn, value) for value in values)
        assert _literals(conn, values) is first  # composed once
        # an unhashable value is quoted each time, the same way
        assert _literals(conn, ([1, 2], 3)) == (_literal(conn, [1, 2]), "3")
