"""Fixtures of the web module's tests: its ``ui`` helpers, imported once the template database's
registry has loaded the module (modules are imported as ``erplite.addons.<name>``), and
``served``: per test module, a copy of the template database with sales data and users
(``mona`` a sales manager of two companies, ``max`` one of one company, ``sid`` a
salesperson; password = login) served
by an ``Application``; ``served.client(login)`` is a werkzeug client logged in as that user."""

from __future__ import annotations

import contextlib
import importlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import close_pool

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def web_ui(erplite_template: Any) -> Any:
    """``web_ui("widgets")``: a module of ``erplite.addons.web.ui``."""

    def load(name: str) -> Any:
        return importlib.import_module(f"erplite.addons.web.ui.{name}")

    return load


def csrf_of(page: str) -> str:
    match = _CSRF_RE.search(page)
    assert match, "no csrf_token in the page"
    return match.group(1)


@contextlib.contextmanager
def served_copy(
    server: str,
    template_dsn: str,
    addons_paths: Any,
    prefix: str,
    setup: Callable[[Any], dict[str, int]],
) -> Iterator[dict[str, Any]]:
    """A copy of the template database ``template_dsn`` (named ``<prefix>_<random>``), its
    data completed by ``setup(env)`` (a superuser environment, committed; it returns the ids
    the tests need), served by an ``Application``: ``{"app", "ids", "dsn", "addons"}``. The
    copy is dropped afterwards."""
    from erplite.http import Application
    from erplite.sql import dbname_of
    from erplite.testing import create_database, drop_database

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    dsn = create_database(server, name, template=dbname_of(template_dsn))
    registry = Registry(dsn, addons_paths)
    with registry.cursor() as cr:
        ids = setup(api.Environment(cr, SUPERUSER_ID, {}))
    app = Application(dsn, addons_paths)
    try:
        yield {"app": app, "ids": ids, "dsn": dsn, "addons": addons_paths}
    finally:
        close_pool(dsn)
        drop_database(server, name)


def login_client(app: Any, login: str) -> Client:
    """A werkzeug client of ``app`` logged in as ``login`` (password: the login) through the
    login form."""
    client = Client(app)
    token = csrf_of(client.get("/web/login").get_data(as_text=True))
    response = client.post(
        "/web/login", data={"login": login, "password": login, "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def page_html(client: Client, url: str) -> str:
    """The HTML of the page at ``url``, asserted to answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:800])
    return response.get_data(as_text=True)


@dataclass
class Served:
    app: Any
    dsn: str
    addons_paths: tuple
    ids: dict[str, int] = field(default_factory=dict)

    def client(self, login: str) -> Client:
        return login_client(self.app, login)

    def env(self) -> Any:
        registry = Registry(self.dsn, self.addons_paths)
        return registry


@pytest.fixture(scope="module")
def served(erplite_server: str, erplite_template: Any, erplite_addons_paths: Any) -> Iterator[Any]:
    from erplite.http import Application
    from erplite.sql import dbname_of
    from erplite.testing import create_database, drop_database

    name = f"erplite_wweb_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    registry = Registry(dsn, erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        main = env.ref("base.main_company")
        second = env["res.company"].create({"name": "Second Company"})
        manager = env["res.users"].create(
            {
                "name": "Mona Manager",
                "login": "mona",
                "password": "mona",
                "company_id": main.id,
                "company_ids": [Command.set([main.id, second.id])],
                "groups_id": [
                    Command.set(
                        [
                            env.ref("sales_team.group_sale_manager").id,
                            env.ref("base.group_multi_company").id,
                        ]
                    )
                ],
            }
        )
        env["res.users"].create(
            {
                "name": "Max Manager",
                "login": "max",
                "password": "max",
                "groups_id": [Command.set([env.ref("sales_team.group_sale_manager").id])],
            }
        )
        salesperson = env["res.users"].create(
            {
                "name": "Sid Seller",
                "login": "sid",
                "password": "sid",
                "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
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
            "main": main.id,
            "second": second.id,
            "sid": salesperson.id,
            "customer": partners[0].id,
        }
    served = Served(Application(dsn, erplite_addons_paths), dsn, erplite_addons_paths, ids)
    try:
        yield served
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)
