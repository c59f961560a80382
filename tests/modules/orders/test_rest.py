"""The REST API of the orders module (``/api/orders``, ``/api/products``, ``/api/openapi.json``)
through a werkzeug test client on an ``Application``, each error status included.

One copy of the template database per test module (the template has ``orders`` installed), with
a customer, taxed products, users in the sales groups, a second company, and an API key per user.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import close_pool, dbname_of
from erplite.testing import create_database, drop_database


@dataclass
class RestDatabase:
    dsn: str
    name: str
    addons_paths: tuple[str, ...]
    ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def env(self, uid: int = SUPERUSER_ID) -> Any:
        """``with db.env() as env``: a committed transaction of its own."""
        registry = Registry(self.dsn, self.addons_paths)

        class Block:
            def __enter__(self_) -> Any:
                self_.cr = registry.cursor()
                return api.Environment(self_.cr, uid, {})

            def __exit__(self_, *exc: Any) -> None:
                self_.cr.__exit__(*exc)

        return Block()


def populate(env: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Records of the REST tests; returns their ids and an API key per user."""
    company = env.ref("base.main_company")
    company.so_double_validation_amount = 5000.0
    company_b = env["res.company"].create({"name": "Company B"})
    tax10 = env["account.tax"].create({"name": "VAT 10", "amount": 10.0, "company_id": company.id})
    category = env["product.category"].create({"name": "Furniture"})
    desk = env["product.product"].create(
        {
            "name": "Desk",
            "default_code": "DESK",
            "list_price": 100.0,
            "categ_id": category.id,
            "taxes_id": [Command.set(tax10.ids)],
        }
    )
    chair = env["product.product"].create({"name": "Chair", "list_price": 50.0, "type": "product"})
    old = env["product.product"].create({"name": "Old Lamp", "list_price": 5.0, "active": False})
    b_product = env["product.product"].create({"name": "B Widget", "company_id": company_b.id})
    customer = env["res.partner"].create({"name": "Azure Interior", "is_company": True})
    customer2 = env["res.partner"].create({"name": "Deco Addict", "is_company": True})

    def user(login: str, group: str, company: Any = company) -> Any:
        return env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "password": f"{login}-pw",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set([env.ref(group).id])],
            }
        )

    salesman = user("rest_salesman", "sales_team.group_sale_salesman")
    other = user("rest_other", "sales_team.group_sale_salesman")
    manager = user("rest_manager", "sales_team.group_sale_manager")
    b_user = user("rest_b_user", "sales_team.group_sale_manager", company_b)
    plain = user("rest_plain", "base.group_user")

    def order(user: Any, qty: float = 1.0, partner: Any = customer, **values: Any) -> Any:
        return (
            env["sale.order"]
            .with_user(user)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": desk.id, "product_uom_qty": qty})],
                    **values,
                }
            )
        )

    other_order = order(other, client_order_ref="OTHER-REF")
    manager_order = order(manager, partner=customer2)
    ids = {
        "company": company.id,
        "company_b": company_b.id,
        "tax10": tax10.id,
        "category": category.id,
        "desk": desk.id,
        "chair": chair.id,
        "old": old.id,
        "b_product": b_product.id,
        "customer": customer.id,
        "customer2": customer2.id,
        "salesman": salesman.id,
        "other": other.id,
        "manager": manager.id,
        "b_user": b_user.id,
        "plain": plain.id,
        "other_order": other_order.id,
        "manager_order": manager_order.id,
    }
    keys = {
        name: env["res.users.apikeys"].with_user(ids[name])._generate("rpc", "rest tests")
        for name in ("salesman", "other", "manager", "b_user", "plain")
    }
    return ids, keys


@pytest.fixture(scope="module")
def rest_db(erplite_server: str, erplite_template: Any, erplite_addons_paths: Any) -> Any:
    """A copy of the template (as ``clone_database()`` makes, for the whole module)."""
    name = f"erplite_rest_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    db = RestDatabase(dsn, name, tuple(erplite_addons_paths))
    try:
        with db.env() as env:
            db.ids, db.keys = populate(env)
        yield db
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


@pytest.fixture(scope="module")
def app(rest_db: RestDatabase) -> Any:
    from erplite.http import Application

    return Application(rest_db.dsn, addons_paths=rest_db.addons_paths)


