"""Optimistic concurrency on the orders REST API: ``ETag`` on every order answered, ``If-Match``
on ``PATCH`` and the workflow steps (412 when the order changed since the client read it)."""

from __future__ import annotations

from tests.modules.orders import test_rest

# the REST tests' fixtures (a database of their own per module, a client, a caller)
rest_db, app, client, rest = test_rest.rest_db, test_rest.app, test_rest.client, test_rest.rest
assert_error = test_rest.assert_error


def test_an_order_read_twice_has_the_same_strong_etag(rest):
    created = rest.new_order()
    status, body, headers = rest.get(f"/api/orders/{created['id']}")
    assert status == 200
    etag = headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert rest.get(f"/api/orders/{created['id']}")[2]["ETag"] == etag


def test_each_answer_with_an_order_carries_the_etag_a_read_gives(rest):
    status, created, headers = rest.post(
        "/api/orders",
        {
            "partner_id": rest.db.ids["customer"],
            "order_line": [{"product_id": rest.db.ids["desk"]}],
        },
    )
    assert status == 201
    order_url = f"/api/orders/{created['id']}"
    assert headers["ETag"] == rest.get(order_url)[2]["ETag"]
    status, _body, patched = rest.patch(order_url, {"note": "first change"})
    assert status == 200 and patched["ETag"] != headers["ETag"]
    assert patched["ETag"] == rest.get(order_url)[2]["ETag"]
    status, _body, confirmed = rest.post(f"{order_url}/confirm")
    assert status == 200 and confirmed["ETag"] == rest.get(order_url)[2]["ETag"]


def test_a_change_based_on_a_stale_read_is_412_and_changes_nothing(rest):
    """Two clients read the order, both change it: the second one's change, based on what it
    read before the first one's, is refused instead of undoing it (a lost update)."""
    order_url = f"/api/orders/{rest.new_order()['id']}"
    read_by_both = rest.get(order_url)[2]["ETag"]
    first = rest.patch(order_url, {"note": "from the first"}, headers={"If-Match": read_by_both})
    assert first[0] == 200
    second = rest.patch(order_url, {"note": "from the second"}, headers={"If-Match": read_by_both})
    body = assert_error(second, 412, field="If-Match", text="changed since")
    assert body["value"] == first[2]["ETag"]  # the current version, to read again
    status, order, _h = rest.get(order_url)
    assert order["note"] == "from the first"
    # the second client reads again and retries with the new tag
    retry = rest.patch(order_url, {"note": "from the second"}, headers={"If-Match": body["value"]})
    assert retry[0] == 200 and retry[1]["note"] == "from the second"


def test_workflow_steps_honour_if_match(rest):
    order_url = f"/api/orders/{rest.new_order()['id']}"
    stale = rest.get(order_url)[2]["ETag"]
    assert rest.patch(order_url, {"client_order_ref": "R-1"})[0] == 200
    assert_error(rest.post(f"{order_url}/confirm", headers={"If-Match": stale}), 412)
    assert rest.get(order_url)[1]["state"] == "draft"
    current = rest.get(order_url)[2]["ETag"]
    listed = f'"not-this-one", {current}'  # any tag of the list may match
    status, body, _h = rest.post(f"{order_url}/confirm", headers={"If-Match": listed})
    assert status == 200 and body["state"] == "sale"
    status, body, _h = rest.post(f"{order_url}/cancel", headers={"If-Match": "*"})
    assert status == 200 and body["state"] == "cancel"


def test_a_weak_or_malformed_if_match_never_matches(rest):
    order_url = f"/api/orders/{rest.new_order()['id']}"
    etag = rest.get(order_url)[2]["ETag"]
    assert_error(rest.patch(order_url, {"note": "x"}, headers={"If-Match": f"W/{etag}"}), 412)
    assert_error(rest.patch(order_url, {"note": "x"}, headers={"If-Match": "garbage"}), 412)
    assert rest.get(order_url)[2]["ETag"] == etag


def test_the_document_tells_about_etag_and_if_match(rest):
    doc = rest.as_(None).get("/api/openapi.json")[1]
    read = doc["paths"]["/api/orders/{order_id}"]["get"]
    assert "ETag" in read["responses"]["200"]["headers"]
    assert "412" not in read["responses"]
    for path, method in [
        ("/api/orders/{order_id}", "patch"),
        ("/api/orders/{order_id}/confirm", "post"),
        ("/api/orders/{order_id}/approve", "post"),
        ("/api/orders/{order_id}/cancel", "post"),
    ]:
        operation = doc["paths"][path][method]
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["If-Match"] and not headers[0]["required"]
        assert "412" in operation["responses"]
        assert "ETag" in operation["responses"]["200"]["headers"]
