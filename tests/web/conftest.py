"""A real headless Chromium against a real server, for the backoffice journeys.

- ``browser``: Debian's ``chromium`` (``/usr/bin/chromium``, installed by ``.ci/run``) driven by
  Playwright, one per test session; Playwright's own browser download is never used.
- ``backoffice``: per test, a copy of the template database with known users and a little
  sales data (made once per session, see ``BackofficeCopies``), served by werkzeug's threaded
  server on 127.0.0.1;
  ``backoffice.url``, ``backoffice.env()`` (a superuser environment in its own committed
  transaction, to check what a journey wrote) and the record ids of the data.
- ``page``: a fresh browser context and page (desktop size); ``phone_page`` at 390x844. The
  page of each test is screenshotted when the test ends, into ``tests/web/artifacts/``
  (git-ignored), named after the test.

Users (password = login): ``admin`` (settings), ``sally`` (salesperson: her own orders),
``sam`` (another salesperson), ``mike`` (sales manager).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from erplite.sql import close_pool

CHROMIUM = os.environ.get("ERPLITE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------


@dataclass
class Backoffice:
    """A served copy of the template database and what the journeys need to know about it."""

    dsn: str
    url: str
    addons_paths: tuple[str, ...]
    ids: dict[str, int] = field(default_factory=dict)

    @contextlib.contextmanager
    def env(self) -> Iterator[Any]:
        """A superuser environment in a transaction committed at the end of the block."""
        from erplite import SUPERUSER_ID, Registry, api

        registry = Registry(self.dsn, self.addons_paths)
        with registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})


def _make_users_and_data(env: Any) -> dict[str, int]:
    """The users of the journeys and a few orders of each salesperson."""
    from erplite import Command, fields

    company = env.ref("base.main_company")
    company.so_double_validation_amount = 5000.0
    admin = env.ref("base.user_admin")
    admin.write({"password": "admin"})

    def user(login: str, name: str, *groups: str) -> Any:
        return env["res.users"].create(
            {
                "name": name,
                "login": login,
                "password": login,
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [Command.set([env.ref(xml_id).id for xml_id in groups])],
            }
        )

    sally = user("sally", "Sally Seller", "sales_team.group_sale_salesman")
    sam = user("sam", "Sam Other", "sales_team.group_sale_salesman")
    mike = user("mike", "Mike Manager", "sales_team.group_sale_manager")
    azure = env["res.partner"].create({"name": "Azure Interior", "is_company": True})
    deco = env["res.partner"].create({"name": "Deco Addict", "is_company": True})
    tax = env["account.tax"].create({"name": "VAT 10", "amount": 10.0, "company_id": company.id})
    desk = env["product.product"].create(
        {"name": "Office Desk", "list_price": 100.0, "taxes_id": [Command.set(tax.ids)]}
    )
    chair = env["product.product"].create({"name": "Office Chair", "list_price": 50.0})

    # One date for every order: created one after the other they may straddle a second, and the
    # lists (date_order desc, then id) would then put them in an order that varies run to run.
    ordered_at = fields.Datetime.now()

    def order(salesperson: Any, partner: Any, quantity: float) -> Any:
        return env["sale.order"].create(
            {
                "date_order": ordered_at,
                "partner_id": partner.id,
                "user_id": salesperson.id,
                "order_line": [
                    Command.create({"product_id": desk.id, "product_uom_qty": quantity}),
                    Command.create({"product_id": chair.id, "product_uom_qty": 1}),
                ],
            }
        )

    sally_azure = order(sally, azure, 2)
    sally_deco = order(sally, deco, 1)
    sam_azure = order(sam, azure, 3)
    big = order(sam, deco, 60)
    big.with_user(sam).action_confirm()  # above the threshold: waits for approval
    sally_big = order(sally, deco, 70)
    sally_big.with_user(sally).action_confirm()
    return {
        "admin": admin.id,
        "sally": sally.id,
        "sam": sam.id,
        "mike": mike.id,
        "azure": azure.id,
        "deco": deco.id,
        "desk": desk.id,
        "chair": chair.id,
        "sally_azure": sally_azure.id,
        "sally_deco": sally_deco.id,
        "sam_azure": sam_azure.id,
        "to_approve": big.id,
        "sally_to_approve": sally_big.id,
        "quotations_action": env.ref("orders.action_quotations").id,
    }


class _ServerThread:
    """A WSGI application on 127.0.0.1, served by werkzeug's threaded server in a thread."""

    def __init__(self, wsgi_app: Any):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _ServerThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