@pytest.fixture
def client(app: Any) -> Client:
    return Client(app)


class Api:
    """Calls as one user (``as_(name)``) and answers ``(status, body, headers)``."""

    def __init__(self, client: Client, db: RestDatabase, user: str | None = "salesman"):
        self.client, self.db, self.user = client, db, user

    def as_(self, user: str | None) -> Api:
        return Api(self.client, self.db, user)

    def __call__(self, method: str, url: str, body: Any = None, **kw: Any) -> tuple:
        headers = dict(kw.pop("headers", {}))
        if self.user is not None:
            headers.setdefault("Authorization", f"bearer {self.db.keys[self.user]}")
        if body is not None:
            kw["json"] = body
        response = self.client.open(url, method=method, headers=headers, **kw)
        text = response.get_data(as_text=True)
        data = json.loads(text) if response.mimetype == "application/json" and text else text
        return response.status_code, data, response.headers

    def get(self, url: str, **kw: Any) -> tuple:
        return self("GET", url, **kw)

    def post(self, url: str, body: Any = None, **kw: Any) -> tuple:
        return self("POST", url, body, **kw)

    def patch(self, url: str, body: Any = None, **kw: Any) -> tuple:
        return self("PATCH", url, body, **kw)

    def new_order(self, **values: Any) -> dict:
        body = {
            "partner_id": self.db.ids["customer"],
            "order_line": [{"product_id": self.db.ids["desk"], "product_uom_qty": 2}],
            **values,
        }
        status, data, _ = self.post("/api/orders", body)
        assert status == 201, data
        return data


@pytest.fixture
def rest(client: Client, rest_db: RestDatabase) -> Api:
    return Api(client, rest_db)


def assert_error(answer: tuple, status: int, field: str | None = None, text: str = "") -> dict:
    code, body, headers = answer
    assert code == status, body
    assert headers["Content-Type"].startswith("application/json")
    assert isinstance(body, dict) and body["name"] and body["message"], body
    if field is not None:
        assert body.get("field") == field, body
    assert text in body["message"], body
    return body


# -- the document -------------------------------------------------------------------------------


