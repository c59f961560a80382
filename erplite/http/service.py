"""The Odoo-compatible external API: services ``common``, ``db`` and ``object``, and ``call_kw``.

Worked example (what ``/xmlrpc/2/<service>`` and ``/jsonrpc`` run, inside a request)::

    dispatch_rpc("common", "version", [])
    # {'server_version': '17.0', 'server_version_info': [17, 0, 0, 'final', 0, ''],
    #  'server_serie': '17.0', 'protocol_version': 1, 'erplite_version': '0.1.0'}
    uid = dispatch_rpc("common", "login", ["shop", "admin", "admin"])        # 2, or False
    dispatch_rpc("object", "execute_kw", ["shop", uid, "admin", "res.partner", "search_read",
                                          [[["is_company", "=", True]]], {"fields": ["name"]}])

The calling conventions are Odoo 17's ``call_kw``:

- ``args[0]`` holds the ids of the records for a method working on records; an ``@api.model``
  method takes no ids; ``create`` returns the new id (or the list of ids for a list of dicts);
- ``context`` is taken from the keyword arguments and becomes the records' context;
- methods whose name starts with ``_`` (and ``init``) or that are marked ``@api.private`` are
  refused with ``AccessError``; an unknown model is a ``UserError`` ("Object x doesn't exist"),
  an unknown method a 404, arguments that do not fit the method a 422;
- results are marshalled as Odoo marshals them: recordsets become ids, dates strings.

Every call runs in the request's transaction, as the calling user: ``object`` calls check the
password (or an API key of scope ``rpc`` in its place) and then use an environment of that
user, never a superuser one. Verified credentials are remembered per registry, keyed by a hash
of the password, and re-validated on every call by one query on the user's credentials (hash,
login, active flag, API keys), the same statement that reads the registry signals: a changed
password, login, deactivation or revoked key is seen at once by every worker. The same
statement reads the login throttle's counters of the user's login and of the client's address
(:mod:`erplite.security.throttle`): while either is blocked, even a remembered password is
refused, and every wrong password or key is counted as a failed login.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import inspect
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import werkzeug.exceptions

import erplite
from erplite.exceptions import AccessDenied, AccessError, UserError
from erplite.sql import SQL

SERVER_VERSION = "17.0"
SERVER_VERSION_INFO = [17, 0, 0, "final", 0, ""]
SERVER_SERIE = "17.0"

#: ``common.version()``: Odoo 17's protocol, which clients choose their calls by.
RPC_VERSION_1 = {
    "server_version": SERVER_VERSION,
    "server_version_info": SERVER_VERSION_INFO,
    "server_serie": SERVER_SERIE,
    "protocol_version": 1,
}


def version_info() -> dict[str, Any]:
    """``common.version()`` and ``/web/webclient/version_info``: Odoo 17's, plus erplite's."""
    return {
        **RPC_VERSION_1,
        "server_version_info": list(SERVER_VERSION_INFO),
        "erplite_version": erplite.__version__,
    }


class MethodNotFound(werkzeug.exceptions.NotFound):
    """The model has no public method of that name (404)."""


class InvalidArguments(werkzeug.exceptions.UnprocessableEntity):
    """The arguments do not fit the method's signature (422)."""


_current: Any = None  # requestlib's context variable of the request, bound on first use


def _request() -> Any:
    """The request being served (the object itself, not the ``http.request`` proxy whose
    every attribute access looks the request up again); the proxy outside a request."""
    global _current
    if _current is None:
        from erplite.http.current import _request_var

        _current = _request_var
    current = _current.get(None)
    if current is None:
        from erplite.http.requestlib import request

        return request
    return current


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------


def dispatch_rpc(service_name: str, method: str, params: Any) -> Any:
    """Run ``method`` of ``service_name`` with the positional ``params`` (a list)."""
    service = _SERVICES.get(service_name)
    if service is None:
        raise werkzeug.exceptions.NotFound(f"Unknown service {service_name!r}")
    function = service.get(method)
    if function is None:
        raise werkzeug.exceptions.NotFound(f"Method not found: {service_name}.{method}")
    if not isinstance(params, (list, tuple)):
        raise werkzeug.exceptions.BadRequest("The parameters of an RPC call are a list")
    error = binding_error(function, len(params), ())
    if error is not None:
        raise InvalidArguments(f"{service_name}.{method}: {error}")
    return function(*params)


