"""Credentials: hashed write-only passwords, ``authenticate`` with one refusal message,
re-hashing, throttling of failed logins per login and per client address."""

from __future__ import annotations

import uuid

import pytest
from psycopg import sql

from erplite.exceptions import AccessDenied
from erplite.security import passwords
from erplite.security.throttle import MESSAGE as THROTTLED
from erplite.security.throttle import TABLE_NAME
from erplite.sql import SQL

DB = "ignored"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def alice(make_user, throttle_cleanup):
    login = unique("alice")
    throttle_cleanup.append(login)
    return make_user(login=login, password="correct horse")


def stored_hash(env, user):
    env.flush_all()
    env.cr.execute(SQL("SELECT password FROM res_users WHERE id = %s", user.id))
    return env.cr.fetchone()[0]


def authenticate(env, login, password, **user_agent_env):
    return env["res.users"].authenticate(DB, login, password, user_agent_env)


def test_password_stored_as_scrypt_hash_and_never_readable(env, alice, make_user):
    stored = stored_hash(env, alice)
    assert stored.startswith("scrypt:32768:8:1$") and "correct horse" not in stored
    assert alice.password == ""
    assert alice.read(["password"])[0]["password"] == ""
    assert env["res.users"].search_read([("id", "=", alice.id)], ["password"])[0]["password"] == ""
    system = make_user(groups=("base.group_user", "base.group_system"))
    assert alice.with_user(system).read(["password"])[0]["password"] == ""
    with pytest.raises(ValueError):
        env["res.users"].search([("password", "=", stored)])


def test_authenticate(env, alice):
    assert authenticate(env, alice.login, "correct horse", REMOTE_ADDR="192.0.2.1") == alice.id
    env.invalidate_all()
    assert alice.login_date


def test_one_message_whatever_was_wrong(env, alice, make_user, throttle_cleanup):
    inactive = make_user(login=unique("inactive"), password="correct horse")
    inactive.write({"active": False})
    throttle_cleanup.extend([inactive.login, "nobody-at-all", "__system__"])
    messages = set()
    for login, password in [
        (alice.login, "wrong"),
        ("nobody-at-all", "correct horse"),
        (inactive.login, "correct horse"),
        (alice.login, ""),
        ("", "correct horse"),
        ("__system__", "x"),
    ]:
        with pytest.raises(AccessDenied) as info:
            authenticate(env, login, password)
        messages.add(str(info.value))
    assert len(messages) == 1
    assert messages.pop() == str(AccessDenied())


def test_malformed_credentials_are_plain_refusals(env, alice):
    for login, password, agent in [
        (42, "correct horse", {}),
        (alice.login, None, {}),
        (alice.login, ["correct horse"], {}),
        (None, None, {"REMOTE_ADDR": 7}),
    ]:
        with pytest.raises(AccessDenied) as info:
            env["res.users"].authenticate(DB, login, password, agent)
        assert str(info.value) == str(AccessDenied())


def test_hash_rehashed_when_the_scheme_changes(env, alice):
    old = (
        "pbkdf2:sha256:1000$saltsalt$"
        + __import__("hashlib").pbkdf2_hmac("sha256", b"legacy", b"saltsalt", 1000).hex()
    )
    assert passwords.verify_password("legacy", old)
    env.cr.execute(SQL("UPDATE res_users SET password = %s WHERE id = %s", old, alice.id))
    assert authenticate(env, alice.login, "legacy") == alice.id
    assert stored_hash(env, alice).startswith("scrypt:32768:8:1$")
    assert authenticate(env, alice.login, "legacy") == alice.id


def test_session_token_changes_with_credentials(env, alice):
    token = alice._compute_session_token("sid")
    assert token == alice._compute_session_token("sid") != alice._compute_session_token("other")
    alice.write({"password": "a new one"})
    env.flush_all()
    changed = alice._compute_session_token("sid")
    assert changed != token
    alice.write({"login": unique("renamed")})
    env.flush_all()
    assert alice._compute_session_token("sid") != changed


