"""TOTP: secrets, provisioning URIs and code verification at fixed times."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from erplite.security.totp import current_code, new_secret, provisioning_uri, verify_code

# RFC 6238 appendix B: the SHA1 seed "12345678901234567890" and its published 8-digit codes,
# of which a 6-digit TOTP shows the last six digits
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
]

T0 = datetime(2024, 3, 1, 10, 0, 0)  # naive UTC, on a 30-second boundary


@pytest.fixture(scope="module")
def secret():
    return new_secret()


def test_new_secret_is_160_bit_base32(secret):
    assert len(secret) == 32
    assert len(base64.b32decode(secret)) == 20
    assert new_secret() != secret


@pytest.mark.parametrize("timestamp, expected", RFC_VECTORS)
def test_rfc6238_vectors(timestamp, expected):
    assert current_code(RFC_SECRET, at=timestamp) == expected
    assert verify_code(RFC_SECRET, expected, at=timestamp, window=0)


def test_naive_datetime_is_utc():
    at = datetime(2009, 2, 13, 23, 31, 30)  # 1234567890 UTC
    assert current_code(RFC_SECRET, at=at) == "005924"
    aware = datetime(2009, 2, 14, 0, 31, 30, tzinfo=timezone(timedelta(hours=1)))
    assert current_code(RFC_SECRET, at=aware) == "005924"


def test_provisioning_uri(secret):
    uri = provisioning_uri(secret, "alice@example.com")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert unquote(parsed.path) == "/erplite:alice@example.com"
    query = parse_qs(parsed.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["erplite"]
    other = provisioning_uri(secret, "bob", issuer="My Company")
    assert unquote(urlparse(other).path) == "/My Company:bob"


def test_code_valid_at_t_and_within_window():
    code = current_code(RFC_SECRET, at=T0)
    assert len(code) == 6 and code.isdigit()
    assert verify_code(RFC_SECRET, code, at=T0)
    assert verify_code(RFC_SECRET, code, at=T0 + timedelta(seconds=30))
    assert verify_code(RFC_SECRET, code, at=T0 + timedelta(seconds=59))
    assert verify_code(RFC_SECRET, code, at=T0 - timedelta(seconds=30))


def test_code_refused_outside_window():
    code = current_code(RFC_SECRET, at=T0)
    assert not verify_code(RFC_SECRET, code, at=T0 + timedelta(seconds=60))
    assert not verify_code(RFC_SECRET, code, at=T0 + timedelta(seconds=120))
    assert not verify_code(RFC_SECRET, code, at=T0 - timedelta(seconds=60))
    assert not verify_code(RFC_SECRET, "005924", at=1234567890 + 120)


def test_fresh_secret_round_trip(secret):
    code = current_code(secret, at=T0)
    assert verify_code(secret, code, at=T0)
    assert verify_code(secret, code, at=T0 + timedelta(seconds=30))


def test_window_zero_accepts_only_current_step():
    assert verify_code(RFC_SECRET, "005924", at=1234567890, window=0)
    assert not verify_code(RFC_SECRET, "005924", at=1234567890 + 30, window=0)
    assert verify_code(RFC_SECRET, "005924", at=1234567890 + 60, window=2)


def test_code_with_spaces_accepted():
    assert verify_code(RFC_SECRET, "005 924", at=1234567890)
    assert verify_code(RFC_SECRET, " 00 59 24 ", at=1234567890)


@pytest.mark.parametrize(
    "code", ["", "00592", "0059244", "00592a", "abcdef", "005-924", "００５９２４", "-05924", None]
)
def test_malformed_codes_refused(code):
    assert verify_code(RFC_SECRET, code, at=1234567890) is False


def test_wrong_code_refused():
    assert not verify_code(RFC_SECRET, "005925", at=1234567890)


def test_secret_with_spaces_and_lowercase():
    spaced = " ".join(RFC_SECRET[i : i + 4] for i in range(0, 32, 4)).lower()
    assert verify_code(spaced, "005924", at=1234567890)


@pytest.mark.parametrize("bad_secret", ["", "not base32!", "ABC"])
def test_malformed_secret_is_false(bad_secret):
    assert verify_code(bad_secret, "123456", at=1234567890) is False


def test_negative_window_is_an_error():
    with pytest.raises(ValueError):
        verify_code(RFC_SECRET, "005924", at=1234567890, window=-1)


def test_current_time_default(secret):
    assert verify_code(secret, current_code(secret))