class BackofficeCopies:
    """Served copies of template databases holding the journeys' data. The data of each
    (template, ``make_data``) pair is made once per session, committed into a database of its
    own (its users' scrypt password hashes, orders, ...), and each test gets a copy of that
    database (``CREATE DATABASE ... TEMPLATE``), as fresh as one whose data was made for it."""

    def __init__(self, server: str, addons_paths: tuple[str, ...]) -> None:
        self.server = server
        self.addons_paths = addons_paths
        self._with_data: dict[tuple[str, Callable[[Any], dict[str, int]]], tuple[str, dict]] = {}
        self._databases: list[str] = []

    def _template_with_data(
        self, template_dsn: str, make_data: Callable[[Any], dict[str, int]]
    ) -> tuple[str, dict[str, int]]:
        from erplite.sql import dbname_of
        from erplite.testing import create_database

        key = (template_dsn, make_data)
        if key not in self._with_data:
            name = f"erplite_wdata_{uuid.uuid4().hex[:12]}"
            self._databases.append(name)
            dsn = create_database(self.server, name, template=dbname_of(template_dsn))
            with Backoffice(dsn, "", self.addons_paths).env() as env:
                ids = make_data(env)
            close_pool(dsn)
            self._with_data[key] = (dsn, ids)
        return self._with_data[key]

    @contextlib.contextmanager
    def served(
        self,
        template_dsn: str,
        make_data: Callable[[Any], dict[str, int]] = _make_users_and_data,
        prefix: str = "erplite_c",
    ) -> Iterator[Backoffice]:
        """A copy of the template database ``template_dsn`` (for the journeys needing modules
        the main template lacks) with the data ``make_data(env)`` makes (it returns the ids of
        ``backoffice.ids``), served like ``backoffice``; dropped afterwards."""
        from erplite.http import Application
        from erplite.sql import dbname_of
        from erplite.testing import create_database, drop_database

        source_dsn, ids = self._template_with_data(template_dsn, make_data)
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        dsn = create_database(self.server, name, template=dbname_of(source_dsn))
        office = Backoffice(dsn, "", self.addons_paths, dict(ids))
        try:
            with _ServerThread(Application(dsn, self.addons_paths)) as served:
                office.url = served.url
                yield office
        finally:
            close_pool(dsn)
            drop_database(self.server, name)

    def drop(self) -> None:
        from erplite.testing import drop_database

        for name in self._databases:
            drop_database(self.server, name)


@pytest.fixture(scope="session")
def backoffice_copies(
    erplite_server: str, erplite_addons_paths: tuple[str, ...]
) -> Iterator[BackofficeCopies]:
    copies = BackofficeCopies(erplite_server, erplite_addons_paths)
    try:
        yield copies
    finally:
        copies.drop()


@pytest.fixture
def backoffice(
    backoffice_copies: BackofficeCopies, erplite_template: tuple[str, Any]
) -> Iterator[Backoffice]:
    with backoffice_copies.served(erplite_template[0]) as office:
        yield office


# ---------------------------------------------------------------------------------------------
# the browser
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (bash .ci/run does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


def _artifact_name(request: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) + ".png"


@contextlib.contextmanager
def _page(browser: Any, request: Any, **context_options: Any) -> Iterator[Any]:
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        with contextlib.suppress(PlaywrightError):  # a crashed page leaves no screenshot
            page.screenshot(path=str(ARTIFACTS / _artifact_name(request)), full_page=True)
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Any, request: Any) -> Iterator[Any]:
    with _page(browser, request, viewport={"width": 1280, "height": 860}) as desktop:
        yield desktop


@pytest.fixture
def phone_page(browser: Any, request: Any) -> Iterator[Any]:
    with _page(
        browser,
        request,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    ) as phone:
        yield phone


def log_in(page: Any, backoffice: Backoffice, login: str, password: str | None = None) -> None:
    """Log in through the login form, as a person does, and wait for the backoffice."""
    page.goto(f"{backoffice.url}/web/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password or login)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(web|odoo)(/.*)?$"))
