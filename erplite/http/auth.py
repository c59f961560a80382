"""Who is calling: the four ``auth`` methods of a route, and the check of a session's token.

Worked example (what the dispatcher does at the start of each try)::

    authenticate(request, endpoint.routing["auth"])
    request.env.uid          # the caller; every model call then runs with the caller's rights

===========  ===================================================================================
``auth``     the request's environment user
===========  ===================================================================================
``user``     the session's user; none: ``SessionExpiredException`` (login redirect for ``http``
             routes, JSON-RPC error code 100 for ``json`` routes, 401 for ``json2`` routes),
             saying "Authentication required" to a request that gave no credentials and
             "Session expired" to a session that logged in and no longer counts
``public``   the session's user, else the public user ``base.public_user``
``none``     nobody (``request.env.uid`` is ``None``); the route may need no database at all
``bearer``   the user of the API key in ``Authorization: bearer <key>`` (scope ``rpc``); a
             key that is wrong or expired is a 401 with ``WWW-Authenticate: bearer``, a key
             refused by the login throttle a 429 with ``Retry-After``; without the header,
             the session as for ``user``
===========  ===================================================================================

A user taken from the session cookie sets ``request.session_authenticated``: the JSON-2 and
REST routes then want a CSRF token in the ``X-CSRF-Token`` header for any method that may
change data (see :mod:`erplite.http.csrf`); an API key needs none.

A session counts for one database only (``session.db``). A logged-in session whose
``session_token`` no longer matches ``res.users._compute_session_token(sid)`` (the password,
the login or the active flag changed since it logged in) is logged out here: every session of
that user ends, whatever worker or host serves it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from typing import Any

import werkzeug.datastructures
import werkzeug.exceptions

from erplite.exceptions import AccessDenied
from erplite.http.errors import SessionExpiredException
from erplite.http.session import Session
from erplite.sql import SQL

_BEARER_RE = re.compile(r"^bearer\s+(\S+)\s*$", re.IGNORECASE)

#: sids whose user this process knows (``read_session`` reads their token with the session),
#: per database; forgotten all at once beyond this many
_SESSION_USERS_SIZE = 4096


class InvalidBearer(werkzeug.exceptions.Unauthorized):
    """401 for a missing, wrong or expired API key, with ``WWW-Authenticate: bearer``."""

    def __init__(self, description: str):
        super().__init__(
            description, www_authenticate=werkzeug.datastructures.WWWAuthenticate("bearer")
        )


class ThrottledBearer(werkzeug.exceptions.TooManyRequests):
    """429 with ``Retry-After`` (seconds) for an API key refused by the login throttle: too
    many failed logins from the client's address or for the key owner's login."""

    def __init__(self, description: str, retry_after: float):
        super().__init__(description, retry_after=max(1, math.ceil(retry_after)))


def session_uid(request: Any) -> int | None:
    """The user of the request's session on the request's database, ``None`` if nobody.

    A session whose token is stale is logged out (its sid is rotated when stored).
    """
    from erplite import SUPERUSER_ID
    from erplite.orm.environment import Environment

    session = request.session
    uid = session.uid
    if not uid or not request.db or session.db != request.db:
        return None
    checked = request.session_check
    if checked is not None and checked[:2] == (uid, session.sid):
        expected = checked[2]  # read with the session's row (read_session)
    else:
        # the token's row (and the user's, for the page) is read with the signals when they
        # are not read yet: the request's first statement, one round trip for all
        cr = request.cursor(check_signal=False)
        user = Environment(cr, SUPERUSER_ID, {})["res.users"].browse(uid)
        query, token_of = user._session_check(session.sid)
        row = request.read_signals(query)
        if row is NotImplemented:
            cr.execute(query)
            row = cr.fetchone()
        expected = token_of(row)
    token = session.session_token or ""
    if not expected or not hmac.compare_digest(str(token), str(expected)):
        session.logout(keep_db=True)
        return None
    session_users = request.database_cache.setdefault("session_users", {})
    if session_users.get(session.sid) != uid:
        if len(session_users) >= _SESSION_USERS_SIZE:
            session_users.clear()
        session_users[session.sid] = uid
    return uid


def read_session(request: Any, sid: str) -> Session | None:
    """The stored session ``sid`` read with the request's first statement (the signals,
    sent with ``BEGIN``), when the sessions live in the request's database: no round trip
    of its own. The snapshot of the request's transaction starts with it, as fresh as a
    read of its own; absent, malformed or idle too long gives ``None``.

    When this process checked ``sid``'s token before, the same statement reads that user's
    token row and user row too (what :func:`session_uid` reads otherwise), and
    ``request.session_check`` keeps the token computed from them for :func:`session_uid`,
    which uses it only for that same user and sid: a session whose user changed is checked
    as usual. A logout, a password change or a deactivation elsewhere takes effect at once.
    """
    from erplite import SUPERUSER_ID
    from erplite.orm.environment import Environment

    store = request.app.session_store
    query = store.row_query(sid)
    uid = request.database_cache.get("session_users", {}).get(sid)
    token_of = None
    if uid is not None:
        cr = request.cursor(check_signal=False)
        user = Environment(cr, SUPERUSER_ID, {})["res.users"].browse(uid)
        check, token_of = user._session_check(sid)
        query = SQL(
            "SELECT s.*, c.* FROM (SELECT 1) AS one LEFT JOIN (%s) AS s ON true"
            " LEFT JOIN (SELECT true, k.* FROM (%s) AS k) AS c ON true",
            query,
            check,
        )
    row = request.read_signals(query)
    if row is None or row[0] is None:
        return store.from_row(sid, None)
    session = store.from_row(sid, row[:2])
    if token_of is not None and session is not None and session.uid == uid:
        request.session_check = (uid, sid, token_of(row[3:] if row[2] else None))
    return session


def public_uid(request: Any) -> int:
    """The id of ``base.public_user`` in the request's database (cached with the registry)."""
    from erplite import SUPERUSER_ID
    from erplite.orm.environment import Environment

    database_cache = request.database_cache
    uid = database_cache.get("public_uid")
    if uid is None:
        su_env = Environment(request.cursor(), SUPERUSER_ID, {})
        user = su_env.ref("base.public_user", raise_if_not_found=False)
        if not user:
            raise AccessDenied("This database has no public user.")
        uid = database_cache["public_uid"] = user.id
    return uid