@functools.lru_cache(maxsize=4096)
def signature_of(function: Any) -> inspect.Signature:
    """``inspect.signature(function)``, computed once per function (it is slow)."""
    return inspect.signature(function)


@functools.lru_cache(maxsize=4096)
def binding_error(function: Any, positional: int, keywords: tuple[str, ...]) -> str | None:
    """Why ``function`` cannot be called with ``positional`` positional arguments and the
    keyword arguments ``keywords`` (``None`` when it can), computed once per shape of call:
    whether arguments bind depends on their number and names only."""
    try:
        signature_of(function).bind(*range(positional), **dict.fromkeys(keywords))
    except TypeError as exc:
        return str(exc)
    return None


# -- common -------------------------------------------------------------------------------------


def exp_version() -> dict[str, Any]:
    return version_info()


def exp_about(extended: bool = False) -> Any:
    info = "See http://openerp.com"
    return [info, SERVER_VERSION] if extended else info


def exp_login(db: str, login: str, password: str) -> int | bool:
    return exp_authenticate(db, login, password, None)


def exp_authenticate(db: str, login: str, password: str, user_agent_env: Any = None) -> int | bool:
    """The user id for these credentials (a password or an API key), else ``False``."""
    request = _request()
    request.use_database(db)
    env = request.env(user=erplite.SUPERUSER_ID, su=True)
    user_agent_env = dict(user_agent_env) if isinstance(user_agent_env, Mapping) else {}
    user_agent_env.update(
        interactive=False,
        REMOTE_ADDR=request.httprequest.remote_addr or "",
        HTTP_HOST=request.httprequest.environ.get("HTTP_HOST", ""),
    )
    try:
        return env["res.users"].authenticate(db, login, password, user_agent_env)
    except AccessDenied:
        return False


_COMMON: dict[str, Callable[..., Any]] = {
    "version": exp_version,
    "about": exp_about,
    "login": exp_login,
    "authenticate": exp_authenticate,
}


# -- db -----------------------------------------------------------------------------------------


def exp_list(document: bool = False) -> list[str]:
    request = _request()
    if not request.app.list_db:
        raise AccessDenied("Listing the databases is disabled on this server.")
    return request.app.databases.host_databases(request.host)


def exp_db_exist(db_name: str) -> bool:
    request = _request()
    return db_name in request.app.databases.host_databases(request.host, force=True)


def exp_server_version() -> str:
    return SERVER_VERSION


_DB: dict[str, Callable[..., Any]] = {
    "list": exp_list,
    "db_exist": exp_db_exist,
    "server_version": exp_server_version,
}


# -- object -------------------------------------------------------------------------------------


def execute_kw(
    db: str,
    uid: int,
    password: str,
    model: str,
    method: str,
    args: Any = (),
    kw: Mapping | None = None,
) -> Any:
    """Call ``model.method(*args, **kw)`` as user ``uid`` authenticated by ``password``."""
    env = _user_env(db, uid, password)
    if not isinstance(args, (list, tuple)):
        raise InvalidArguments("execute_kw: args must be a list")
    if kw is not None and not isinstance(kw, Mapping):
        raise InvalidArguments("execute_kw: kwargs must be a dictionary")
    return _execute(env, model, method, list(args), dict(kw or {}))


def execute(db: str, uid: int, password: str, model: str, method: str, *args: Any) -> Any:
    """``execute_kw`` with positional arguments only (Odoo's ``execute``)."""
    env = _user_env(db, uid, password)
    return _execute(env, model, method, list(args), {})


_OBJECT = {"execute": execute, "execute_kw": execute_kw}

_SERVICES: dict[str, dict[str, Callable[..., Any]]] = {
    "common": _COMMON,
    "db": _DB,
    "object": _OBJECT,
}


#: Credential queries kept composed per registry (one per RPC user).
CREDENTIALS_QUERIES_SIZE = 1024


