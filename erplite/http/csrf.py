"""CSRF tokens as Odoo makes them: an HMAC of the session and an expiry.

Worked example::

    token = csrf_token(session.sid, secret)            # 'a94a8fe5...o1717171717'
    validate_csrf(token, session.sid, secret)          # True
    validate_csrf(token, other_session.sid, secret)    # False: bound to its session
    validate_csrf(token, session.sid, secret, now=time.time() + 49 * 3600)   # False: expired

A token is ``hmac_sha1(secret, f"{session_token}{max_ts}").hexdigest() + "o" + str(max_ts)``,
the format of Odoo 17's ``Request.csrf_token``: a token is valid for one session until
``max_ts`` (a UNIX time). ``secret`` is the application's (``Application.secret``: kept beside
the sessions, shared by every worker and every database served, where Odoo uses each
database's ``database.secret``, because a session here may exist before its database); with
``time_limit=None`` the token lasts a year, ``max_ts`` then only salting it against BREACH.

The dispatcher checks the token (the ``csrf_token`` parameter, popped from the params before the
endpoint sees them, as Odoo does) on every ``type='http'`` route whose method is not safe
(``SAFE_HTTP_METHODS``) unless the route says ``csrf=False``, and answers 400 with
``CSRF_FAILURE_MESSAGE`` when it is missing or invalid.

The JSON-2 and REST routes (``type='json2'``) are meant for API keys, which a browser never
sends by itself. When one is called with the session cookie instead, a method that is not safe
needs the session's token in the ``X-CSRF-Token`` header (``CSRF_HEADER``): another site's
form or ``fetch`` cannot set that header without a CORS preflight that erplite does not grant,
and it cannot read a token. The answer is 403 with ``CSRF_HEADER_FAILURE_MESSAGE`` otherwise.
A page gets the token from ``csrf_token()`` in its template, a script from
``/web/session/get_session_info`` (``csrf_token``).
"""

from __future__ import annotations

import hashlib
import hmac
import time

#: Methods that must not change anything and so need no token.
SAFE_HTTP_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

#: Default lifetime of a token: 48 hours.
CSRF_TOKEN_LIFETIME = 48 * 3600

#: Lifetime of a token made with ``time_limit=None``: one year (Odoo's ``CSRF_TOKEN_SALT``).
CSRF_TOKEN_SALT = 365 * 24 * 3600

#: The message of the 400 answered when the check fails.
CSRF_FAILURE_MESSAGE = (
    "Session expired (invalid CSRF token): reload the page and submit the form again."
)


#: The header carrying the token on JSON-2 and REST calls authenticated by the session cookie.
CSRF_HEADER = "X-CSRF-Token"

#: The message of the 403 answered when that header is missing or invalid.
CSRF_HEADER_FAILURE_MESSAGE = (
    "A call authenticated by the session cookie that may change data needs the session's "
    f"CSRF token in the {CSRF_HEADER} header (or authenticate with "
    '"Authorization: bearer <API key>").'
)


def _hmac(secret: str, session_token: str, max_ts: str) -> str:
    message = f"{session_token}{max_ts}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()


def csrf_token(
    session_token: str,
    secret: str,
    time_limit: int | None = CSRF_TOKEN_LIFETIME,
    *,
    now: float | None = None,
) -> str:
    """A token valid for ``session_token`` (the session id) during ``time_limit`` seconds.

    :param session_token: what binds the token to a session: the session id.
    :param secret: the server-side secret (``Application.secret``).
    :param time_limit: validity in seconds; ``None`` for a year.
    :param now: the current UNIX time (tests).
    """
    if not secret:
        raise ValueError("CSRF protection requires a configured secret")
    current = time.time() if now is None else now
    max_ts = str(int(current + (time_limit or CSRF_TOKEN_SALT)))
    return f"{_hmac(secret, session_token, max_ts)}o{max_ts}"


def validate_csrf(
    token: object, session_token: str, secret: str, *, now: float | None = None
) -> bool:
    """Whether ``token`` was made by :func:`csrf_token` for this session and has not expired.

    The comparison takes constant time. A missing, malformed, expired, tampered token or one
    made for another session is ``False``.
    """
    if not secret:
        raise ValueError("CSRF protection requires a configured secret")
    if not token or not isinstance(token, str) or not session_token:
        return False
    digest, _, max_ts = token.rpartition("o")
    if not digest or not (max_ts.isascii() and max_ts.isdigit()):
        return False
    current = time.time() if now is None else now
    if int(max_ts) < int(current):
        return False
    expected = _hmac(secret, session_token, max_ts)
    return hmac.compare_digest(digest.encode("utf-8", "replace"), expected.encode())


__all__ = [
    "CSRF_FAILURE_MESSAGE",
    "CSRF_HEADER",
    "CSRF_HEADER_FAILURE_MESSAGE",
    "CSRF_TOKEN_LIFETIME",
    "CSRF_TOKEN_SALT",
    "SAFE_HTTP_METHODS",
    "csrf_token",
    "validate_csrf",
]