def bearer_key(request: Any) -> str | None:
    """The key of an ``Authorization: bearer <key>`` header, ``None`` when there is none.

    :raises InvalidBearer: an ``Authorization`` header of another shape.
    """
    header = request.httprequest.headers.get("Authorization")
    if not header:
        return None
    match = _BEARER_RE.match(header)
    if match is None:
        raise InvalidBearer('Use "Authorization: bearer <API key>".')
    return match.group(1)


def apikey_uid(request: Any, key: str, scope: str = "rpc") -> int | None:
    """The user owning API key ``key`` for ``scope``, ``None`` for a wrong or expired key.

    A key is hashed slowly on purpose; a key verified once is remembered (per registry, by a
    SHA-256 of the key) with the row it matched, and the next requests only check with one
    query that this row still exists, unexpired, for an active user: a revoked or expired key
    stops working at once, in every worker.

    Every check goes through the login throttle (:mod:`erplite.security.throttle`): a wrong key
    counts as a failed login of the client's address (a key names no login), and while the
    address or the login of the key's owner is blocked the key is refused, remembered or not
    (:class:`ThrottledBearer`). The same query reads the key's row and the counters. A right
    key does not clear the counters: a busy integration would otherwise wipe the failures of
    someone guessing its owner's password.
    """
    from erplite import SUPERUSER_ID
    from erplite.orm.environment import Environment

    su_env = Environment(request.cursor(), SUPERUSER_ID, {})
    if "res.users.apikeys" not in su_env:
        return None
    keys = su_env["res.users.apikeys"]
    users = su_env["res.users"]
    address = request.httprequest.remote_addr or None
    cache = request.database_cache.setdefault("apikeys", {})
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).digest()
    cached = cache.get(digest)
    if cached is not None:
        uid, rows = cached
        found = _valid_key_rows(keys, key, scope, uid, address)
        if {row[:2] for row in found} & rows:
            _check_throttle(users, found, address)
            return uid
        cache.pop(digest, None)
    users._check_login_throttle(None, address)  # no slow hashing for a blocked address
    uid = keys._check_credentials(scope=scope, key=key) or None
    if uid is None:
        users._record_login_failure(None, address)
        return None
    found = _valid_key_rows(keys, key, scope, uid, address)
    _check_throttle(users, found, address)
    if len(cache) > 1024:
        cache.clear()
    cache[digest] = (uid, {row[:2] for row in found})
    return uid