def _user_env(db: str, uid: Any, password: Any) -> Any:
    """The environment of user ``uid`` once ``password`` (or an API key) is checked, through
    the login throttle: while the user's login or the client's address is blocked, even the
    right password is refused; a wrong one is counted as a failed login."""
    request = _request()
    request.use_database(db)
    address = request.httprequest.remote_addr or None
    try:
        uid = int(uid)
    except (TypeError, ValueError):
        _record_failure(request, None, address)
        raise AccessDenied() from None
    if not isinstance(password, str) or not password:
        _record_failure(request, None, address)
        raise AccessDenied()
    database_cache = request.database_cache
    cache = database_cache.get("credentials")
    if cache is None:
        cache = database_cache.setdefault("credentials", CredentialCache())
    queries = database_cache.get("credentials_queries")
    if queries is None:
        queries = database_cache.setdefault("credentials_queries", {})
    query = queries.get((uid, address))
    if query is None:
        if len(queries) >= CREDENTIALS_QUERIES_SIZE:
            queries.clear()
        query = queries[uid, address] = credentials_query(request.registry, uid, address)
    # the credentials and the throttle's counters are read with the registry signals when
    # they are not read yet: the request's first statement, one round trip for all
    row = request.read_signals(query)
    if row is NotImplemented:
        cr = request.cursor()
        cr.execute(query)
        row = cr.fetchone()
    if row is None:  # no active user of that id
        _record_failure(request, None, address)
        raise AccessDenied()
    fingerprint, counters = _frozen(row[:-_THROTTLE_COLUMNS]), row[-_THROTTLE_COLUMNS:]
    login = fingerprint[1]
    counted = _check_throttle(request, login, address, counters)
    if not cache.verified(uid, password, fingerprint):
        su_env = request.env(user=erplite.SUPERUSER_ID, su=True)
        try:
            cache.check(su_env, uid, password, fingerprint=fingerprint)
        except AccessDenied:
            _record_failure(request, login, address)
            raise AccessDenied() from None
    if counted:  # a success forgets the earlier failures, as a login does
        _users(request)._clear_login_failures(login, address)
    request.update_env(user=uid, context={}, su=False)
    return request.env


#: the columns of :func:`credentials_query` after the fingerprint: the login's counter key as
#: PostgreSQL lowercases it, and the counters of the login and of the address
_THROTTLE_COLUMNS = 3


def _users(request: Any) -> Any:
    return request.env(user=erplite.SUPERUSER_ID, su=True)["res.users"]


def _check_throttle(request: Any, login: str, address: str | None, counters: tuple) -> bool:
    """Raise ``AccessDenied`` (``retry_after`` set) while ``login`` or ``address`` is blocked,
    from the ``counters`` read with the credentials; whether they had any counter (a success
    then clears them)."""
    from erplite.security import throttle

    sql_key, failures, last_failures = counters
    if sql_key != throttle.login_key(login):
        # PostgreSQL lowercased the login otherwise than Python (non-ASCII letters under some
        # collations): ask the throttle itself
        return bool(_users(request)._check_login_throttle(login, address))
    if not failures:
        return False
    wait = _users(request)._login_throttle().wait_of(zip(failures, last_failures))
    if wait > 0:
        raise throttle.blocked_error(wait)
    return True


def _record_failure(request: Any, login: str | None, address: str | None) -> None:
    """Count a failed credential check for ``login`` and ``address`` (committed at once)."""
    _users(request)._record_login_failure(login, address)


def _execute(env: Any, model: str, method: str, args: list, kwargs: dict) -> Any:
    check_method_name(method)
    if not isinstance(model, str) or model not in env:
        raise UserError(f"Object {model} doesn't exist")
    return call_kw(env[model], method, args, kwargs)


# ---------------------------------------------------------------------------------------------
# call_kw
# ---------------------------------------------------------------------------------------------


def check_method_name(name: Any) -> None:
    """``AccessError`` for a private method name (``_x`` or ``init``), as Odoo."""
    if not isinstance(name, str) or name.startswith("_") or name == "init":
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")


#: ``(method, api kind)`` of the public methods found, per model class and method name. A
#: model class of a registry being loaded may get new bases (``__bases__``), and a method may be
#: replaced on its class: an entry is used only while the class's MRO tuple and the attribute
#: are the ones it was made for. Classes of a dropped registry leave with it (weak keys).
_public_methods: weakref.WeakKeyDictionary[type, dict[str, tuple[tuple, Any, str | None]]] = (
    weakref.WeakKeyDictionary()
)


