"""Security of the REST API of the orders module beyond access rights (issue 10): Html values
are sanitised (``note``), and a write authenticated by the session cookie needs the session's
CSRF token in ``X-CSRF-Token`` (an API key needs none)."""

from __future__ import annotations

from tests.modules.orders import test_rest

# the fixtures of the REST tests (a database of this module's own, an application, clients)
rest_db = test_rest.rest_db
app = test_rest.app
client = test_rest.client
rest = test_rest.rest
Api = test_rest.Api

PAYLOAD = (
    '<p onclick="steal()">Terms<script>alert(document.cookie)</script></p>'
    '<a href="javascript:alert(1)">pay</a><img src="x.png" onerror="alert(1)">'
)
CLEAN = '<p>Terms</p><a>pay</a><img src="x.png">'


def stored_note(rest_db, order_id):
    with rest_db.env() as env:
        env.cr.execute("SELECT note FROM sale_order WHERE id = %s", [order_id])
        return env.cr.fetchone()[0]


def test_note_is_sanitised_on_create_and_patch(rest, rest_db):
    order = rest.new_order(note=PAYLOAD)
    assert order["note"] == CLEAN
    assert stored_note(rest_db, order["id"]) == CLEAN
    status, changed, _ = rest.patch(
        f"/api/orders/{order['id']}", {"note": '<b style="width: expression(alert(1))">b</b>'}
    )
    assert status == 200, changed
    assert changed["note"] == "<b>b</b>" == stored_note(rest_db, order["id"])


# -- the session cookie needs the CSRF header to write -------------------------------------------


def session_login(client, rest_db) -> dict:
    response = client.post(
        "/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "db": rest_db.name,
                "login": "rest_salesman",
                "password": "rest_salesman-pw",
            },
        },
    )
    return response.json["result"]


def count_orders(rest_db, ref):
    with rest_db.env() as env:
        return env["sale.order"].search_count([("client_order_ref", "=", ref)])


def test_writes_with_the_session_cookie_need_the_csrf_header(client, rest_db):
    info = session_login(client, rest_db)
    browser = Api(client, rest_db, None)
    body = {
        "partner_id": rest_db.ids["customer"],
        "client_order_ref": "FORGED",
        "order_line": [{"product_id": rest_db.ids["desk"]}],
    }
    status, error, _ = browser.post("/api/orders", body)
    assert status == 403 and "X-CSRF-Token" in error["message"]
    status, _, _ = browser.post("/api/orders", body, headers={"X-CSRF-Token": "1o99999999999"})
    assert status == 403
    assert count_orders(rest_db, "FORGED") == 0
    # reads need no token
    status, data, _ = browser.get("/api/orders")
    assert status == 200 and isinstance(data["items"], list)
    # with the session's token, the page's own script may write
    headers = {"X-CSRF-Token": info["csrf_token"]}
    status, order, _ = browser.post(
        "/api/orders", {**body, "client_order_ref": "OK"}, headers=headers
    )
    assert status == 201, order
    status, _, _ = browser.patch(f"/api/orders/{order['id']}", {"client_order_ref": "CHANGED"})
    assert status == 403 and count_orders(rest_db, "CHANGED") == 0
    status, _, _ = browser.patch(
        f"/api/orders/{order['id']}", {"client_order_ref": "CHANGED"}, headers=headers
    )
    assert status == 200 and count_orders(rest_db, "CHANGED") == 1


def test_writes_with_an_api_key_need_no_csrf_header(rest, rest_db):
    order = rest.new_order(client_order_ref="BY-KEY")
    assert order["client_order_ref"] == "BY-KEY"


def test_rest_answers_say_nosniff_and_are_not_pages(rest):
    for answer in (rest.get("/api/orders"), rest.as_(None).get("/api/orders")):
        headers = answer[2]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Frame-Options" not in headers
