"""Time-based one-time passwords (RFC 6238), the second factor of Odoo 17's ``auth_totp``.

Worked example::

    from erplite.security.totp import new_secret, provisioning_uri, verify_code

    secret = new_secret()                        # store it on the user, never show it again
    uri = provisioning_uri(secret, "alice@example.com")
    # render `uri` as a QR code; the user scans it and types the 6 digits their app shows
    verify_code(secret, "123 456")               # True if the code is current (+/- 30 s)

What is promised, as in Odoo's ``auth_totp``: HMAC-SHA1, 6 digits, 30-second steps, a secret
of 160 random bits written in base32, and codes accepted one step before or after the current
one to absorb clock drift. Spaces in a typed code (and in a secret copied by hand) are
ignored; anything else that is not exactly six ASCII digits is refused. ``matching_step`` tells
which step a code belongs to, so that a caller can refuse a code used twice (``res.users``
stores the last step each user logged in with).
"""

from __future__ import annotations

import binascii
from datetime import datetime, timezone

import pyotp
from pyotp.utils import strings_equal

__all__ = [
    "DIGITS",
    "TIMESTEP",
    "current_code",
    "matching_step",
    "new_secret",
    "provisioning_uri",
    "verify_code",
]

DIGITS = 6
TIMESTEP = 30  # seconds
SECRET_BITS = 160


def new_secret() -> str:
    """A new random secret: 160 bits, base32 (32 characters, no padding)."""
    return pyotp.random_base32(length=SECRET_BITS // 5)


def provisioning_uri(secret: str, login: str, issuer: str = "erplite") -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from a QR code."""
    return _totp(secret).provisioning_uri(name=login, issuer_name=issuer)


def current_code(secret: str, at: datetime | float | None = None) -> str:
    """The code valid at ``at`` (default: now), e.g. to test an enrolment."""
    return _totp(secret).at(_timestamp(at))


def verify_code(
    secret: str, code: str, *, at: datetime | float | None = None, window: int = 1
) -> bool:
    """Whether ``code`` is valid for ``secret`` at ``at`` (default: now), +/- ``window`` steps.

    ``at`` is a Unix timestamp or a datetime (naive datetimes are UTC). Never raises for a bad
    code or a malformed secret: both are a failed check.
    """
    return matching_step(secret, code, at=at, window=window) is not None


def matching_step(
    secret: str, code: str, *, at: datetime | float | None = None, window: int = 1
) -> int | None:
    """The time step (RFC 6238's counter) whose code ``code`` is, among those within
    +/- ``window`` steps of ``at``; None when it is none of them. A caller that stores the last
    step it accepted refuses a code used twice by refusing steps not after it."""
    if window < 0:
        raise ValueError("window cannot be negative")
    if not isinstance(code, str):
        return None
    code = "".join(code.split())
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    try:
        totp = _totp(secret)
        counter = totp.timecode(_timestamp(at))
        matched = None
        # compare every candidate, so the time taken does not tell which step matched
        for offset in range(-window, window + 1):
            step = counter + offset
            if step >= 0 and strings_equal(code, totp.generate_otp(step)):
                matched = step
        return matched
    except (binascii.Error, ValueError, TypeError, AttributeError):
        return None


def _totp(secret: str) -> pyotp.TOTP:
    secret = "".join(secret.split()).upper()
    return pyotp.TOTP(secret, digits=DIGITS, interval=TIMESTEP)


def _timestamp(at: datetime | float | None) -> float:
    if at is None:
        return datetime.now(timezone.utc).timestamp()
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        return at.timestamp()
    return float(at)