def test_openapi_document_is_generated_from_the_declarations(rest):
    status, doc, _ = rest.as_(None).get("/api/openapi.json")
    assert status == 200
    assert doc["openapi"] == "3.1.0"
    operations = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert operations == {
        ("/api/orders", "get"),
        ("/api/orders", "post"),
        ("/api/orders/{order_id}", "get"),
        ("/api/orders/{order_id}", "patch"),
        ("/api/orders/{order_id}/confirm", "post"),
        ("/api/orders/{order_id}/approve", "post"),
        ("/api/orders/{order_id}/cancel", "post"),
        ("/api/products", "get"),
        ("/api/products/{product_id}", "get"),
        ("/api/openapi.json", "get"),
    }
    patch = doc["paths"]["/api/orders/{order_id}"]["patch"]
    assert set(patch["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",  # If-Match names an older version (test_rest_etag.py)
        "415",
        "422",
        "429",  # the login throttle refused the API key
    }
    # a busy record (409) and the login throttle (429) are possible on every operation with an
    # API key, and say when to retry
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if path == "/api/openapi.json":
                continue
            for code in ("409", "429"):
                assert "Retry-After" in op["responses"][code]["headers"], (path, method, code)
    assert "busy" in doc["paths"]["/api/orders"]["post"]["responses"]["409"]["description"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderUpdate"
    }
    assert patch["security"] == [{"apiKey": []}, {"session": []}]
    assert "WWW-Authenticate" in patch["responses"]["401"]["headers"]
    schemas = doc["components"]["schemas"]
    # record schemas come from the model's fields: selection values, nullable many2one
    order = schemas["Order"]
    assert order["properties"]["state"]["enum"] == ["draft", "sent", "to_approve", "sale", "cancel"]
    assert order["properties"]["partner_id"]["$ref"] == "#/components/schemas/Ref"
    assert order["properties"]["user_id"]["anyOf"][1] == {"type": "null"}
    assert order["properties"]["date_order"]["format"] == "date-time"
    assert order["properties"]["order_line"]["items"] == {"$ref": "#/components/schemas/OrderLine"}
    assert {"Ref", "Error", "OrderCreate", "OrderLineCreate", "ProductPage"} <= set(schemas)
    list_params = {p["name"] for p in doc["paths"]["/api/orders"]["get"]["parameters"]}
    assert list_params == {
        "state",
        "partner_id",
        "user_id",
        "date_from",
        "date_to",
        "q",
        "limit",
        "offset",
        "order",
    }


# -- 401 ----------------------------------------------------------------------------------------


def test_no_credentials_is_401_with_www_authenticate(rest):
    answer = rest.as_(None).get("/api/orders")
    assert_error(answer, 401, text="Authentication required")
    assert answer[2]["WWW-Authenticate"].lower().startswith("bearer")


def test_a_wrong_api_key_is_401(rest):
    answer = rest.as_(None).get("/api/orders", headers={"Authorization": "bearer nope"})
    assert_error(answer, 401, text="Invalid API key")
    assert answer[2]["WWW-Authenticate"].lower().startswith("bearer")


def test_a_session_authenticates_too(client, rest_db):
    login = client.post(
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
    assert login.status_code == 200 and login.json["result"]["uid"] == rest_db.ids["salesman"]
    status, data, _ = Api(client, rest_db, None).get("/api/orders")
    assert status == 200 and isinstance(data["items"], list)


# -- create -------------------------------------------------------------------------------------


def test_create_order_with_lines(rest, rest_db):
    status, order, headers = rest.post(
        "/api/orders",
        {
            "partner_id": rest_db.ids["customer"],
            "client_order_ref": "PO-1",
            "validity_date": "2031-01-31",
            "order_line": [
                {"product_id": rest_db.ids["desk"], "product_uom_qty": 3, "discount": 10},
                {"product_id": rest_db.ids["chair"], "price_unit": 40, "name": "Blue chair"},
            ],
        },
    )
    assert status == 201, order
    assert headers["Location"].endswith(f"/api/orders/{order['id']}")
    assert order["name"].startswith("SO/") and order["state"] == "draft"
    assert order["partner_id"] == {"id": rest_db.ids["customer"], "name": "Azure Interior"}
    # the caller's defaults: the salesperson is the API key's owner, never the superuser
    assert order["user_id"] == {"id": rest_db.ids["salesman"], "name": "Rest_Salesman"}
    assert order["company_id"]["id"] == rest_db.ids["company"]
    assert order["validity_date"] == "2031-01-31"
    assert order["date_order"].endswith("Z")
    desk, chair = order["order_line"]
    assert desk["name"] == "[DESK] Desk" and desk["price_unit"] == 100.0
    assert desk["tax_id"] == [rest_db.ids["tax10"]]
    assert desk["price_subtotal"] == 270.0 and desk["price_total"] == 297.0
    assert chair["name"] == "Blue chair" and chair["price_subtotal"] == 40.0
    assert order["amount_untaxed"] == 310.0 and order["amount_total"] == 337.0
    with rest_db.env() as env:
        record = env["sale.order"].browse(order["id"])
        assert record.create_uid.id == rest_db.ids["salesman"]


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({}, "partner_id", "is required"),
        ({"partner_id": "7"}, "partner_id", "must be of type integer"),
        ({"partner_id": 0}, "partner_id", "at least 1"),
        ({"partner_id": 1, "colour": "red"}, "colour", "not a known field"),
        (
            {"partner_id": 1, "order_line": [{"product_uom_qty": 1}]},
            "order_line[0].product_id",
            "is required",
        ),
        (
            {"partner_id": 1, "order_line": [{"product_id": 1, "discount": 150}]},
            "order_line[0].discount",
            "at most 100",
        ),
        ({"partner_id": 1, "note": "a\x00b"}, "note", "NUL"),
        ({"partner_id": 1, "validity_date": "2024-02-30"}, "validity_date", "must be a date"),
        ({"partner_id": 1, "date_order": "yesterday"}, "date_order", "date-time"),
    ],
)
def test_create_bad_input_is_400_naming_the_field(rest, body, field, text):
    body = assert_error(rest.post("/api/orders", body), 400, field, text)
    assert body["name"] == "erplite.http.rest.InvalidInput"