def _public_method_and_kind(model: Any, name: str) -> tuple[Any, str | None]:
    """``(get_public_method(model, name), api_kind(model, name))``, found once per model class
    and method name (``inspect.getattr_static`` and the MRO walks are slow)."""
    cls = type(model)
    methods = _public_methods.get(cls)
    if methods is not None and type(name) is str:
        entry = methods.get(name)
        if entry is not None and entry[0] is cls.__mro__ and getattr(cls, name, None) is entry[1]:
            return entry[1], entry[2]
    method = _find_public_method(model, name)
    kind = api_kind(model, name)
    if methods is None:
        methods = _public_methods.setdefault(cls, {})
    methods[name] = (cls.__mro__, method, kind)
    return method, kind


def get_public_method(model: Any, name: str) -> Any:
    """The method ``name`` of ``model`` that may be called remotely.

    :raises AccessError: private (``_x``, ``init``, ``@api.private`` anywhere in the MRO).
    :raises MethodNotFound: no such method (or an attribute that is not a method).
    """
    return _public_method_and_kind(model, name)[0]


def _find_public_method(model: Any, name: str) -> Any:
    check_method_name(name)
    cls = type(model)
    try:
        static = inspect.getattr_static(cls, name)
    except AttributeError:
        raise MethodNotFound(
            f"The method {name!r} does not exist on the model {model._name!r}"
        ) from None
    if isinstance(static, (classmethod, staticmethod)) or not inspect.isfunction(static):
        raise MethodNotFound(f"The method {name!r} does not exist on the model {model._name!r}")
    for klass in cls.__mro__:
        defined = klass.__dict__.get(name)
        if defined is not None and getattr(defined, "_api_private", False):
            raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
    return getattr(cls, name)


def api_kind(model: Any, name: str) -> str | None:
    """``'model'``, ``'model_create'`` or ``None`` (works on records): the ``@api``
    decorator of the most derived definition carrying one."""
    for klass in type(model).__mro__:
        defined = klass.__dict__.get(name)
        kind = getattr(defined, "_api", None)
        if kind is not None:
            return kind
    return None


