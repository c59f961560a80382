"""Odoo-style CSRF tokens: bound to a session, expiring, tamper-proof."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from erplite.http.csrf import CSRF_TOKEN_LIFETIME, CSRF_TOKEN_SALT, csrf_token, validate_csrf

SECRET = "9f1c7e3a-database-secret"
SID = "Xq3v5wK8yZ0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV"
NOW = 1_700_000_000


def test_token_has_odoos_format():
    token = csrf_token(SID, SECRET, now=NOW)
    digest, sep, max_ts = token.rpartition("o")
    assert sep == "o"
    assert max_ts == str(NOW + CSRF_TOKEN_LIFETIME)  # 48 hours
    expected = hmac.new(SECRET.encode(), f"{SID}{max_ts}".encode(), hashlib.sha1).hexdigest()
    assert digest == expected


def test_valid_token_is_accepted_until_it_expires():
    token = csrf_token(SID, SECRET, now=NOW)
    assert validate_csrf(token, SID, SECRET, now=NOW)
    assert validate_csrf(token, SID, SECRET, now=NOW + CSRF_TOKEN_LIFETIME)


def test_expired_token_is_refused():
    token = csrf_token(SID, SECRET, time_limit=60, now=NOW)
    assert validate_csrf(token, SID, SECRET, now=NOW + 59)
    assert not validate_csrf(token, SID, SECRET, now=NOW + 61)


def test_no_time_limit_means_a_year():
    token = csrf_token(SID, SECRET, time_limit=None, now=NOW)
    assert token.endswith(f"o{NOW + CSRF_TOKEN_SALT}")
    assert validate_csrf(token, SID, SECRET, now=NOW + 300 * 24 * 3600)


def test_token_of_another_session_is_refused():
    token = csrf_token(SID, SECRET, now=NOW)
    assert not validate_csrf(token, "another-session-id-0000000000000000000000", SECRET, now=NOW)


def test_token_made_with_another_secret_is_refused():
    token = csrf_token(SID, "other-database-secret", now=NOW)
    assert not validate_csrf(token, SID, SECRET, now=NOW)


def test_tampered_tokens_are_refused():
    token = csrf_token(SID, SECRET, now=NOW)
    digest, _, max_ts = token.rpartition("o")
    flipped = ("0" if digest[0] != "0" else "1") + digest[1:]
    assert not validate_csrf(f"{flipped}o{max_ts}", SID, SECRET, now=NOW)
    # pushing the expiry forward breaks the signature
    assert not validate_csrf(f"{digest}o{int(max_ts) + 3600}", SID, SECRET, now=NOW)


@pytest.mark.parametrize(
    "token", [None, "", "o", "abc", "deadbeefo", "deadbeefonot-a-number", "déjào123", 12345]
)
def test_malformed_tokens_are_refused(token):
    assert not validate_csrf(token, SID, SECRET, now=NOW)


def test_a_secret_is_required():
    with pytest.raises(ValueError, match="secret"):
        csrf_token(SID, "")
    with pytest.raises(ValueError, match="secret"):
        validate_csrf("xo1", SID, "")