def _check_throttle(users: Any, found: list[tuple], address: str | None) -> None:
    """Raise ``AccessDenied`` (``retry_after`` set) while ``address`` or the login of the
    key's owner is blocked, from the counters read with the key's rows."""
    from erplite.security import throttle

    if not found:
        return
    _id, _hash, login, sql_key, failures, last_failures = found[0]
    if sql_key != throttle.login_key(login):  # lowercased otherwise by PostgreSQL
        users._check_login_throttle(login, address)
    elif failures:
        wait = users._login_throttle().wait_of(zip(failures, last_failures))
        if wait > 0:
            raise throttle.blocked_error(wait)


def _valid_key_rows(keys: Any, key: str, scope: str, uid: int, address: str | None) -> list[tuple]:
    """``(id, hash, login, login counter key, failures, last failures)`` of the unexpired keys
    of active user ``uid`` sharing ``key``'s index, with the login throttle's counters of the
    user's login and of ``address``."""
    from erplite.security import throttle
    from erplite.security.apikeys import key_index
    from erplite.sql import SQL

    expiry = (
        SQL(
            "AND (k.expiration_date IS NULL OR k.expiration_date >= (clock_timestamp() AT TIME ZONE 'UTC'))"
        )
        if "expiration_date" in keys._fields
        else SQL("")
    )
    keys.env.cr.execute(
        SQL(
            'SELECT k.id, k."key", u.login, %s::text || lower(u.login), t.failures,'
            " t.last_failures FROM %s k JOIN res_users u ON u.id = k.user_id"
            " CROSS JOIN LATERAL (%s) t"
            ' WHERE k."index" = %s AND k.user_id = %s AND u.active'
            " AND (k.scope IS NULL OR k.scope = %s) %s",
            throttle.LOGIN_PREFIX,
            SQL.identifier(keys._table),
            throttle.counters_query(SQL("u.login"), address),
            key_index(key),
            uid,
            scope,
            expiry,
        )
    )
    return [tuple(row) for row in keys.env.cr.fetchall()]


def authenticate(request: Any, auth: str) -> None:
    """Set the request's environment user as ``auth`` says (see the module docstring);
    ``request.session_authenticated`` tells whether the user came from the session cookie."""
    request.session_authenticated = False
    if auth == "none":
        return
    if request.db is None:
        from erplite.http.databases import DatabaseNotFound

        raise DatabaseNotFound(None)
    if auth == "bearer":
        key = bearer_key(request)
        if key is not None:
            try:
                uid = apikey_uid(request, key)
            except AccessDenied as exc:  # the login throttle
                raise ThrottledBearer(str(exc), getattr(exc, "retry_after", 1.0)) from None
            if uid is None:
                raise InvalidBearer("Invalid API key.")
            request.update_env(user=uid, context=_user_context(request, uid))
            return
        logged_in = _has_login(request)
        uid = session_uid(request)
        if uid is None:
            raise _login_needed(logged_in, 'send "Authorization: bearer <API key>" or log in')
        request.update_env(user=uid, context=request.session.context or {})
        request.session_authenticated = True
        return
    if auth == "user":
        logged_in = _has_login(request)
        uid = session_uid(request)
        if uid is None:
            raise _login_needed(logged_in, "log in first")
        request.update_env(user=uid, context=request.session.context or {})
        request.session_authenticated = True
        return
    if auth == "public":
        uid = session_uid(request)
        if uid is not None:
            request.update_env(user=uid, context=request.session.context or {})
            request.session_authenticated = True
        else:
            request.update_env(user=public_uid(request), context={})
        return
    raise ValueError(f"unknown auth method {auth!r}")


def _has_login(request: Any) -> bool:
    """Whether the request's session says it logged in to the request's database."""
    session = request.session
    return bool(session.uid) and bool(request.db) and session.db == request.db


def _login_needed(logged_in: bool, how: str) -> SessionExpiredException:
    # A session that logged in and no longer counts has expired; a request that never gave
    # credentials is told what to send rather than that something expired.
    if logged_in:
        return SessionExpiredException("Session expired: log in again.")
    return SessionExpiredException.authentication_required(how)


def _user_context(request: Any, uid: int) -> dict[str, Any]:
    from erplite.orm.environment import Environment

    return dict(Environment(request.cursor(), uid, {})["res.users"].context_get())


__all__ = [
    "InvalidBearer",
    "ThrottledBearer",
    "apikey_uid",
    "authenticate",
    "bearer_key",
    "public_uid",
    "read_session",
    "session_uid",
]
