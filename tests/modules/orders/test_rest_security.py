"""Security of the REST API of the orders module beyond access rights: Html values are
sanitised (``note``)."""

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