def test_create_unknown_reference_is_422_naming_the_field(rest, rest_db):
    body = {"partner_id": rest_db.ids["customer"], "order_line": [{"product_id": 999999}]}
    assert_error(rest.post("/api/orders", body), 422, "order_line[0].product_id", "does not exist")
    assert_error(rest.post("/api/orders", {"partner_id": 999999}), 422, "partner_id")


def test_create_refused_by_a_business_rule_is_422_and_rolled_back(rest, rest_db):
    def count() -> int:
        with rest_db.env() as env:
            return env["sale.order"].search_count([])

    before = count()
    body = {
        "partner_id": rest_db.ids["customer"],
        "order_line": [
            {"product_id": rest_db.ids["desk"]},
            {"product_id": rest_db.ids["b_product"]},
        ],
    }
    error = assert_error(rest.as_("manager").post("/api/orders", body), 422)
    assert error["name"].endswith(("UserError", "ValidationError"))
    assert count() == before


def test_create_for_another_salesperson_is_403(rest, rest_db):
    body = {"partner_id": rest_db.ids["customer"], "user_id": rest_db.ids["other"]}
    assert_error(rest.post("/api/orders", body), 403)


def test_a_body_that_is_not_json_is_415_or_400(rest):
    code, body, _ = rest.post("/api/orders", data="partner_id=1", content_type="text/plain")
    assert code == 415 and body["name"].endswith("UnsupportedMediaType")
    code, body, _ = rest.post("/api/orders", data="{nope", content_type="application/json")
    assert code == 400


def test_without_rights_on_orders_is_403(rest):
    assert_error(rest.as_("plain").get("/api/orders"), 403)
    assert_error(rest.as_("plain").post("/api/orders", {"partner_id": 1}), 403)


# -- read ---------------------------------------------------------------------------------------


def test_read_order(rest):
    created = rest.new_order()
    status, order, _ = rest.get(f"/api/orders/{created['id']}")
    assert status == 200 and order == created


@pytest.mark.parametrize("order_id", ["abc", "0", "-3", "99999999999", "1.5"])
def test_read_order_bad_id_is_400(rest, order_id):
    assert_error(rest.get(f"/api/orders/{order_id}"), 400, "order_id")


def test_read_unknown_order_is_404(rest):
    assert_error(rest.get("/api/orders/987654"), 404, text="does not exist")


def test_read_order_of_another_salesperson_is_403(rest, rest_db):
    assert_error(rest.get(f"/api/orders/{rest_db.ids['other_order']}"), 403)
    status, _, _ = rest.as_("manager").get(f"/api/orders/{rest_db.ids['other_order']}")
    assert status == 200


def test_read_order_of_another_company_is_403(rest, rest_db):
    assert_error(rest.as_("b_user").get(f"/api/orders/{rest_db.ids['manager_order']}"), 403)


# -- list ---------------------------------------------------------------------------------------


def test_list_follows_the_record_rules(rest, rest_db):
    mine = rest.new_order()
    status, page, _ = rest.get("/api/orders?limit=1000")
    assert status == 200
    ids = {item["id"] for item in page["items"]}
    assert mine["id"] in ids and rest_db.ids["other_order"] not in ids
    assert page["count"] == len(ids)
    _, page, _ = rest.as_("manager").get("/api/orders?limit=1000")
    assert {mine["id"], rest_db.ids["other_order"]} <= {item["id"] for item in page["items"]}
    _, page, _ = rest.as_("b_user").get("/api/orders")
    assert page["count"] == 0


