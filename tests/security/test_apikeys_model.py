"""``res.users.apikeys``: generated and shown once, stored hashed, scoped, expiring, revoked;
accepted in place of the password by RPC logins only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from erplite.exceptions import AccessDenied, AccessError, UserError
from erplite.sql import SQL

KEYS = "res.users.apikeys"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def user(make_user, throttle_cleanup):
    login = unique("keyholder")
    throttle_cleanup.append(login)
    return make_user(login=login, password="the password")


def generate(env, user, scope="rpc", name="my key", expiration_date=None):
    return env[KEYS].with_user(user)._generate(scope, name, expiration_date)


def test_generated_once_stored_hashed(env, user):
    key = generate(env, user)
    assert len(key) == 40 and int(key, 16) >= 0
    env.cr.execute(SQL('SELECT "index", "key" FROM res_users_apikeys WHERE user_id = %s', user.id))
    index, key_hash = env.cr.fetchone()
    assert index == key[:8] and key not in key_hash and key_hash.startswith("scrypt:")
    record = env[KEYS].search([("user_id", "=", user.id)])
    assert record.name == "my key" and record.scope == "rpc"
    values = record.read()[0]
    assert key not in repr(values) and "key" not in values and "index" not in values
    assert record.create_date


def test_check_credentials(env, user):
    key = generate(env, user)
    keys = env[KEYS]
    assert keys._check_credentials(scope="rpc", key=key) == user.id
    assert keys._check_credentials(scope="other", key=key) is None
    assert (
        keys._check_credentials(scope="rpc", key=key[:-1] + ("0" if key[-1] != "0" else "1"))
        is None
    )
    assert keys._check_credentials(scope="rpc", key="") is None
    unscoped = generate(env, user, scope=None)
    assert keys._check_credentials(scope="anything", key=unscoped) == user.id
    user.write({"active": False})
    env.flush_all()
    assert keys._check_credentials(scope="rpc", key=key) is None


def test_expiry(env, user):
    soon = generate(env, user, expiration_date=datetime.utcnow() + timedelta(days=1))
    past = generate(env, user, expiration_date=datetime.utcnow() - timedelta(seconds=1))
    assert env[KEYS]._check_credentials(scope="rpc", key=soon) == user.id
    assert env[KEYS]._check_credentials(scope="rpc", key=past) is None
    assert env[KEYS]._gc_user_apikeys() == 1
    assert env[KEYS].search_count([("user_id", "=", user.id)]) == 1


def test_revocation(env, user, make_user):
    key = generate(env, user)
    record = env[KEYS].search([("user_id", "=", user.id)])
    other = make_user()
    with pytest.raises(AccessError):
        record.with_user(other)._remove()
    record.with_user(user)._remove()
    assert env[KEYS]._check_credentials(scope="rpc", key=key) is None
    # administrators revoke anyone's keys
    key = generate(env, user)
    admin = make_user(groups=("base.group_user", "base.group_system"))
    env[KEYS].with_user(admin).search([("user_id", "=", user.id)])._remove()
    assert env[KEYS]._check_credentials(scope="rpc", key=key) is None


def test_users_see_their_own_keys(env, user, make_user):
    generate(env, user, name="mine")
    other = make_user()
    generate(env, other, name="theirs")
    assert env[KEYS].with_user(user).search([]).mapped("name") == ["mine"]
    assert user.with_user(user).read(["api_key_ids"])[0]["api_key_ids"]
    admin = make_user(groups=("base.group_user", "base.group_system"))
    assert {"mine", "theirs"} <= set(env[KEYS].with_user(admin).search([]).mapped("name"))
    with pytest.raises(AccessError):
        env[KEYS].with_user(user).create({"name": "forged", "user_id": user.id})
    with pytest.raises(UserError):
        env[KEYS].create({"name": "forged", "user_id": user.id})
    public = env.ref("base.public_user")
    with pytest.raises(AccessError):
        env[KEYS].with_user(public)._generate("rpc", "no", None)
    assert env[KEYS].with_user(public).search([]) == env[KEYS]


def test_api_key_replaces_the_password_for_rpc_only(env, user):
    key = generate(env, user)
    users = env["res.users"]
    assert users.authenticate("db", user.login, key, {"interactive": False}) == user.id
    with pytest.raises(AccessDenied):
        users.authenticate("db", user.login, key, {"interactive": True})
    with pytest.raises(AccessDenied):
        users.authenticate("db", user.login, key)  # interactive unless told otherwise
    assert users.authenticate("db", user.login, "the password", {"interactive": False}) == user.id
    # a key is its owner's only
    with pytest.raises(AccessDenied):
        users.authenticate("db", "admin", key, {"interactive": False})
