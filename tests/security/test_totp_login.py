"""Optional two-factor authentication (TOTP), as Odoo's ``auth_totp``: enabling it, the login
left pending until ``_totp_check(code)``, and RPC clients limited to API keys."""

from __future__ import annotations

import uuid

import pytest

from erplite.exceptions import AccessDenied, UserError
from erplite.security import SecondFactorRequired, totp


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def user(make_user, throttle_cleanup):
    login = unique("twofa")
    throttle_cleanup.append(login)
    return make_user(login=login, password="the password")


@pytest.fixture
def secret(user):
    secret = totp.new_secret()
    assert user.with_user(user)._totp_try_setting(secret, totp.current_code(secret))
    return secret


def wrong_code(secret):
    code = totp.current_code(secret)
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def test_enabling_needs_a_valid_code_and_oneself(env, user, make_user):
    secret = totp.new_secret()
    as_user = user.with_user(user)
    assert not as_user._totp_try_setting(secret, wrong_code(secret))
    assert not user.totp_enabled
    other = make_user()
    assert not user.with_user(other)._totp_try_setting(secret, totp.current_code(secret))
    token = user._compute_session_token("sid")
    assert as_user._totp_try_setting(secret, totp.current_code(secret))
    assert user.totp_enabled
    assert user._compute_session_token("sid") != token  # enabling ends the other sessions
    assert not as_user._totp_try_setting(totp.new_secret(), "000000")  # already enabled


def test_interactive_login_needs_the_second_factor(env, user, secret):
    users = env["res.users"]
    with pytest.raises(SecondFactorRequired) as info:
        users.authenticate("db", user.login, "the password", {"REMOTE_ADDR": "192.0.2.5"})
    assert info.value.uid == user.id
    assert isinstance(info.value, AccessDenied)  # callers unaware of 2FA refuse the login
    # a wrong password still gives the plain refusal
    with pytest.raises(AccessDenied) as wrong:
        users.authenticate("db", user.login, "not it")
    assert not isinstance(wrong.value, SecondFactorRequired)
    pending = users.browse(info.value.uid)
    with pytest.raises(AccessDenied, match="Verification failed"):
        pending._totp_check(wrong_code(secret))
    pending._totp_check(totp.current_code(secret))
    env.invalidate_all()
    assert pending.login_date


def test_wrong_codes_are_throttled(env, user, secret):
    pending = env["res.users"].browse(user.id)
    for _ in range(5):
        with pytest.raises(AccessDenied, match="Verification failed"):
            pending._totp_check(wrong_code(secret))
    with pytest.raises(AccessDenied, match="Too many login failures"):
        pending._totp_check(totp.current_code(secret))


def test_rpc_needs_an_api_key(env, user, secret):
    users = env["res.users"]
    with pytest.raises(AccessDenied) as info:
        users.authenticate("db", user.login, "the password", {"interactive": False})
    assert not isinstance(info.value, SecondFactorRequired)
    key = env["res.users.apikeys"].with_user(user)._generate("rpc", "script", None)
    assert users.authenticate("db", user.login, key, {"interactive": False}) == user.id


def test_disabling(env, user, secret, make_user):
    other = make_user()
    with pytest.raises(UserError):
        user.with_user(other).action_totp_disable("the password")
    user.with_user(user).action_totp_disable("the password")
    assert not user.totp_enabled
    assert env["res.users"].authenticate("db", user.login, "the password") == user.id


@pytest.mark.parametrize("password", [None, "", 12345])
def test_disabling_without_the_password_says_it_is_needed(env, user, secret, password):
    with pytest.raises(AccessDenied, match="needs your current password again"):
        user.with_user(user).action_totp_disable(password)
    assert user.totp_enabled


def test_disabling_with_a_wrong_password_is_refused(env, user, secret):
    with pytest.raises(AccessDenied, match="^Access Denied$"):
        user.with_user(user).action_totp_disable("wrong password")
    assert user.totp_enabled


def test_an_administrator_disabling_gives_their_own_password(env, user, secret, make_user):
    admin = make_user(groups=("base.group_system",), password="admin password")
    with pytest.raises(AccessDenied):
        user.with_user(admin).action_totp_disable("the password")  # the user's: not theirs
    user.with_user(admin).action_totp_disable("admin password")
    assert not user.totp_enabled


def test_a_code_is_good_for_one_login(env, user, secret):
    """A code accepted once is refused afterwards, and so are the codes of earlier steps (still
    inside the +/- 30 s window); the next step's code is accepted."""
    import time

    pending = env["res.users"].browse(user.id)
    now = time.time()
    pending._totp_check(totp.current_code(secret, at=now))
    with pytest.raises(AccessDenied, match="Verification failed"):
        pending._totp_check(totp.current_code(secret, at=now))  # replayed
    pending._totp_check(totp.current_code(secret, at=now + totp.TIMESTEP))  # next step
    with pytest.raises(AccessDenied, match="Verification failed"):
        pending._totp_check(totp.current_code(secret, at=now))  # an earlier step
    # a new secret starts afresh
    user.with_user(user).action_totp_disable("the password")
    fresh = totp.new_secret()
    assert user.with_user(user)._totp_try_setting(fresh, totp.current_code(fresh))
    pending._totp_check(totp.current_code(fresh))


def test_matching_step_names_the_step_of_a_code():
    secret = totp.new_secret()
    at = 1_700_000_000
    step = at // totp.TIMESTEP
    assert totp.matching_step(secret, totp.current_code(secret, at=at), at=at) == step
    later = totp.current_code(secret, at=at + totp.TIMESTEP)
    assert totp.matching_step(secret, later, at=at) == step + 1
    assert totp.matching_step(secret, later, at=at, window=0) is None
    assert totp.matching_step(secret, "12345", at=at) is None
