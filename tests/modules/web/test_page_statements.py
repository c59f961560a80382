"""What a backoffice page costs in SQL statements on a warm worker. Menus, views, actions, rights
and rules come from the registry's caches and cost nothing.

Issue 13's budget is 4 statements for the list of 80 sale orders and 6 for the form of an
order with 20 lines; today they cost 8 and 10, and these tests keep them from growing:

- list (8): the registry/access signals, the session user's credentials (the dispatcher's
  two), the user's row (the frame shows their name), one ``search_read`` (search, columns and
  the plain display names joined), the customers' names and the salespeople's names (neither
  is a plain joinable name: ``complete_name``, an ``_inherits`` name), the count, the currency;
- form (10): the same two, the user, the record found within the rules, its row, its lines, the
  customers' and salespeople's names, the products' names (``[code] name``), the currency.

Reaching the budget needs the ORM to join those display names and the dispatcher to read the
credentials with the signals (as the RPC path does)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import close_pool, count_queries

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def served(erplite_server: str, erplite_template: Any, erplite_addons_paths: Any) -> Iterator[Any]:
    import uuid

    from erplite.http import Application
    from erplite.sql import dbname_of
    from erplite.testing import create_database, drop_database

    name = f"erplite_wstmt_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    registry = Registry(dsn, erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        manager = env["res.users"].create(
            {
                "name": "Mona Manager",
                "login": "mona",
                "password": "mona",
                "groups_id": [Command.set([env.ref("orders.group_sale_manager").id])],
            }
        )
        partners = env["res.partner"].create([{"name": f"Customer {i}"} for i in range(10)])
        product = env["product.product"].create({"name": "Widget", "list_price": 10.0})
        env["sale.order"].create(
            [
                {
                    "partner_id": partners[i % 10].id,
                    "user_id": manager.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for i in range(85)
            ]
        )
        big = env["sale.order"].create(
            {
                "partner_id": partners[0].id,
                "user_id": manager.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": i + 1})
                    for i in range(20)
                ],
            }
        )
        ids = {
            "action": env.ref("orders.action_quotations").id,
            "big": big.id,
        }
    app = Application(dsn, erplite_addons_paths)
    client = Client(app)
    page = client.get("/web/login").get_data(as_text=True)
    token = _CSRF_RE.search(page).group(1)
    response = client.post(
        "/web/login", data={"login": "mona", "password": "mona", "csrf_token": token}
    )
    assert response.status_code == 303
    try:
        yield client, ids
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


def _statements(client: Client, url: str) -> tuple[Any, list]:
    for _ in range(2):  # warm: registry, views, menus, actions, rights cached
        assert client.get(url).status_code == 200
    with count_queries() as statements:
        response = client.get(url)
    listing = [str(s)[:200] for s in statements]
    besides = [s for s in listing if s.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]
    return response, besides


def test_the_statements_of_a_list_page_of_80_orders(served: Any) -> None:
    client, ids = served
    url = f"/web/action/{ids['action']}/list?searched=1"
    response, statements = _statements(client, url)
    page = response.get_data(as_text=True)
    assert page.count('class="o-row') == 80
    assert "1-80 / 86" in page
    assert len(statements) <= 8, "\n".join(statements)


def test_the_statements_of_an_order_form_with_20_lines(served: Any) -> None:
    client, ids = served
    url = f"/web/action/{ids['action']}/form/{ids['big']}"
    response, statements = _statements(client, url)
    page = response.get_data(as_text=True)
    assert page.count('class="o-line"') == 21  # the 20 lines and the template of a new one
    assert len(statements) <= 10, "\n".join(statements)
