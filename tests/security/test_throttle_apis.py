"""Issue 10, finding 2: every credential check goes through the login throttle.

Wrong passwords through ``object.execute_kw`` (JSON-RPC and XML-RPC), wrong API keys through
JSON-2 and REST, wrong passwords through ``common.authenticate``, ``/web/session/authenticate``
and ``/web/login`` are counted per login and per client address; past five the login (or the
address) is blocked and even the right password, or a key remembered by the server, is refused
with the throttle's message until the block expires. Time stands still and moves through the
throttle's own clock (``erplite.security.throttle.clock``), never by sleeping.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from psycopg import sql

from erplite.security import throttle
from tests.security.api_harness import (  # noqa: F401 - the fixtures api_db and app
    Apis,
    add_user,
    api_app_fixture,
    api_db_fixture,
)

THROTTLED = throttle.MESSAGE
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def address():
    """A client address of this test only (the counters are per address too)."""
    return next(_addresses)


@pytest.fixture
def apis(app, api_db, address):
    return Apis(app, api_db, address)


@pytest.fixture
def user(api_db):
    """A salesperson of this test only (the counters are per login)."""
    return add_user(api_db, "victim")


@pytest.fixture(autouse=True)
def later(monkeypatch):
    """The throttle's clock, frozen for the test (a loaded machine must not outlast a
    one-second block); ``later(seconds)`` moves it forward."""
    start = throttle.utcnow()
    monkeypatch.setattr(throttle, "clock", lambda: start)

    def move(seconds: float) -> None:
        moved = start + timedelta(seconds=seconds)
        monkeypatch.setattr(throttle, "clock", lambda: moved)

    return move


def counter(db, key: str) -> int:
    with db.cursor() as cr:
        cr.execute(
            sql.SQL("SELECT failures FROM {} WHERE key = %s").format(
                sql.Identifier(throttle.TABLE_NAME)
            ),
            [key],
        )
        row = cr.fetchone()
        return row[0] if row else 0


def login_key(db, user: str) -> str:
    return throttle.login_key(db.logins[user])


def search_count(apis, via: str, user: str, password: str | None = None):
    return apis.call(
        via, user, "res.partner", "search_count", [], {"domain": []}, password=password
    )


@pytest.mark.parametrize("via", ["jsonrpc", "xmlrpc"])
def test_fifty_wrong_passwords_through_execute_kw_are_counted_and_blocked(
    apis, api_db, user, address, later, via
):
    answers = [search_count(apis, via, user, password=f"guess-{n}") for n in range(50)]
    assert all(not answer.ok and answer.kind == "AccessDenied" for answer in answers)
    # five were checked (and counted), the 45 others refused at once by the throttle
    assert [answer.message == THROTTLED for answer in answers] == [False] * 5 + [True] * 45
    assert counter(api_db, login_key(api_db, user)) == 5
    assert counter(api_db, f"ip:{address}") == 5
    # the right password is refused while blocked, with the throttle's message
    blocked = search_count(apis, via, user)
    assert not blocked.ok and blocked.kind == "AccessDenied" and blocked.message == THROTTLED
    # from another address too: the login itself is blocked
    elsewhere = Apis(apis.client.application, api_db, next(_addresses))
    assert search_count(elsewhere, via, user).message == THROTTLED
    # once the block is over, the right password works and clears the counters
    later(60)
    ok = search_count(apis, via, user)
    assert ok.ok and isinstance(ok.result, int), ok
    assert counter(api_db, login_key(api_db, user)) == 0
    assert counter(api_db, f"ip:{address}") == 0


@pytest.mark.parametrize("via", ["jsonrpc", "xmlrpc"])
def test_a_remembered_password_does_not_pass_a_blocked_login(apis, api_db, user, via):
    assert search_count(apis, via, user).ok  # verified once: remembered by the server
    attacker = Apis(apis.client.application, api_db, next(_addresses))
    for n in range(5):
        assert not search_count(attacker, via, user, password=f"guess-{n}").ok
    blocked = search_count(apis, via, user)
    assert not blocked.ok and blocked.message == THROTTLED, blocked


def test_an_unknown_user_id_counts_for_the_address(apis, api_db, address):
    for _ in range(5):
        assert not apis.call(
            "jsonrpc", "nobody", "res.partner", "search_count", [[]], password="x"
        ).ok
    assert counter(api_db, f"ip:{address}") == 5
    # then the address is blocked for every login
    assert search_count(apis, "jsonrpc", "salesman").message == THROTTLED


@pytest.mark.parametrize("via", ["json2", "rest"])
def test_wrong_api_keys_block_the_address(apis, api_db, user, address, later, via):
    def call(key: str | None = None):
        if via == "json2":
            return apis.json2(
                key or api_db.keys[user], "res.partner", "search_count", {"domain": []}
            )
        return apis.rest(user, "GET", "/api/products", key=key)

    for n in range(5):
        wrong = call(f"wrong-key-{n}")
        assert wrong.status == 401, wrong
    assert counter(api_db, f"ip:{address}") == 5
    blocked = call()
    assert blocked.status == 429 and THROTTLED in blocked.message, blocked
    response = apis.client.post(
        "/json/2/res.partner/search_count",
        json={"domain": []},
        headers={"Authorization": f"bearer {api_db.keys[user]}"},
        environ_base=apis.environ,
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    # the key works from elsewhere, and here once the block is over
    elsewhere = Apis(apis.client.application, api_db, next(_addresses))
    assert elsewhere.json2(api_db.keys[user], "res.partner", "search_count", {"domain": []}).ok
    later(60)
    assert call().ok


@pytest.mark.parametrize("via", ["json2", "rest"])
def test_a_remembered_api_key_does_not_pass_a_blocked_login(apis, api_db, user, via):
    def call():
        if via == "json2":
            return apis.json2(api_db.keys[user], "res.partner", "search_count", {"domain": []})
        return apis.rest(user, "GET", "/api/products")

    assert call().ok  # the key is remembered from now on
    attacker = Apis(apis.client.application, api_db, next(_addresses))
    for n in range(5):
        assert not search_count(attacker, "jsonrpc", user, password=f"guess-{n}").ok
    blocked = call()
    assert blocked.status == 429 and THROTTLED in blocked.message, blocked


@pytest.mark.parametrize("via", ["jsonrpc", "xmlrpc"])
def test_common_authenticate_is_throttled(apis, api_db, user, later, via):
    def authenticate(password: str):
        args = [api_db.name, api_db.logins[user], password, {}]
        if via == "jsonrpc":
            return apis.jsonrpc("common", "authenticate", args)
        return apis.xmlrpc("common", "authenticate", tuple(args))

    for n in range(5):
        assert authenticate(f"guess-{n}").result is False
    assert counter(api_db, login_key(api_db, user)) == 5
    assert authenticate(api_db.passwords[user]).result is False  # blocked: refused
    later(60)
    assert authenticate(api_db.passwords[user]).result == api_db.ids[user]


def test_session_authenticate_is_throttled(apis, api_db, user, later):
    for n in range(5):
        refused = apis.session_authenticate(api_db.logins[user], f"guess-{n}")
        assert refused.kind == "AccessDenied" and refused.message != THROTTLED
    blocked = apis.session_authenticate(api_db.logins[user], api_db.passwords[user])
    assert blocked.kind == "AccessDenied" and blocked.message == THROTTLED
    later(60)
    assert apis.session_authenticate(api_db.logins[user], api_db.passwords[user]).ok


def test_the_login_form_is_throttled(apis, api_db, user, later):
    def post(password: str) -> str:
        page = apis.client.get("/web/login", environ_base=apis.environ).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = apis.client.post(
            "/web/login",
            data={"login": api_db.logins[user], "password": password, "csrf_token": token},
            environ_base=apis.environ,
        )
        return response.status_code, response.get_data(as_text=True)

    for n in range(5):
        status, page = post(f"guess-{n}")
        assert status == 200 and "Wrong login/password" in page
    status, page = post(api_db.passwords[user])
    assert status == 200 and "Too many login failures" in page
    later(60)
    status, _page = post(api_db.passwords[user])
    assert status in (302, 303)


def test_a_remembered_rpc_call_costs_no_extra_statement(apis, api_db, user):
    """The throttle's counters come with the credentials, in the request's first statement."""
    from erplite.sql import count_queries

    assert search_count(apis, "jsonrpc", user).ok
    with count_queries() as statements:
        assert search_count(apis, "jsonrpc", user).ok
    # signals + credentials + counters in one statement, then the count itself
    assert len(statements) == 2, [str(s)[:200] for s in statements]