def test_list_filters_and_pages(rest, rest_db):
    manager = rest.as_("manager")
    a = manager.new_order(client_order_ref="FILTER-A", partner_id=rest_db.ids["customer2"])
    b = manager.new_order(client_order_ref="FILTER-B", partner_id=rest_db.ids["customer2"])
    manager.post(f"/api/orders/{b['id']}/confirm")
    _, page, _ = manager.get("/api/orders?q=FILTER-&order=id asc")
    assert [item["id"] for item in page["items"]] == [a["id"], b["id"]]
    _, page, _ = manager.get("/api/orders?q=FILTER-&state=sale")
    assert [item["id"] for item in page["items"]] == [b["id"]]
    _, page, _ = manager.get(
        f"/api/orders?partner_id={rest_db.ids['customer2']}&limit=1&offset=1&order=id desc"
    )
    assert page["limit"] == 1 and page["offset"] == 1 and page["count"] >= 3
    assert [item["id"] for item in page["items"]] == [a["id"]]
    _, page, _ = manager.get("/api/orders?q=FILTER-&date_from=2000-01-01&date_to=2999-12-31")
    assert page["count"] == 2
    _, page, _ = manager.get("/api/orders?q=FILTER-&date_to=2000-01-01")
    assert page["count"] == 0
    _, page, _ = manager.get("/api/orders?q=FILTER-&order=amount_total desc, id")
    assert page["count"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("order=nope desc", "order"),
        ("order=name; DROP TABLE sale_order", "order"),
        ("state=done", "state"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("offset=-1", "offset"),
        ("date_from=01/02/2024", "date_from"),
        ("colour=red", "colour"),
        ("limit=1&limit=2", "limit"),
    ],
)
def test_list_bad_parameters_are_400(rest, query, field):
    assert_error(rest.get(f"/api/orders?{query}"), 400, field)


# -- change ---------------------------------------------------------------------------------------


def test_patch_a_draft_order_sets_its_lines(rest, rest_db):
    order = rest.post(
        "/api/orders",
        {
            "partner_id": rest_db.ids["customer"],
            "order_line": [
                {"product_id": rest_db.ids["desk"]},
                {"product_id": rest_db.ids["chair"]},
            ],
        },
    )[1]
    desk_line, chair_line = order["order_line"]
    status, changed, _ = rest.patch(
        f"/api/orders/{order['id']}",
        {
            "client_order_ref": "PO-2",
            "validity_date": None,
            "order_line": [
                {"id": desk_line["id"], "product_uom_qty": 5},
                {"product_id": rest_db.ids["chair"], "price_unit": 10},
            ],
        },
    )
    assert status == 200, changed
    assert changed["client_order_ref"] == "PO-2"
    lines = changed["order_line"]
    assert [line["id"] for line in lines][0] == desk_line["id"]
    assert chair_line["id"] not in [line["id"] for line in lines]
    assert lines[0]["product_uom_qty"] == 5 and lines[1]["price_unit"] == 10
    assert changed["amount_untaxed"] == 510.0
    status, same, _ = rest.patch(f"/api/orders/{order['id']}", {})
    assert status == 200 and same == changed


def test_patch_a_confirmed_order_is_409(rest):
    order = rest.new_order()
    assert rest.post(f"/api/orders/{order['id']}/confirm")[1]["state"] == "sale"
    assert_error(
        rest.patch(f"/api/orders/{order['id']}", {"client_order_ref": "late"}),
        409,
        text="only quotations in draft",
    )


def test_patch_with_a_line_of_another_order_is_422(rest, rest_db):
    first, second = rest.new_order(), rest.new_order()
    foreign = second["order_line"][0]["id"]
    answer = rest.patch(f"/api/orders/{first['id']}", {"order_line": [{"id": foreign}]})
    assert_error(answer, 422, "order_line[0].id", "is not a line of")
    answer = rest.patch(f"/api/orders/{first['id']}", {"order_line": [{"product_uom_qty": 2}]})
    assert_error(answer, 422, "order_line[0].product_id", "needs a product")


def test_patch_unknown_and_forbidden_orders(rest, rest_db):
    assert_error(rest.patch("/api/orders/987654", {"note": "x"}), 404)
    assert_error(rest.patch(f"/api/orders/{rest_db.ids['other_order']}", {"note": "x"}), 403)


# -- workflow -------------------------------------------------------------------------------------


def test_confirm_under_and_over_the_threshold(rest):
    small = rest.new_order()
    status, confirmed, _ = rest.post(f"/api/orders/{small['id']}/confirm")
    assert status == 200 and confirmed["state"] == "sale"
    body = assert_error(rest.post(f"/api/orders/{small['id']}/confirm"), 409)
    assert "Sales Order" in body["message"] and body["name"].endswith("StateError")
    big = rest.new_order(order_line=[{"product_id": rest.db.ids["desk"], "product_uom_qty": 60}])
    assert rest.post(f"/api/orders/{big['id']}/confirm")[1]["state"] == "to_approve"


