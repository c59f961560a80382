"""The dispatcher: how ``Application`` turns one WSGI request into one response.

The life of a request
---------------------

This is the call graph :func:`serve` follows; each step names the building block it uses.

1. **Enter.** ``Application.__call__(environ, start_response)`` (``wsgi``) wraps the environ in a
   werkzeug request (through ``ProxyFix`` when configured behind a reverse proxy, so that
   ``Secure`` cookies and generated URLs are right), makes a :class:`~.requestlib.Request` and
   exposes it as ``http.request`` for the duration of :func:`serve`. URLs keep the mount point:
   every generated URL and the cookie path start with ``httprequest.script_root``
   (``SCRIPT_NAME``, set by ``DispatcherMiddleware`` or a proxy's ``X-Forwarded-Prefix``).

2. **Session.** ``SessionStore.get(cookie "session_id")`` (``session``), else a new session
   (keeping the cookie's sid, as Odoo does: a CSRF token may be bound to a sid never stored)
   that is stored only if something is put in it (a request without any cookie, an API
   client's, reads nothing, and a stateless route's new session never even draws its random
   id).
   Sessions live in one database, the same for every database served, so that in the
   multi-database form they are read before the database is known. When they live in the
   database served (the one-database form's default), they are read at step 6 instead, with
   the transaction's first statement (``auth.read_session``): no round trip of their own.

3. **Choose the database** (``databases``). A one-database ``Application`` has one. The
   multi-database form takes, in order: the ``X-Erplite-Database`` header (stateless API
   calls), the session's ``db``, the only database the ``dbfilter`` leaves for this host; a
   database the filter excludes is never served (404). An RPC call naming its database in its
   arguments switches to it later (``request.use_database``), under the same rule.

4. **Load the registry.** ``Databases.get(db)``: one registry per database, loaded lazily,
   kept in an LRU of bounded size, with its URL map ``routing.build_routing_map(installed
   modules)``. Without a database, the map holds the ``auth='none'`` routes of the
   server-wide modules (``base``, ``web``) only.

5. **Static files.** ``/<module>/static/<path>`` of an installed module is served from the
   module's ``static`` folder (``static``: ``safe_join``, ``ETag``, ``Cache-Control``),
   without a transaction.

6. **Match.** With a database, its transaction begins first (when PostgreSQL is down the
   pool says so at once, and the request is served from no database: ``/web/health``
   reports it, the other routes answer 503); its first statement reads the
   registry signal (``Databases.check_signal``), so that the routes are those of the modules
   installed now: before matching fails (404, 405), before the endpoint runs, or, for an
   ``auth='none'`` route of a server-wide module (present whatever is installed), as part of
   the endpoint's first query (``request.read_signals``: the RPC services read the caller's
   credentials in the same statement). :func:`match_route` (werkzeug's
   ``routing_map.bind_to_environ(environ).match(return_rule=True)``, remembered per map for
   URLs without arguments) gives the
   ``Endpoint`` and the URL arguments, converters applied; werkzeug raises ``NotFound`` (404),
   ``MethodNotAllowed`` (405 with ``Allow``) or ``RequestRedirect``. ``endpoint.routing`` drives
   everything below: ``type`` picks the dispatcher (:class:`HttpDispatcher`,
   :class:`JsonRPCDispatcher`, :class:`Json2Dispatcher`), then ``auth``, ``csrf``, ``cors``,
   ``save_session``. A CORS preflight (``OPTIONS`` on a ``cors`` route) is answered 204 here.
   ``Dispatcher.pre_dispatch`` reads what needs no database: the JSON body of ``json`` routes
   (400 unless JSON, as Odoo 17, or when unreadable or nested too deep) and ``json2`` routes
   (415 unless JSON, 400 when unreadable or nested too deep), once the body's size is checked
   against the route's or the application's limit (``limits``: 413 before the body is read).

7. **Transaction with retry.** ``retrying.retrying(one_try, httprequest=..., on_retry=<reload
   the session>)``: each try has its own transaction on the request's database (the first
   one began before step 6), committed at the end of the try, so a
   serialization failure, deadlock or lock-not-available reruns the whole try (authentication
   included) with the input rewound, up to 5 times with a jittered exponential pause. An
   ``IntegrityError`` becomes a ``ValidationError`` and is not retried. The first statement of
   every transaction reads the registry signal (and the security-cache signal), sent with the
   transaction's ``BEGIN`` in one round trip (``Cursor.begin_with``); when another
   process changed the modules, the registry is rebuilt and the request starts again from
   step 6 (``RegistryChanged``).
   Steps 8 to 10 happen inside one try.

8. **Authenticate** (``auth``): ``user`` needs the session's user (else
   ``SessionExpiredException``), ``public`` falls back to the public user, ``none`` has no
   user, ``bearer`` takes the API key of ``Authorization: bearer`` and falls back to the
   session. A logged-in session whose token no longer matches the user's credentials is
   logged out here. ``request.env`` is the caller's: nothing runs as superuser on its behalf.

9. **Parameters and call.** ``http``: query arguments, form fields, uploads and URL arguments;
   on a method outside ``csrf.SAFE_HTTP_METHODS`` with ``routing["csrf"]``, the popped
   ``csrf_token`` must be valid for the session (400 ``csrf.CSRF_FAILURE_MESSAGE``). ``json``:
   the envelope's ``params``; a ``context`` parameter is merged into ``request.env``'s, as Odoo
   17. ``json2``: the JSON body; a user authenticated by the session cookie (not an API key)
   needs a valid ``X-CSRF-Token`` header on unsafe methods (403 otherwise). Then
   ``endpoint(**params)``.

10. **Serialize.** ``http``: ``Response.load(result)``, templates rendered now, while the
    transaction is open. ``json``: ``jsonrpc.result_response(result, id)``. ``json2``: the
    result as JSON. The try ends: the transaction commits, and its post-commit hooks
    (``cr.postcommit``: mails, cache invalidations, notifications) run after the commit only;
    a failed try drops them with its rollback.

11. **Errors.** An exception leaving the tries has rolled its transaction back; the
    dispatcher's ``handle_error`` turns it into a response: ``http`` →
    ``errors.error_response`` (403 for ``AccessError``/``AccessDenied``, 400 for a
    ``UserError`` as Odoo 17, 404, 405 with the message, a login redirect for an expired
    session, 409 "record busy" for a concurrency failure that outlived the retries, 503 with
    ``Retry-After`` while PostgreSQL cannot be reached, 500 with an error id whose traceback
    is only in the log), ``json`` →
    Odoo's JSON-RPC error envelope (HTTP 200; code 100 for an expired session, 404, 200),
    ``json2`` → the serialized exception with the real status (401 with ``WWW-Authenticate``
    for a missing or wrong API key). An endpoint may attach its own ``exc.error_response``
    (XML-RPC faults do).

12. **Save the session**, after the commit and once, even for a retried request (after an
    error only a logout is kept, the rest of the session's changes go with the rollback):
    rotated when asked (login, logout: no fixation; the old sid stops existing), stored when
    changed, else its ``last_seen`` moved forward at most once a minute; a session holding
    nothing (anonymous, logged out) is never stored (``SessionStore.save_if_needed``). The
    ``session_id`` cookie is sent when the session was written or its new sid handed out:
    ``HttpOnly``, ``SameSite=Lax``, ``Secure`` under HTTPS, ``path`` the mount point,
    ``Max-Age`` the idle timeout. Then the headers and
    cookies of ``request.future_response`` and the CORS headers are added, then the headers of
    ``security_headers`` (``nosniff`` on every response, no framing by other sites on
    pages), and the response goes back to the WSGI server.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import psycopg
import werkzeug.exceptions
import werkzeug.routing
import werkzeug.wrappers
from werkzeug.exceptions import HTTPException

from erplite.exceptions import UserError
from erplite.http import auth as auth_methods
from erplite.http import errors, jsonrpc
from erplite.http.csrf import (
    CSRF_FAILURE_MESSAGE,
    CSRF_HEADER,
    CSRF_HEADER_FAILURE_MESSAGE,
    SAFE_HTTP_METHODS,
)
from erplite.http.current import _request_var
from erplite.http.databases import DatabaseNotFound, RegistryChanged
from erplite.http.limits import TooDeeplyNested, check_content_length, loads_json
from erplite.http.requestlib import Request, Response
from erplite.http.retrying import as_validation_error, retrying
from erplite.http.routing import RoutingMap
from erplite.http.security_headers import add_security_headers
from erplite.http.service import InvalidArguments, binding_error
from erplite.http.session import SessionStore
from erplite.http.static import serve_static

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_logger = logging.getLogger(__name__)

#: Name of the session cookie (Odoo's).
SESSION_COOKIE = "session_id"

#: Header naming the database of a stateless API call in the multi-database form.
DATABASE_HEADER = "X-Erplite-Database"

#: How many times a request starts again because the registry changed under it.
MAX_REGISTRY_RELOADS = 3

#: Chance that a request also deletes the idle sessions (Odoo collects them the same way).
SESSION_GC_PROBABILITY = 0.001


# ---------------------------------------------------------------------------------------------
# Dispatchers: what depends on the route type
# ---------------------------------------------------------------------------------------------


class Dispatcher:
    """Reads the parameters, calls the endpoint and serializes, for one route type."""

    routing_type = ""

    def __init__(self, request: Request):
        self.request = request

    def pre_dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> None:
        """Checks and parsing that need no database (run once, before the tries)."""

    def dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> werkzeug.wrappers.Response:
        raise NotImplementedError

    def handle_error(self, exc: BaseException) -> werkzeug.wrappers.Response:
        raise NotImplementedError

    @staticmethod
    def _attached_response(exc: BaseException) -> werkzeug.wrappers.Response | None:
        response = getattr(exc, "error_response", None)
        if callable(response) and not isinstance(response, werkzeug.wrappers.Response):
            response = response()
        return response


class HttpDispatcher(Dispatcher):
    """``type='http'``: form and query parameters, CSRF on unsafe methods, any response."""

    routing_type = "http"

    def dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> werkzeug.wrappers.Response:
        request = self.request
        params = request.get_http_params()
        params.update(args)
        if request.httprequest.method not in SAFE_HTTP_METHODS and endpoint.routing.get(
            "csrf", True
        ):
            token = params.pop("csrf_token", None)
            if not request.validate_csrf(token):
                _logger.warning(
                    "CSRF validation failed on %s %s (%s token)",
                    request.httprequest.method,
                    request.httprequest.path,
                    "invalid" if token else "no",
                )
                raise werkzeug.exceptions.BadRequest(CSRF_FAILURE_MESSAGE)
        request.params = params
        response = endpoint(**params)
        if not isinstance(response, werkzeug.wrappers.Response):  # a framework endpoint
            response = Response.load(response)
        if isinstance(response, Response) and response.is_template:
            response.flatten()
        return response

    def handle_error(self, exc: BaseException) -> werkzeug.wrappers.Response:
        attached = self._attached_response(exc)
        if attached is not None:
            return attached
        info = None
        if isinstance(exc, UserError):
            info = errors.describe_exception(exc)
            if info.status == 422:
                # Odoo 17's HttpDispatcher: a business refusal (UserError, ValidationError)
                # in a page or form route is a 400 (BadRequest); the JSON-2 API answers 422
                info = dataclasses.replace(info, status=400)
        return errors.error_response(exc, self.request.httprequest, info=info)


class JsonRPCDispatcher(Dispatcher):
    """``type='json'``: Odoo's JSON-RPC 2.0 envelope in and out, errors included."""

    routing_type = "json"

    def __init__(self, request: Request):
        super().__init__(request)
        self.call: jsonrpc.JsonRpcCall | None = None

    def pre_dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> None:
        self.call = jsonrpc.parse_request(self.request.httprequest, self.request.app.max_json_depth)

    def dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> werkzeug.wrappers.Response:
        request = self.request
        assert self.call is not None
        params = dict(self.call.params)
        params.update(args)
        context = params.pop("context", None)
        if isinstance(context, dict) and request.db:
            request.update_context(**context)
        request.params = params
        # parameters that do not fit the endpoint are the client's mistake (a 422 in the error
        # envelope), not a TypeError of the server; the check is remembered per shape of call
        error = binding_error(endpoint.func, 0, tuple(params))
        if error is not None:
            raise InvalidArguments(f"{endpoint.__name__}(): {error}")
        result = endpoint(**params)
        if isinstance(result, werkzeug.wrappers.Response):
            return result
        return jsonrpc.result_response(result, self.call.id)

    def handle_error(self, exc: BaseException) -> werkzeug.wrappers.Response:
        if isinstance(exc, (jsonrpc.InvalidJsonRpc, jsonrpc.UnsupportedJsonRpcMediaType)):
            return exc.get_response()
        if isinstance(exc, werkzeug.exceptions.RequestEntityTooLarge):
            _logger.info("%s %s: 413 %s", *_method_path(self.request), exc.description)
            return jsonrpc.JsonRpcTooLarge(exc.description).get_response()
        attached = self._attached_response(exc)
        if attached is not None:
            return attached
        return jsonrpc.error_response(exc, self.call.id if self.call else None)