def call_kw(model: Any, name: str, args: list, kwargs: dict) -> Any:
    """Call method ``name`` of ``model`` as Odoo's ``api.call_kw`` does (see the module
    docstring); the result is downgraded (recordsets of ``create`` to ids)."""
    method, kind = _public_method_and_kind(model, name)
    kwargs = dict(kwargs)
    context = kwargs.pop("context", None)
    if context is not None and not isinstance(context, Mapping):
        raise InvalidArguments("context must be a dictionary")
    # the records get ``context`` as their whole context (Odoo's ``with_context(context or
    # {})``); an empty one for records whose context is empty already is no change
    recs = model.with_context(context or {}) if context or model.env.context else model
    if kind not in ("model", "model_create"):
        if not args:
            raise InvalidArguments(
                f"{model._name}.{name} works on records: the first argument is their ids"
            )
        ids, args = args[0], args[1:]
        if ids is False or ids is None:
            ids = []
        if isinstance(ids, int) and not isinstance(ids, bool):
            ids = [ids]
        if not isinstance(ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            raise InvalidArguments(f"{model._name}.{name}: ids must be a list of integers")
        recs = recs.browse(ids)
    error = binding_error(method, 1 + len(args), tuple(kwargs))
    if error is not None:
        raise InvalidArguments(f"{model._name}.{name}(): {error}")
    result = method(recs, *args, **kwargs)
    if kind == "model_create" and args and _is_recordset(result):
        result = result.id if isinstance(args[0], Mapping) else result.ids
    else:
        result = _downgrade(method, result, recs, args, kwargs)
    recs.env.flush_all()
    return result


def _is_recordset(value: Any) -> bool:
    return hasattr(value, "_name") and hasattr(value, "ids") and not isinstance(value, type)


def _downgrade(method: Any, value: Any, recs: Any, args: list, kwargs: dict) -> Any:
    spec = getattr(method, "_returns", None)
    if not spec:
        return value
    _model, convert, _upgrade = spec
    if convert and len(inspect.signature(convert).parameters) > 1:
        return convert(recs, value, *args, **kwargs)
    if convert:
        return convert(value)
    return value.ids if _is_recordset(value) else value


# ---------------------------------------------------------------------------------------------
# Credentials of RPC calls
# ---------------------------------------------------------------------------------------------


class CredentialCache:
    """(uid, password) pairs verified recently in one database, as Odoo's ``_check_uid_passwd``
    cache; see the module docstring for why it stays right across workers.

    :param size: entries kept (least recently used dropped).
    :param ttl: seconds an entry is trusted at most before the password is hashed again.
    """

    def __init__(self, size: int = 1024, ttl: float = 600.0):
        self.size = size
        self.ttl = ttl
        self._entries: collections.OrderedDict[tuple, tuple[tuple, float]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def verified(self, uid: int, password: str, fingerprint: tuple | None) -> bool:
        """Whether ``password`` was verified for ``uid`` while its credentials were
        ``fingerprint`` (read in this transaction), not longer than ``ttl`` ago. ``False``
        says nothing: call :meth:`check`."""
        if fingerprint is None:
            return False
        key = (uid, hashlib.sha256(password.encode()).digest())
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == fingerprint and entry[1] > time.monotonic():
                self._entries.move_to_end(key)
                return True
        return False

    def check(
        self, su_env: Any, uid: int, password: str, fingerprint: Any = NotImplemented
    ) -> None:
        """Return if ``password`` (or an API key) authenticates ``uid``, else ``AccessDenied``.

        ``fingerprint``: ``credentials_fingerprint(su_env, uid)`` when the caller read it
        already in this transaction."""
        if fingerprint is NotImplemented:
            fingerprint = credentials_fingerprint(su_env, uid)
        if fingerprint is None:
            raise AccessDenied()
        key = (uid, hashlib.sha256(password.encode()).digest())
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == fingerprint and entry[1] > now:
                self._entries.move_to_end(key)
                return
        user = su_env["res.users"].browse(uid)
        user._check_credentials(password, {"interactive": False})
        fingerprint = credentials_fingerprint(su_env, uid)  # a rehash may have changed it
        if fingerprint is None:
            raise AccessDenied()
        with self._lock:
            self._entries[key] = (fingerprint, now + self.ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def credentials_fingerprint(su_env: Any, uid: int) -> tuple | None:
    """What a user's credentials are made of, in one query: ``None`` for an inactive or
    unknown user. It changes when the password (hash), the login, the active flag, the second
    factor or the set of API keys changes, and when an API key of the user has expired."""
    cr = su_env.cr
    cr.execute(credentials_query(su_env.registry, uid))
    row = cr.fetchone()
    return None if row is None else _frozen(row[:-_THROTTLE_COLUMNS])


def credentials_query(registry: Any, uid: int, address: str | None = None) -> SQL:
    """The query of :func:`credentials_fingerprint` (one row, or none), for ``registry``,
    followed by the login throttle's counters of the user's login and of ``address`` (see
    :func:`_check_throttle`)."""
    from erplite.security import throttle

    parts = [SQL("u.password, u.login, u.totp_secret")]
    if "res.users.apikeys" in registry:
        keys = registry["res.users.apikeys"]
        valid = (
            SQL(
                "k.expiration_date IS NULL OR k.expiration_date >= (clock_timestamp() AT TIME ZONE 'UTC')"
            )
            if "expiration_date" in keys._fields
            else SQL("true")
        )
        parts.append(
            SQL(
                "(SELECT ARRAY[count(*), count(*) FILTER (WHERE %s), coalesce(max(k.id), 0)]"
                " FROM %s k WHERE k.user_id = u.id)",
                valid,
                SQL.identifier(keys._table),
            )
        )
    return SQL(
        "SELECT %s, %s::text || lower(u.login), t.failures, t.last_failures"
        " FROM res_users u CROSS JOIN LATERAL (%s) t WHERE u.id = %s AND u.active",
        SQL(", ").join(parts),
        throttle.LOGIN_PREFIX,
        throttle.counters_query(SQL("u.login"), address),
        uid,
    )


def _frozen(row: Any) -> tuple[Any, ...]:
    """``row`` as a hashable tuple (its lists, such as group ids, as tuples)."""
    return tuple(tuple(value) if isinstance(value, list) else value for value in row)


__all__ = [
    "RPC_VERSION_1",
    "SERVER_SERIE",
    "SERVER_VERSION",
    "SERVER_VERSION_INFO",
    "CredentialCache",
    "InvalidArguments",
    "MethodNotFound",
    "api_kind",
    "call_kw",
    "check_method_name",
    "credentials_fingerprint",
    "credentials_query",
    "dispatch_rpc",
    "get_public_method",
    "version_info",
]
