"""API keys: the cryptographic side of Odoo 17's ``res.users.apikeys``.

Worked example::

    from erplite.security.apikeys import generate_key, key_index, verify_key, is_expired

    key, index, key_hash = generate_key()
    # store (index, key_hash) in res_users_apikeys; show `key` to the user once, then forget it
    ...
    # authenticating a request that presents `presented`:
    #   SELECT user_id, key FROM res_users_apikeys
    #    WHERE index = %s AND (expiration_date IS NULL OR expiration_date >= <now, UTC>)
    # with key_index(presented), then, for each candidate row:
    verify_key(presented, candidate_hash)

What is promised:

- A key is 20 random bytes from :mod:`secrets`, written as 40 lowercase hexadecimal characters,
  as in Odoo 17 (``API_KEY_SIZE = 20``).
- The key itself is shown to its owner once, when it is generated, and is never stored in
  clear: the database keeps only its first :data:`INDEX_SIZE` characters (the *index*, in
  clear and indexed, to find the few candidate rows quickly) and a slow salted hash of the
  whole key (:func:`erplite.security.passwords.hash_password`).
- The index alone, 32 bits out of 160, gives no useful head start to guess the key.
- A key whose ``expiration_date`` (naive UTC) is in the past no longer authenticates; Odoo
  accepts a key up to and including its expiration instant, and so does :func:`is_expired`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from erplite.security.passwords import hash_password, verify_password

__all__ = [
    "API_KEY_SIZE",
    "INDEX_SIZE",
    "generate_key",
    "is_expired",
    "key_index",
    "verify_key",
]

#: Random bytes per key (the key is their hexadecimal spelling, twice as many characters).
API_KEY_SIZE = 20
#: Characters of the key stored in clear to find its row, as Odoo's ``INDEX_SIZE``.
INDEX_SIZE = 8


def generate_key() -> tuple[str, str, str]:
    """Return ``(key, index, key_hash)`` for a new key.

    ``key`` goes to the user and nowhere else; ``index`` and ``key_hash`` go to the database.
    """
    key = secrets.token_hex(API_KEY_SIZE)
    return key, key_index(key), hash_password(key)


def key_index(key: str) -> str:
    """The part of ``key`` stored in clear, used to look its row up."""
    return key[:INDEX_SIZE]


def verify_key(key: str, key_hash: str | None) -> bool:
    """Whether ``key`` is the key ``key_hash`` was made from (constant time, never raises)."""
    if not isinstance(key, str) or not key:
        return False
    return verify_password(key, key_hash)


def is_expired(expiration_date: datetime | None, now: datetime | None = None) -> bool:
    """Whether a key expiring at ``expiration_date`` is expired at ``now``.

    Both are naive UTC datetimes (aware ones are converted); ``now`` defaults to the current
    time. No expiration date means the key never expires.
    """
    if expiration_date is None:
        return False
    now = _naive_utc(now) if now is not None else utcnow()
    return _naive_utc(expiration_date) < now


def utcnow() -> datetime:
    """The current time as a naive UTC datetime, as erplite stores datetimes."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
