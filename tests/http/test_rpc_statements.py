"""What an RPC call costs in statements, and that the shortcuts keep it right: the registry
signals and the caller's credentials are read by one statement, the first of the transaction;
a moved signal still reloads the registry before the call; a wrong password is still refused
after a right one was remembered."""

from __future__ import annotations

import uuid

from erplite.sql import count_queries
from tests.http.conftest import rpc


def execute_kw(client, db, uid, password, model, method, args, kw=None):
    response = rpc(
        client,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [db.name, uid, password, model, method, args, kw or {}],
        },
    )
    assert response.status_code == 200
    return response.get_json()


def test_search_read_sends_one_statement_besides_its_own_query(client, web_db):
    name = uuid.uuid4().hex
    partner = execute_kw(
        client, web_db, web_db.admin_uid, "admin", "res.partner", "create", [{"name": f"P {name}"}]
    )["result"]
    execute_kw(
        client,
        web_db,
        web_db.admin_uid,
        "admin",
        "test_http.counter",
        "create",
        [{"name": name, "value": 3, "partner_id": partner}],
    )
    args = [[["name", "=", name]]], {"fields": ["name", "value", "partner_id"]}
    reply = execute_kw(
        client, web_db, web_db.admin_uid, "admin", "test_http.counter", "search_read", *args
    )
    assert reply["result"] == [
        {
            "id": reply["result"][0]["id"],
            "name": name,
            "value": 3,
            "partner_id": [partner, f"P {name}"],
        }
    ]
    # access rights and rules are cached now; the partner's display name is not a plain name
    with count_queries() as statements:
        again = execute_kw(
            client,
            web_db,
            web_db.admin_uid,
            "admin",
            "test_http.counter",
            "search_read",
            [[["name", "=", name]]],
            {"fields": ["name", "value"]},
        )
    assert again["result"] == [{"id": reply["result"][0]["id"], "name": name, "value": 3}]
    # signals and credentials in one statement, then the search itself
    assert len(statements) == 2, "\n".join(str(s)[:300] for s in statements)
    assert "erplite_registry_signal" in str(statements[0]) and "res_users" in str(statements[0])


def test_a_moved_registry_signal_reloads_before_an_rpc_call(app, client, web_db):
    before = app.databases.get(web_db.name)
    with before.registry.cursor() as cr:
        cr.execute("UPDATE erplite_registry_signal SET sequence = sequence + 1")
    reply = execute_kw(
        client,
        web_db,
        web_db.admin_uid,
        "admin",
        "res.users",
        "search_count",
        [[["id", "=", web_db.admin_uid]]],
    )
    assert reply["result"] == 1
    after = app.databases.get(web_db.name)
    assert after is not before and after.sequence == before.sequence + 1


def test_a_wrong_password_is_refused_after_the_right_one_was_remembered(client, web_db):
    ok = execute_kw(client, web_db, web_db.demo_uid, "demo", "res.users", "search_count", [[]])
    assert isinstance(ok["result"], int)
    wrong = execute_kw(client, web_db, web_db.demo_uid, "nope", "res.users", "search_count", [[]])
    assert wrong["error"]["data"]["name"] == "erplite.exceptions.AccessDenied"
    unknown = execute_kw(client, web_db, 999999, "demo", "res.users", "search_count", [[]])
    assert unknown["error"]["data"]["name"] == "erplite.exceptions.AccessDenied"
