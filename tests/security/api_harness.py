"""One database and one client per API, for the tests that attack the orders through every
external API: JSON-RPC (``/jsonrpc``), XML-RPC (``/xmlrpc/2/object``), JSON-2
(``/json/2/<model>/<method>``) and REST (``/api/orders``).

``make_api_database`` copies the session's template (``orders`` and ``web`` installed) and
fills it with two companies, a customer and a product in each, a salesperson and a manager
(passwords and API keys known) and a second-company user. ``Apis`` calls one API as one user
through a werkzeug test client on an ``Application`` serving that copy, and answers every call
as an :class:`Outcome` so that a test asks the same question of the four APIs.

The fixtures ``api_db`` (that copy, per test module, dropped after) and ``app`` (the
``Application`` serving it) are defined here once: a test module or conftest imports
``api_db_fixture`` and ``api_app_fixture`` to have them.
"""

from __future__ import annotations

import json
import uuid
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.http import Application
from erplite.sql import close_pool, dbname_of
from erplite.testing import create_database, drop_database

APIS = ("jsonrpc", "xmlrpc", "json2", "rest")


@dataclass
class ApiDatabase:
    dsn: str
    name: str
    addons_paths: tuple[str, ...]
    ids: dict[str, int] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)

    def cursor(self) -> Any:
        """A committed transaction of its own (``with db.cursor() as cr``)."""
        return Registry(self.dsn, self.addons_paths).cursor()

    def env(self, cr: Any, uid: int = SUPERUSER_ID) -> Any:
        return api.Environment(cr, uid, {})


def make_api_database(server: str, template_dsn: str, addons_paths: tuple[str, ...]) -> ApiDatabase:
    name = f"erplite_api_{uuid.uuid4().hex[:10]}"
    dsn = create_database(server, name, template=dbname_of(template_dsn))
    db = ApiDatabase(dsn, name, tuple(addons_paths))
    with db.cursor() as cr:
        env = db.env(cr)
        company = env.ref("base.main_company")
        company.so_double_validation_amount = 5000.0
        company_b = env["res.company"].create({"name": f"Company B {name}"})
        tax = env["account.tax"].create(
            {"name": "VAT 10", "amount": 10.0, "company_id": company.id}
        )
        tax_b = env["account.tax"].create(
            {"name": "VAT B", "amount": 5.0, "company_id": company_b.id}
        )
        desk = env["product.product"].create(
            {"name": "Desk", "list_price": 100.0, "taxes_id": [Command.set(tax.ids)]}
        )
        b_widget = env["product.product"].create(
            {"name": "B Widget", "list_price": 10.0, "company_id": company_b.id}
        )
        customer = env["res.partner"].create({"name": "Azure Interior", "is_company": True})
        b_customer = env["res.partner"].create(
            {"name": "B Customer", "is_company": True, "company_id": company_b.id}
        )

        def user(login: str, group: str, companies: Any = company) -> Any:
            db.passwords[login] = f"{login}-{uuid.uuid4().hex[:8]}"
            return env["res.users"].create(
                {
                    "name": login.title(),
                    "login": f"{login}-{name}",
                    "password": db.passwords[login],
                    "company_id": companies[0].id,
                    "company_ids": [Command.set(companies.ids)],
                    "groups_id": [Command.set([env.ref(group).id])],
                }
            )

        salesman = user("salesman", "sales_team.group_sale_salesman")
        manager = user("manager", "sales_team.group_sale_manager")
        both = user("both", "sales_team.group_sale_manager", company | company_b)
        db.ids = {
            "company": company.id,
            "company_b": company_b.id,
            "tax": tax.id,
            "tax_b": tax_b.id,
            "desk": desk.id,
            "b_widget": b_widget.id,
            "customer": customer.id,
            "b_customer": b_customer.id,
            "salesman": salesman.id,
            "manager": manager.id,
            "both": both.id,
        }
        for login in ("salesman", "manager", "both"):
            db.keys[login] = (
                env["res.users.apikeys"].with_user(db.ids[login])._generate("rpc", "api tests")
            )
        db.logins = {login: f"{login}-{name}" for login in ("salesman", "manager", "both")}
    return db


@pytest.fixture(scope="module", name="api_db")
def api_db_fixture(
    erplite_server: str, erplite_template: Any, erplite_addons_paths: Any
) -> Iterator[ApiDatabase]:
    """``api_db``: :func:`make_api_database`'s copy for the test module, dropped after."""
    db = make_api_database(erplite_server, erplite_template[0], erplite_addons_paths)
    try:
        yield db
    finally:
        close_pool(db.dsn)
        drop_database(erplite_server, db.name)


@pytest.fixture(scope="module", name="app")
def api_app_fixture(api_db: ApiDatabase) -> Application:
    """``app``: the ``Application`` serving ``api_db``."""
    return Application(api_db.dsn, api_db.addons_paths)


def add_user(db: ApiDatabase, name: str, group: str = "sales_team.group_sale_salesman") -> str:
    """A new user ``name`` (unique login, known password, an API key) in ``db``, committed;
    returns ``name``, the key of the user in ``db.ids``, ``db.logins``, ``db.passwords`` and
    ``db.keys``."""
    name = f"{name}-{uuid.uuid4().hex[:8]}"
    with db.cursor() as cr:
        env = db.env(cr)
        db.passwords[name] = f"pw-{uuid.uuid4().hex[:10]}"
        db.logins[name] = name
        user = env["res.users"].create(
            {
                "name": name,
                "login": name,
                "password": db.passwords[name],
                "groups_id": [Command.set([env.ref(group).id])],
            }
        )
        db.ids[name] = user.id
        db.keys[name] = env["res.users.apikeys"].with_user(user)._generate("rpc", "throttle")
    return name


