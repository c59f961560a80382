"""Password hashing: scrypt hashes, legacy formats, malformed values, rehash decisions."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from erplite.security.passwords import (
    CURRENT_METHOD,
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)

# passlib's published test vector for pbkdf2_sha512 (the scheme Odoo 17 stores)
ODOO_HASH = (
    "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa1"
    "7k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww"
)


@pytest.fixture(scope="module")
def stored():
    return hash_password("correct horse")


def test_hash_is_werkzeug_scrypt_string(stored):
    assert stored != "correct horse"
    assert "correct horse" not in stored
    method, salt, digest = stored.split("$")
    assert method == CURRENT_METHOD == "scrypt:32768:8:1"
    assert len(salt) == 16
    assert len(digest) == 128  # 64 bytes, hexadecimal


def test_two_hashes_of_one_password_differ(stored):
    other = hash_password("correct horse")
    assert other != stored
    assert verify_password("correct horse", other)


def test_verify_right_and_wrong(stored):
    assert verify_password("correct horse", stored) is True
    assert verify_password("correct horsE", stored) is False
    assert verify_password("correct horse ", stored) is False
    assert verify_password("", stored) is False


def test_non_ascii_password_round_trips():
    stored = hash_password("pässwörd-ß-日本")
    assert verify_password("pässwörd-ß-日本", stored)
    assert not verify_password("passwort", stored)


def test_empty_password_refused():
    with pytest.raises(ValueError, match="Setting empty passwords is not allowed"):
        hash_password("")


def test_non_string_password_refused():
    with pytest.raises(TypeError):
        hash_password(None)  # type: ignore[arg-type]
    assert verify_password(None, "x") is False  # type: ignore[arg-type]
    assert verify_password(b"pw", hash_password("pw")) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("stored", [None, ""])
def test_missing_stored_hash_fails(stored):
    assert verify_password("anything", stored) is False


@pytest.mark.parametrize(
    "stored",
    [
        "plaintext",
        "correct horse",  # a clear-text value is never accepted as a hash
        "scrypt:32768:8:1",
        "scrypt:32768:8:1$onlysalt",
        "scrypt:x:y:z$salt$00",
        "scrypt:1:2$salt$00",
        "pbkdf2:sha256:abc$salt$00",
        "pbkdf2:nosuchdigest:1000$salt$00",
        "md5$salt$00",
        "$pbkdf2-sha512$",
        "$pbkdf2-sha512$abc$salt$sum",
        "$pbkdf2-sha512$0$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK",
        "$pbkdf2-sha512$1212$not base64!$eNLfBK",
        "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$",
        "$2b$12$abcdefghijklmnopqrstuv",  # bcrypt: unsupported
        "$$$$",
    ],
)
def test_malformed_stored_hash_is_false_not_error(stored):
    assert verify_password("correct horse", stored) is False


def test_legacy_werkzeug_pbkdf2_verifies_and_needs_rehash():
    legacy = generate_password_hash("old secret", method="pbkdf2:sha256:1000")
    assert legacy.startswith("pbkdf2:sha256:1000$")
    assert verify_password("old secret", legacy)
    assert not verify_password("new secret", legacy)
    assert needs_rehash(legacy) is True


def test_odoo_passlib_pbkdf2_sha512_verifies_and_needs_rehash():
    assert verify_password("password", ODOO_HASH)
    assert not verify_password("Password", ODOO_HASH)
    # one character changed in the checksum, or in the salt
    assert not verify_password("password", ODOO_HASH.replace("eNLfBK", "eNLfBL"))
    assert not verify_password("password", ODOO_HASH.replace("RHY0Fr3", "RHY0Fr4"))
    assert needs_rehash(ODOO_HASH) is True


def test_needs_rehash_false_for_current_hash(stored):
    assert needs_rehash(stored) is False


def test_needs_rehash_for_other_scrypt_parameters():
    weaker = generate_password_hash("pw", method="scrypt:16384:8:1")
    assert verify_password("pw", weaker)
    assert needs_rehash(weaker) is True


@pytest.mark.parametrize("stored", ["", "garbage", "scrypt:32768:8:1$", "scrypt:32768:8:1$s$"])
def test_needs_rehash_for_malformed(stored):
    assert needs_rehash(stored) is True


def test_rehash_flow_upgrades_legacy_hash():
    stored = generate_password_hash("pw", method="pbkdf2:sha256:1000")
    if verify_password("pw", stored) and needs_rehash(stored):
        stored = hash_password("pw")
    assert stored.startswith(CURRENT_METHOD + "$")
    assert verify_password("pw", stored) and not needs_rehash(stored)


def test_dummy_verify_always_false():
    assert dummy_verify("correct horse") is False
    assert dummy_verify("") is False