def test_approve_needs_a_manager_and_the_right_state(rest):
    big = rest.new_order(order_line=[{"product_id": rest.db.ids["desk"], "product_uom_qty": 60}])
    manager = rest.as_("manager")
    assert_error(manager.post(f"/api/orders/{big['id']}/approve"), 409, text="To Approve")
    rest.post(f"/api/orders/{big['id']}/confirm")
    assert_error(rest.post(f"/api/orders/{big['id']}/approve"), 403, text="Sales Manager")
    status, approved, _ = manager.post(f"/api/orders/{big['id']}/approve")
    assert status == 200 and approved["state"] == "sale"
    with rest.db.env() as env:
        steps = env["sale.order"].browse(big["id"]).history_ids
        assert [(s.step, s.user_id.id) for s in steps.sorted("id")] == [
            ("submit", rest.db.ids["salesman"]),
            ("approve", rest.db.ids["manager"]),
        ]


def test_cancel_then_cancel_again_is_409(rest):
    order = rest.new_order()
    status, cancelled, _ = rest.post(f"/api/orders/{order['id']}/cancel")
    assert status == 200 and cancelled["state"] == "cancel"
    assert_error(rest.post(f"/api/orders/{order['id']}/cancel"), 409, text="Cancelled")
    assert_error(rest.post("/api/orders/987654/cancel"), 404)


# -- products -------------------------------------------------------------------------------------


def test_products_are_listed_and_read(rest, rest_db):
    status, page, _ = rest.get("/api/products?limit=1000")
    assert status == 200
    names = {item["name"] for item in page["items"]}
    assert {"Desk", "Chair"} <= names and "Old Lamp" not in names and "B Widget" not in names
    _, page, _ = rest.get("/api/products?active=false&q=lamp")
    assert [item["id"] for item in page["items"]] == [rest_db.ids["old"]]
    _, page, _ = rest.get(f"/api/products?categ_id={rest_db.ids['category']}&type=consu")
    assert [item["name"] for item in page["items"]] == ["Desk"]
    status, desk, _ = rest.get(f"/api/products/{rest_db.ids['desk']}")
    assert status == 200
    assert desk["categ_id"] == {"id": rest_db.ids["category"], "name": "Furniture"}
    assert desk["taxes_id"] == [rest_db.ids["tax10"]] and desk["company_id"] is None
    assert_error(rest.get("/api/products/987654"), 404)
    assert_error(rest.get("/api/products?active=maybe"), 400, "active")


def test_products_are_read_only(rest):
    status, _, headers = rest.post("/api/products", {"name": "New"})
    assert status == 405 and "GET" in headers["Allow"]


def test_a_body_field_named_self_is_an_input_error_not_a_crash(rest, rest_db):
    # the JSON-2 dispatcher passes the body's keys as keyword arguments: "self" clashed with
    # the controller method's own and was a 500
    body = {"partner_id": rest_db.ids["customer"], "self": 1}
    assert_error(rest.post("/api/orders", body), 400, "self", "not a known field")


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=%00", "q"), ("order=user_id.password", "order"), ("order=order_line", "order")],
)
def test_list_parameters_the_database_cannot_take_are_400(rest, query, field):
    assert_error(rest.get(f"/api/orders?{query}"), 400, field)


@pytest.mark.parametrize(
    "date_order", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00", "2024-01-01T25:00:00Z"]
)
def test_dates_out_of_range_are_400(rest, rest_db, date_order):
    body = {"partner_id": rest_db.ids["customer"], "date_order": date_order}
    assert_error(rest.post("/api/orders", body), 400, "date_order")


def test_date_time_with_an_offset_is_stored_in_utc(rest, rest_db):
    order = rest.new_order(date_order="2030-06-01T10:30:00+02:00")
    assert order["date_order"] == "2030-06-01T08:30:00Z"


def test_the_document_refuses_unknown_parameters_as_documented(rest):
    code, body, _ = rest.as_(None).get("/api/openapi.json?x=1")
    assert code == 400 and body["field"] == "x"
    doc = rest.as_(None).get("/api/openapi.json")[1]
    assert "400" in doc["paths"]["/api/openapi.json"]["get"]["responses"]