def test_the_session_check_in_one_statement_gives_the_token_and_loads_the_user(env, alice):
    """``_session_check`` (what the HTTP layer runs with the request's first statement) gives
    the token ``_compute_session_token`` gives, and leaves the user's row and their partner's
    name in the cache; a user that is gone gets the empty token."""
    from erplite.sql import count_queries

    env.flush_all()
    expected = alice._compute_session_token("sid")
    seen = (alice.name, alice.login, alice.company_id.id)
    env.invalidate_all()
    query, token_of = alice._session_check("sid")
    env.cr.execute(query)
    row = env.cr.fetchone()
    with count_queries() as queries:
        assert token_of(row) == expected
        assert (alice.name, alice.login, alice.company_id.id) == seen
    assert queries == []
    assert token_of(None) == ""
    gone, _token_of = env["res.users"].browse(2_000_000_000)._session_check("sid")
    env.cr.execute(gone)
    assert env.cr.fetchone() is None


def _failures(registry, key):
    with registry.cursor() as cr:
        cr.execute(
            sql.SQL("SELECT failures FROM {} WHERE key = %s").format(sql.Identifier(TABLE_NAME)),
            [key],
        )
        row = cr.fetchone()
    return row[0] if row else 0


def _age_failures(registry, keys, seconds):
    with registry.cursor() as cr:
        cr.execute(
            sql.SQL(
                "UPDATE {} SET last_failure = last_failure - make_interval(secs => %s) "
                "WHERE key = ANY(%s)"
            ).format(sql.Identifier(TABLE_NAME)),
            [seconds, keys],
        )


def test_failures_survive_the_rollback_and_throttle_the_login(env, registry, alice):
    address = "192.0.2.10"
    for _ in range(5):
        with pytest.raises(AccessDenied) as info:
            authenticate(env, alice.login, "wrong", REMOTE_ADDR=address)
        assert str(info.value) != THROTTLED
    # committed in transactions of their own: visible to everyone now
    assert _failures(registry, f"login:{alice.login.lower()}") == 5
    assert _failures(registry, f"ip:{address}") == 5
    # blocked, even with the right password, from anywhere
    with pytest.raises(AccessDenied, match="Too many login failures") as info:
        authenticate(env, alice.login, "correct horse", REMOTE_ADDR="198.51.100.7")
    assert info.value.retry_after > 0
    # the backoff window passes: the right password works and clears the counters
    _age_failures(registry, [f"login:{alice.login.lower()}", f"ip:{address}"], 5)
    assert authenticate(env, alice.login, "correct horse", REMOTE_ADDR=address) == alice.id
    assert _failures(registry, f"login:{alice.login.lower()}") == 0
    assert _failures(registry, f"ip:{address}") == 0


def test_backoff_grows_with_each_failure(env, registry, alice):
    key = f"login:{alice.login.lower()}"
    for _ in range(5):
        with pytest.raises(AccessDenied):
            authenticate(env, alice.login, "wrong")
    _age_failures(registry, [key], 1.5)  # 1 s block over
    with pytest.raises(AccessDenied) as info:
        authenticate(env, alice.login, "wrong")
    assert str(info.value) != THROTTLED
    with pytest.raises(AccessDenied) as info:
        authenticate(env, alice.login, "correct horse")
    assert str(info.value) == THROTTLED and 1.0 < info.value.retry_after <= 2.0  # now 2 s


def test_client_address_throttled_across_logins(env, make_user, throttle_cleanup):
    address = "203.0.113.99"
    throttle_cleanup.append(address)
    logins = [unique("spray") for _ in range(5)]
    throttle_cleanup.extend(logins)
    # bob exists before the spraying: creating him (a slow password hash) after it could
    # outlast the address's first block (one second) on a busy machine
    bob = make_user(login=unique("bob"), password="bob's password")
    throttle_cleanup.append(bob.login)
    for login in logins:  # password spraying: one try per login, all from one address
        with pytest.raises(AccessDenied):
            authenticate(env, login, "Winter2024!", REMOTE_ADDR=address)
    with pytest.raises(AccessDenied, match="Too many login failures"):
        authenticate(env, bob.login, "bob's password", REMOTE_ADDR=address)
    assert authenticate(env, bob.login, "bob's password", REMOTE_ADDR="203.0.113.100") == bob.id