@dataclass
class Outcome:
    """What an API answered: ``ok`` with ``result``, or an error of ``kind`` (the exception's
    short name, e.g. ``AccessError``, or the HTTP status for REST/JSON-2) and ``message``."""

    ok: bool
    result: Any = None
    kind: str = ""
    message: str = ""
    status: int = 200


class Apis:
    """Calls of ``model.method`` through one API as one user."""

    def __init__(self, app: Any, db: ApiDatabase, address: str = "127.0.0.1"):
        self.client = Client(app)
        self.db = db
        self.environ = {"REMOTE_ADDR": address}

    # -- the three RPC flavours of execute_kw ---------------------------------------------------
    def call(
        self,
        via: str,
        user: str,
        model: str,
        method: str,
        args: list,
        kw: dict | None = None,
        password: str | None = None,
    ) -> Outcome:
        """``model.method(*args, **kw)`` as ``user`` through ``via`` (``jsonrpc``, ``xmlrpc``
        or ``json2``; JSON-2 takes ``args[0]`` as the ids and ``kw`` as the body)."""
        uid = self.db.ids.get(user, 0)
        secret = password if password is not None else self.db.passwords.get(user, "")
        if via == "jsonrpc":
            return self.jsonrpc(
                "object", "execute_kw", [self.db.name, uid, secret, model, method, args, kw or {}]
            )
        if via == "xmlrpc":
            return self.xmlrpc(
                "object", "execute_kw", (self.db.name, uid, secret, model, method, args, kw or {})
            )
        if via == "json2":
            key = password if password is not None else self.db.keys[user]
            body = dict(kw or {})
            if args and isinstance(args[0], list) and all(isinstance(i, int) for i in args[0]):
                body["ids"] = args[0]
                args = args[1:]
            if args:
                raise ValueError("json2 calls take keyword arguments only")
            return self.json2(key, model, method, body)
        raise ValueError(via)

    def jsonrpc(self, service: str, method: str, args: list) -> Outcome:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": args},
        }
        response = self.client.post("/jsonrpc", json=body, environ_base=self.environ)
        reply = response.get_json()
        if "error" in reply:
            data = reply["error"]["data"]
            return Outcome(
                False,
                kind=data["name"].rsplit(".", 1)[-1],
                message=data["message"],
                status=response.status_code,
            )
        return Outcome(True, reply["result"])

    def xmlrpc(self, service: str, method: str, args: tuple) -> Outcome:
        body = xmlrpc.client.dumps(args, method, allow_none=True)
        response = self.client.post(
            f"/xmlrpc/2/{service}",
            data=body,
            content_type="text/xml",
            environ_base=self.environ,
        )
        try:
            (result,), _method = xmlrpc.client.loads(response.get_data(), use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            return Outcome(False, kind=_fault_kind(fault), message=fault.faultString)
        return Outcome(True, result)

    def json2(self, key: str, model: str, method: str, body: dict) -> Outcome:
        response = self.client.post(
            f"/json/2/{model}/{method}",
            json=body,
            headers={"Authorization": f"bearer {key}"},
            environ_base=self.environ,
        )
        return _http_outcome(response)

    # -- REST -----------------------------------------------------------------------------------
    def rest(
        self, user: str, verb: str, url: str, body: Any = None, key: str | None = None
    ) -> Outcome:
        key = key if key is not None else self.db.keys[user]
        response = self.client.open(
            url,
            method=verb,
            json=body,
            headers={"Authorization": f"bearer {key}"},
            environ_base=self.environ,
        )
        return _http_outcome(response)

    # -- sessions -------------------------------------------------------------------------------
    def session_authenticate(self, login: str, password: str) -> Outcome:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"db": self.db.name, "login": login, "password": password},
        }
        response = self.client.post(
            "/web/session/authenticate", json=body, environ_base=self.environ
        )
        reply = response.get_json()
        if "error" in reply:
            data = reply["error"]["data"]
            return Outcome(False, kind=data["name"].rsplit(".", 1)[-1], message=data["message"])
        return Outcome(True, reply["result"])


#: ``/xmlrpc/2`` fault codes (``erplite.http.xmlrpc``, as Odoo): 2 is a ``UserError`` or
#: ``ValidationError`` (a warning), 3 ``AccessDenied``, 4 ``AccessError``
_FAULT_KINDS = {2: "UserError", 3: "AccessDenied", 4: "AccessError"}


def _fault_kind(fault: xmlrpc.client.Fault) -> str:
    return _FAULT_KINDS.get(fault.faultCode, str(fault.faultCode))


def _http_outcome(response: Any) -> Outcome:
    text = response.get_data(as_text=True)
    data = json.loads(text) if response.mimetype == "application/json" and text else text
    if response.status_code < 300:
        return Outcome(True, data, status=response.status_code)
    message = data.get("message", "") if isinstance(data, dict) else str(data)
    kind = data.get("name", "") if isinstance(data, dict) else ""
    return Outcome(
        False,
        data,
        kind=str(kind).rsplit(".", 1)[-1] or str(response.status_code),
        message=message,
        status=response.status_code,
    )
