"""API keys: shape, index, verification and expiry."""

from __future__ import annotations

import string
from datetime import datetime, timedelta, timezone

import pytest

from erplite.security.apikeys import (
    API_KEY_SIZE,
    INDEX_SIZE,
    generate_key,
    is_expired,
    key_index,
    verify_key,
)
from erplite.security.passwords import CURRENT_METHOD


@pytest.fixture(scope="module")
def generated():
    return generate_key()


def test_key_shape(generated):
    key, index, key_hash = generated
    assert API_KEY_SIZE == 20 and INDEX_SIZE == 8
    assert len(key) == 40
    assert set(key) <= set(string.hexdigits.lower())


def test_index_is_key_prefix(generated):
    key, index, _ = generated
    assert index == key[:8] == key_index(key)
    assert len(index) == 8


def test_hash_is_slow_salted_hash_not_the_key(generated):
    key, _, key_hash = generated
    assert key not in key_hash
    assert key_hash.startswith(CURRENT_METHOD + "$")


def test_keys_are_unique():
    keys = {generate_key()[0] for _ in range(3)}
    assert len(keys) == 3


def test_verify_right_key(generated):
    key, _, key_hash = generated
    assert verify_key(key, key_hash) is True


def test_wrong_key_refused(generated):
    key, index, key_hash = generated
    flipped = key[:-1] + ("0" if key[-1] != "0" else "1")
    assert verify_key(flipped, key_hash) is False
    # the index alone, or a key sharing the index, is not the key
    assert verify_key(index, key_hash) is False
    assert verify_key(index + "0" * 32, key_hash) is False
    assert verify_key("", key_hash) is False
    assert verify_key(None, key_hash) is False  # type: ignore[arg-type]
    assert verify_key(key, None) is False
    assert verify_key(key, "not a hash") is False


def test_no_expiration_never_expires():
    assert is_expired(None) is False
    assert is_expired(None, datetime(2999, 1, 1)) is False


def test_expiry_with_injected_now():
    expiry = datetime(2024, 6, 1, 12, 0, 0)
    assert is_expired(expiry, now=expiry - timedelta(seconds=1)) is False
    assert is_expired(expiry, now=expiry) is False  # valid up to its instant, as Odoo's >=
    assert is_expired(expiry, now=expiry + timedelta(seconds=1)) is True


def test_expiry_against_current_time():
    utcnow = datetime.now(timezone.utc).replace(tzinfo=None)
    assert is_expired(utcnow - timedelta(minutes=1)) is True
    assert is_expired(utcnow + timedelta(hours=1)) is False


def test_aware_datetimes_are_converted_to_utc():
    expiry = datetime(2024, 6, 1, 12, 0, 0)
    paris = timezone(timedelta(hours=2))
    # 13:30 in Paris is 11:30 UTC: not expired yet; 14:30 in Paris is 12:30 UTC: expired
    assert is_expired(expiry, now=datetime(2024, 6, 1, 13, 30, tzinfo=paris)) is False
    assert is_expired(expiry, now=datetime(2024, 6, 1, 14, 30, tzinfo=paris)) is True
