"""Password hashing: scrypt through Werkzeug, with transparent upgrade of older hashes.

Worked example::

    from erplite.security.passwords import hash_password, verify_password, needs_rehash

    stored = hash_password("s3cret")            # 'scrypt:32768:8:1$<salt>$<hex digest>'
    verify_password("s3cret", stored)           # True
    verify_password("wrong", stored)            # False
    if verify_password(plain, user_hash) and needs_rehash(user_hash):
        user_hash = hash_password(plain)        # upgrade on the next successful login

What is promised:

- :func:`hash_password` stores Werkzeug's whole hash string (method, parameters, salt and
  digest), so the parameters travel with each hash and can be raised later.
- :func:`verify_password` compares digests in constant time and never raises: a missing,
  empty, truncated or unknown stored value is simply a failed check.
- Besides the current scrypt hashes it accepts Werkzeug's other formats (``pbkdf2:sha256:...``)
  and the passlib ``$pbkdf2-sha512$...`` hashes Odoo 17 stores in ``res_users.password``, so a
  database migrated from Odoo keeps its users' passwords; :func:`needs_rehash` is True for all
  of those, and the login path re-hashes them with the current parameters.
- :func:`dummy_verify` costs the same as a real check and always fails: call it when the login
  is unknown, so response times do not reveal which logins exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from werkzeug.security import check_password_hash, generate_password_hash

__all__ = [
    "CURRENT_METHOD",
    "dummy_verify",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

#: Werkzeug method string of new hashes: scrypt with N=2**15, r=8, p=1 (Werkzeug 3's default,
#: spelled out so that a Werkzeug upgrade changing its default cannot change ours silently).
CURRENT_METHOD = "scrypt:32768:8:1"
SALT_LENGTH = 16

# passlib's pbkdf2 formats, as Odoo 17 writes them: $pbkdf2-sha512$<rounds>$<salt>$<checksum>
_PASSLIB_DIGESTS = {"pbkdf2-sha512": "sha512", "pbkdf2-sha256": "sha256"}


def hash_password(plain: str) -> str:
    """Return the hash to store for ``plain`` (a fresh random salt each call).

    :raises ValueError: for an empty password, which Odoo refuses too.
    """
    if not isinstance(plain, str):
        raise TypeError("A password must be a string")
    if not plain:
        raise ValueError("Setting empty passwords is not allowed")
    return generate_password_hash(plain, method=CURRENT_METHOD, salt_length=SALT_LENGTH)


def verify_password(plain: str, stored: str | None) -> bool:
    """Whether ``plain`` matches the ``stored`` hash. Never raises; False when in doubt."""
    if not plain or not stored or not isinstance(plain, str) or not isinstance(stored, str):
        return False
    try:
        if stored.startswith("$"):
            return _verify_passlib(plain, stored)
        return check_password_hash(stored, plain)
    except Exception:  # malformed parameters, unknown digest, absurd scrypt memory...
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other than the current method and parameters.

    Meant to be asked after a successful :func:`verify_password`, to store
    ``hash_password(plain)`` instead.
    """
    if not isinstance(stored, str):
        return True
    method, sep, rest = stored.partition("$")
    if not sep or method != CURRENT_METHOD:
        return True
    salt, sep, digest = rest.partition("$")
    return not (sep and salt and digest)


_dummy_hash: str | None = None


def dummy_verify(plain: str) -> bool:
    """Spend the time of a real check, then return False (for unknown logins)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("erplite-dummy-password")
    verify_password(plain or "x", _dummy_hash)
    return False


def _ab64_decode(data: str) -> bytes:
    """passlib's "adapted base64": standard alphabet with '.' for '+', without padding."""
    data = data.replace(".", "+")
    return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)


def _verify_passlib(plain: str, stored: str) -> bool:
    parts = stored.split("$")
    # ['', 'pbkdf2-sha512', rounds, salt, checksum]
    if len(parts) != 5 or parts[0] or parts[1] not in _PASSLIB_DIGESTS:
        return False
    rounds_text, salt_text, checksum_text = parts[2:]
    if not rounds_text.isascii() or not rounds_text.isdigit():
        return False
    rounds = int(rounds_text)
    if rounds < 1:
        return False
    try:
        salt = _ab64_decode(salt_text)
        checksum = _ab64_decode(checksum_text)
    except (binascii.Error, ValueError):
        return False
    if not checksum:
        return False
    computed = hashlib.pbkdf2_hmac(
        _PASSLIB_DIGESTS[parts[1]], plain.encode("utf-8"), salt, rounds, dklen=len(checksum)
    )
    return hmac.compare_digest(computed, checksum)