class Json2Dispatcher(Dispatcher):
    """``type='json2'`` (Odoo 19): the JSON body is the parameters, the result the body,
    errors are real HTTP statuses with the serialized exception as body."""

    routing_type = "json2"

    def __init__(self, request: Request):
        super().__init__(request)
        self.jsonrequest: dict[str, Any] = {}

    def pre_dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> None:
        httprequest = self.request.httprequest
        data = httprequest.get_data()
        if not data:
            return
        if httprequest.mimetype not in jsonrpc.JSON_MIMETYPES:
            raise werkzeug.exceptions.UnsupportedMediaType(
                f"The body must be JSON (Content-Type: application/json), not "
                f"{httprequest.mimetype or 'none'!r}."
            )
        try:
            body = loads_json(data, self.request.app.max_json_depth)
        except TooDeeplyNested as exc:
            raise werkzeug.exceptions.BadRequest(str(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise werkzeug.exceptions.BadRequest(
                f"Could not parse the body as JSON: {exc}"
            ) from None
        if not isinstance(body, dict):
            raise werkzeug.exceptions.BadRequest("The JSON body must be an object.")
        self.jsonrequest = body

    def dispatch(self, endpoint: Any, args: Mapping[str, Any]) -> werkzeug.wrappers.Response:
        request = self.request
        httprequest = request.httprequest
        if request.session_authenticated and httprequest.method not in SAFE_HTTP_METHODS:
            # the session cookie goes with any cross-site request: a write needs the token
            if not request.validate_csrf(httprequest.headers.get(CSRF_HEADER)):
                _logger.warning(
                    "CSRF validation failed on %s %s (session cookie without %s)",
                    httprequest.method,
                    httprequest.path,
                    CSRF_HEADER,
                )
                raise werkzeug.exceptions.Forbidden(CSRF_HEADER_FAILURE_MESSAGE)
        request.jsonrequest = self.jsonrequest  # type: ignore[attr-defined]
        request.params = {**self.jsonrequest, **args}
        result = endpoint(**request.params)
        if isinstance(result, werkzeug.wrappers.Response):
            return result
        return request.make_json_response(result)

    def handle_error(self, exc: BaseException) -> werkzeug.wrappers.Response:
        attached = self._attached_response(exc)
        if attached is not None:
            return attached
        response = errors.error_response(exc, self.request.httprequest, json_body=True)
        if response.status_code == 401 and "WWW-Authenticate" not in response.headers:
            response.headers["WWW-Authenticate"] = "bearer"
        return response


def _method_path(request: Request) -> tuple[str, str]:
    return request.httprequest.method, request.httprequest.path


DISPATCHERS: dict[str, type[Dispatcher]] = {
    cls.routing_type: cls for cls in (HttpDispatcher, JsonRPCDispatcher, Json2Dispatcher)
}


# ---------------------------------------------------------------------------------------------
# serve(): the call graph of the module docstring
# ---------------------------------------------------------------------------------------------


def serve(app: Any, httprequest: werkzeug.wrappers.Request) -> werkzeug.wrappers.Response:
    """Serve one request with ``app`` (an :class:`erplite.http.Application`)."""
    request = Request(httprequest, app)
    token = _request_var.set(request)
    try:
        return add_security_headers(_serve(request))
    except Exception as exc:  # failures outside an endpoint: sessions or database unreachable
        return add_security_headers(errors.error_response(exc, httprequest))
    finally:
        request.end_transaction(commit=False)  # never left open, whatever happened
        # request <-> dispatcher is a reference cycle: broken, the request's objects are
        # freed now rather than by the next garbage collection
        request.dispatcher = None
        _request_var.reset(token)


def _serve(request: Request) -> werkzeug.wrappers.Response:
    app = request.app
    if app.databases.multi:  # the session may name the database; else it is read later,
        request.session = _load_session(request)  # with the transaction's first statement
    try:
        _select_database(request)
    except HTTPException as exc:
        return errors.error_response(exc, request.httprequest)

    static = serve_static(request)
    if static is not None:
        return static

    for attempt in range(MAX_REGISTRY_RELOADS + 1):
        try:
            response = _dispatch(request)
            break
        except RegistryChanged as exc:
            request.end_transaction(commit=False)
            if attempt == MAX_REGISTRY_RELOADS:
                raise
            request.select_database(app.databases.reload(exc.dbname, exc.sequence))
            request.session = _load_session(request)
    _save_session(request, response)
    request.apply_future_response(response)
    if random.random() < SESSION_GC_PROBABILITY:
        app.session_store.vacuum()
    return response


def _load_session(request: Request) -> Any:
    store: SessionStore = request.app.session_store
    httprequest = request.httprequest
    if "HTTP_COOKIE" not in httprequest.environ:  # no cookie at all (API clients): no lookup
        return store.new()
    sid = httprequest.cookies.get(SESSION_COOKIE)
    if (
        request.db is not None
        and request.transaction_begun
        and not request.signals_read
        and store.table_ready
        and store.is_valid_sid(sid)
        and request.database_dsn == request.app.session_dsn
    ):
        # the sessions live in the request's database: read with its first statement
        session = auth_methods.read_session(request, sid)
    else:
        session = store.get(sid)
    # a sid never stored (handed out with a CSRF token) or gone: a new session under it
    return session if session is not None else store.new(sid)


def _select_database(request: Request) -> None:
    """Step 3: the database of this request (see the module docstring)."""
    databases = request.app.databases
    if not databases.multi:
        _set_database(request, databases.single_name)
        return
    host = request.host
    header = request.httprequest.headers.get(DATABASE_HEADER)
    if header:
        if not databases.allowed(header, host):
            raise DatabaseNotFound(header)
        _set_database(request, header)
        return
    session = request.session
    if session.db:
        if databases.allowed(session.db, host):
            try:
                request.select_database(databases.get(session.db))
                return
            except DatabaseNotFound:
                pass
        _logger.info("session of database %r not served to %r: logged out", session.db, host)
        session.logout(keep_db=False)
    try:
        candidates = databases.host_databases(host)
    except psycopg.OperationalError:
        _logger.exception("the database server cannot be reached")
        request.db_unavailable = True
        return
    if len(candidates) == 1:
        _set_database(request, candidates[0])


def _set_database(request: Request, dbname: str | None) -> None:
    """Serve ``request`` from ``dbname``; when PostgreSQL cannot be reached, from no database
    (the database-free routes answer, ``/web/health`` says so, the others are 503)."""
    try:
        request.select_database(request.app.databases.get(dbname))
    except psycopg.OperationalError as exc:
        _logger.error("the database %r cannot be reached: %s", dbname, exc)
        request.db_unavailable = True


def _dispatch(request: Request) -> werkzeug.wrappers.Response:
    """Steps 6 to 11 for the request's database (``RegistryChanged`` restarts them)."""
    _begin_transaction(request)
    if request.session is None:
        request.session = _load_session(request)
    try:
        rule, args = _match(request)
    except HTTPException as exc:
        return _match_error_response(request, exc)
    endpoint = rule.endpoint
    dispatcher = _bind_dispatcher(request, endpoint)
    routing = endpoint.routing
    cors = routing.get("cors")
    if cors and request.httprequest.method == "OPTIONS":
        response = _preflight_response()
    else:
        response = _run_endpoint(request, dispatcher, endpoint, args)
    if cors:
        _add_cors_headers(response, routing, cors)
    return response


def _begin_transaction(request: Request) -> None:
    """Step 6's start: the transaction begins before matching; its first statement reads the
    registry signal, so that the routes matched are those of the modules installed now:
    before the endpoint runs, or as part of its first query for a server-wide route."""
    if request.db is None:
        return
    try:
        request.cursor(check_signal=False)
    except psycopg.OperationalError as exc:
        # PostgreSQL is down (the pool says so at once): served from no database, so that
        # /web/health answers with the database's state and the rest is a 503
        _logger.error("the database %r cannot be reached: %s", request.db, exc)
        request.select_database(None)
        request.db_unavailable = True


def _match(request: Request) -> tuple[werkzeug.routing.Rule, Mapping[str, Any]]:
    """Step 6: the rule and URL arguments of the request in its routing map. A URL that does
    not match reads the registry signals first (``RegistryChanged`` restarts the request with
    the routes of the modules installed now), then matches again."""
    routing_map = request.routing_map
    environ = request.httprequest.environ
    try:
        return match_route(routing_map, environ)
    except HTTPException:
        if request.db is None or request.signals_read:
            raise
        request.read_signals()
        return match_route(routing_map, environ)


def _match_error_response(request: Request, exc: HTTPException) -> werkzeug.wrappers.Response:
    """The answer to a URL that matched no route (404, 405, a redirection); a 404 while the
    request's database is unreachable is a 503."""
    if request.db_unavailable and isinstance(exc, werkzeug.exceptions.NotFound):
        exc = errors.DatabaseUnavailable()
    return errors.error_response(exc, request.httprequest)


def _bind_dispatcher(request: Request, endpoint: Any) -> Dispatcher:
    """The dispatcher of the route's ``type``, set on the request with the route's
    arguments."""
    routing = endpoint.routing
    request.routing = routing
    dispatcher = DISPATCHERS[routing["type"]](request)
    request.dispatcher = dispatcher
    request.session.can_save = bool(routing.get("save_session", True))
    return dispatcher


def _preflight_response() -> werkzeug.wrappers.Response:
    """The answer to a CORS preflight (``OPTIONS`` on a ``cors`` route)."""
    return Response(
        status=204,
        headers={
            "Access-Control-Max-Age": str(60 * 60 * 24),
            "Access-Control-Allow-Headers": (
                "Origin, X-Requested-With, Content-Type, Accept, Authorization"
            ),
        },
    )


def _run_endpoint(
    request: Request, dispatcher: Dispatcher, endpoint: Any, args: Mapping[str, Any]
) -> werkzeug.wrappers.Response:
    """Steps 6's end to 11: the body's size checked, what needs no database read
    (``pre_dispatch``), then the tries (``_one_try``); every error becomes the dispatcher's
    response, except ``RegistryChanged`` (the request starts again) and ``BaseException``."""
    httprequest = request.httprequest
    max_content_length = endpoint.routing.get("max_content_length")
    try:
        # before anything reads the body: 413 for a declared length over the limit, and a
        # body without Content-Length is cut at the limit while it is read
        check_content_length(
            httprequest,
            max_content_length
            if max_content_length is not None
            else request.app.max_content_length,
        )
        dispatcher.pre_dispatch(endpoint, args)
        return retrying(
            functools.partial(_one_try, request, endpoint, args),
            httprequest=httprequest,
            on_retry=lambda exc, tryno: _reset_session(request),
        )
    except RegistryChanged:
        raise
    except Exception as exc:  # every error becomes a response; BaseException goes up
        request.failed = True
        return dispatcher.handle_error(exc)


def _add_cors_headers(
    response: werkzeug.wrappers.Response, routing: dict[str, Any], origin: str
) -> None:
    """The CORS headers of a ``cors`` route's answer."""
    response.headers["Access-Control-Allow-Origin"] = origin
    methods = routing.get("methods")
    response.headers["Access-Control-Allow-Methods"] = (
        "POST" if routing["type"] != "http" else ", ".join(methods or ["GET", "POST"])
    )


def match_route(
    routing_map: werkzeug.routing.Map, environ: WSGIEnvironment
) -> tuple[werkzeug.routing.Rule, Mapping[str, Any]]:
    """``routing_map.bind_to_environ(environ).match(return_rule=True)``: the rule and its URL
    arguments, or werkzeug's ``NotFound``, ``MethodNotAllowed``, ``RequestRedirect``; from
    what the map remembers when it is erplite's :class:`~erplite.http.routing.RoutingMap`."""
    if isinstance(routing_map, RoutingMap):
        return routing_map.match_environ(environ)
    return routing_map.bind_to_environ(environ).match(return_rule=True)


def _one_try(
    request: Request, endpoint: Any, args: Mapping[str, Any]
) -> werkzeug.wrappers.Response:
    """Steps 8 to 10 in one transaction: committed when they succeed, rolled back if not."""
    request.start_try()
    try:
        auth = endpoint.routing["auth"]
        lazy = request.db is not None and _server_wide_none(request, endpoint)
        if request.db is not None:
            # begins the transaction (a retry's), reading the signal first; a server-wide
            # auth='none' route (present whatever the modules) reads it with its first query,
            # and a session's user with the query of their session token (auth.session_uid)
            request.cursor(check_signal=not (lazy or _session_user(request)))
        auth_methods.authenticate(request, auth)
        if request.db is not None and not lazy:
            request.cursor()  # the signals are read before the endpoint runs
        response = request.dispatcher.dispatch(endpoint, args)
        request.end_transaction(commit=True)
        return response
    except psycopg.IntegrityError as exc:
        registry = request.registry
        request.end_transaction(commit=False)
        if registry is not None and hasattr(registry, "integrity_error_to_validation"):
            raise registry.integrity_error_to_validation(exc) from exc
        raise as_validation_error(exc, registry) from exc
    except BaseException:
        request.end_transaction(commit=False)
        raise


def _session_user(request: Request) -> bool:
    """Whether the session says it logged in to the request's database (the session token
    is then checked, with the signals: ``auth.session_uid``)."""
    session = request.session
    return bool(session.uid) and session.db == request.db


def _server_wide_none(request: Request, endpoint: Any) -> bool:
    """Whether ``endpoint`` is an ``auth='none'`` route of a server-wide module (``web``,
    ``base``): served whatever modules are installed, it may leave the signal check to its
    first query (``request.read_signals``), which the RPC services merge with theirs."""
    is_server_wide_none: bool = endpoint.is_server_wide_none(request.app.server_wide_modules)
    return is_server_wide_none


def _reset_session(request: Request) -> None:
    """Before a retry: forget what the failed try did to the session."""
    can_save = request.session.can_save
    request.session = _load_session(request)
    request.session.can_save = can_save


def _save_session(request: Request, response: werkzeug.wrappers.Response) -> None:
    """Step 12: store the session as its flags say, and send the cookie when written."""
    session = request.session
    if not session.can_save:
        return
    if request.failed and not session.should_rotate:
        # the transaction was rolled back: so are the session's changes, except a logout
        # (an expired session token) which must take effect
        return
    store = request.app.session_store
    httprequest = request.httprequest
    client_sid = httprequest.cookies.get(SESSION_COOKIE)
    written = store.save_if_needed(session, functools.partial(_session_token, request, session))
    if written:
        response.set_cookie(
            SESSION_COOKIE,
            session.sid,
            max_age=int(store.idle_timeout),
            httponly=True,
            samesite="Lax",
            secure=httprequest.scheme == "https",
            path=httprequest.script_root or "/",
        )
    elif client_sid and client_sid != session.sid and session.is_new:
        # the client's session is gone (expired, logged out elsewhere): forget its cookie
        response.delete_cookie(
            SESSION_COOKIE, path=httprequest.script_root or "/", httponly=True, samesite="Lax"
        )


def _session_token(request: Request, session: Any, sid: str) -> str:
    """The session token of ``session``'s user for ``sid``, in a transaction of its own."""
    from erplite import SUPERUSER_ID
    from erplite.orm.environment import Environment

    state = request.app.databases.get(session.db)
    with state.registry.cursor() as cr:
        user = Environment(cr, SUPERUSER_ID, {})["res.users"].browse(session.uid)
        return user._compute_session_token(sid)


__all__ = [
    "DATABASE_HEADER",
    "DISPATCHERS",
    "SESSION_COOKIE",
    "Dispatcher",
    "HttpDispatcher",
    "Json2Dispatcher",
    "JsonRPCDispatcher",
    "serve",
]
