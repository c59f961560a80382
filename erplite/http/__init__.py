"""erplite's HTTP layer: controllers and routes, sessions, CSRF, JSON-RPC and XML-RPC.

Worked example (a module's controller; the names are Odoo 17's)::

    # erplite/addons/library/controllers.py
    from erplite import http
    from erplite.http import request

    class Library(http.Controller):
        @http.route("/library/books/<int:book_id>", type="http", auth="user", methods=["GET"])
        def book(self, book_id):
            book = request.env["library.book"].browse(book_id)
            return request.render("library/book.html", {"book": book})

        @http.route("/library/borrow", type="json", auth="user")
        def borrow(self, book_id):
            request.env["library.book"].browse(book_id).action_borrow()
            return {"ok": True}

The building blocks, usable without a server::

    from erplite.http import build_routing_map, csrf_token, validate_csrf

    urls = build_routing_map(["base", "library"]).bind("localhost")
    endpoint, args = urls.match("/library/books/3", method="GET")
    endpoint.routing["auth"], args            # ('user', {'book_id': 3})

    token = csrf_token(session.sid, secret)
    validate_csrf(token, session.sid, secret)  # True

Files: ``routing`` (``route``, ``Controller``, the URL map of a database), ``jsonrpc`` (Odoo's
JSON-RPC envelope and encoder), ``xmlrpc`` (the XML-RPC wire format and faults), ``session``
(sessions in PostgreSQL), ``csrf`` (tokens), ``retrying`` (retry on concurrency errors,
``IntegrityError`` to ``ValidationError``), ``errors`` (exception to response), ``templates/``
(the framework's Jinja2 pages).

The life of a request
---------------------

This is the call graph the dispatcher (``Application``) follows; each step names the building
block it uses.

1. **Enter.** ``Application.__call__(environ, start_response)`` wraps the environ in a werkzeug
   request (through ``ProxyFix`` when configured behind a proxy, so that ``Secure`` cookies and
   generated URLs are right) and exposes it as ``http.request``. URLs keep the mount point:
   every generated URL and the cookie path start with ``request.httprequest.script_root``.
   ``/<module>/static/<path>`` is served from the module's ``static`` folder (installed modules
   only, ``safe_join``, caching headers) without going further.

2. **Choose the database.** A single-database ``Application(dsn)`` has one. The multi-database
   form takes, in order: the ``X-Erplite-Database`` header (stateless API calls), the session's
   ``db``, the one database the ``dbfilter`` (``%h`` host, ``%d`` first label of the host, as
   Odoo) leaves for this host; a database the filter excludes is never served. Sessions are
   read from the session store before the database is known, so the store lives in one fixed
   database (see ``SessionStore``).

3. **Load the registry.** One ``Registry`` per database, loaded lazily, an LRU of bounded size;
   the registry-change signal kept in PostgreSQL is checked so that a module installed by
   another worker reloads it. The routing map is ``routing.build_routing_map(
   registry.installed_modules)``, cached with the registry and rebuilt with it.

4. **Match.** ``routing_map.bind_to_environ(environ).match(return_rule=True)`` gives the
   ``Endpoint`` and the URL arguments (converters applied); werkzeug raises ``NotFound`` (404),
   ``MethodNotAllowed`` (405, with ``Allow``) or ``RequestRedirect``. ``endpoint.routing``
   drives everything below: ``type``, ``auth``, ``methods``, ``csrf``, ``cors``,
   ``save_session``, ``readonly``. A CORS preflight (``OPTIONS`` on a ``cors`` route) is
   answered 204 with the ``Access-Control-*`` headers.

5. **Session.** ``session.SessionStore.get(cookie sid)`` or ``.new()``;
   ``session.can_save = routing["save_session"]``. A session whose ``db`` is another database
   is treated as logged out for this one. A logged-in session whose ``session_token`` no longer
   matches the user's (``res.users._compute_session_token(sid)``: password, login or active
   changed) is logged out: the session expired.

6. **Transaction with retry.** ``retrying.retrying(one_try, httprequest=...,
   on_retry=<reload the session>)``: each try opens ``registry.cursor()`` (commits at the end,
   rolls back on error), so a serialization failure, deadlock or lock-not-available reruns the
   whole try (auth included) with the input rewound, up to 5 times; an ``IntegrityError``
   becomes a ``ValidationError``. Steps 7 to 9 happen inside one try.

7. **Authenticate** per ``routing["auth"]``: ``user`` needs ``session.uid``, else
   ``errors.SessionExpiredException``; ``public`` uses ``session.uid`` or the public user
   (``env.ref("base.public_user")``); ``none`` builds no user environment; ``bearer`` takes
   the key of ``Authorization: bearer <key>`` through
   ``res.users.apikeys._check_credentials(scope="rpc", key=key)`` and falls back to the
   session as ``user``. ``request.env = Environment(cr, uid, session.context)``.

8. **Read the parameters and call the endpoint.** ``type='http'``: query arguments, form
   fields, uploads and URL arguments; on a method outside ``csrf.SAFE_HTTP_METHODS`` with
   ``routing["csrf"]``, ``csrf.validate_csrf(params.pop("csrf_token"), session.sid,
   database.secret)`` must hold, else 400 ``csrf.CSRF_FAILURE_MESSAGE``. ``type='json'``:
   ``jsonrpc.parse_request`` (415 unless JSON, 400 when unreadable); a ``context`` parameter is
   popped and merged into ``request.env``'s context, as Odoo 17. Then ``endpoint(**params)``.

9. **Serialize.** ``type='http'``: ``routing.load_response(result)`` (``Response.load``);
   templates render now, while the cursor is open. ``type='json'``:
   ``jsonrpc.result_response(result, call.id)``. The try then ends: the cursor commits.

10. **Errors.** An exception leaving the try has rolled its transaction back; it becomes
    ``errors.error_response(exc, httprequest)`` for ``type='http'`` (403, 404, 422, a login
    redirect for an expired session, werkzeug's own statuses kept, 500 with an error id and
    the traceback only in the log) or ``jsonrpc.error_response(exc, call.id)`` (Odoo's
    envelope: code 100 session expired, 404, 200 otherwise).

11. **Save the session.** After the commit (never twice for a retried request):
    ``store.save_if_needed(session, token_factory)`` rotates it (login, logout: no fixation),
    saves it when dirty, otherwise moves ``last_seen``; the ``session_id`` cookie is set when
    written or when the client's differs: ``HttpOnly``, ``SameSite=Lax``, ``Secure`` under
    HTTPS, ``path=script_root or "/"``, ``max_age=store.idle_timeout``. Handing out a CSRF
    token calls ``session.touch()``: the sid it is bound to must be stored.

12. **Post-commit hooks.** ``cr.postcommit`` callbacks (mails, cache invalidations, bus
    notifications) ran inside ``Cursor.commit()``, after the commit succeeded; a failed try
    dropped them with its rollback. The response goes back to the WSGI server.
"""

from __future__ import annotations

import importlib
from typing import Any

from erplite.http.csrf import SAFE_HTTP_METHODS, csrf_token, validate_csrf
from erplite.http.errors import (
    ErrorInfo,
    SessionExpiredException,
    describe_exception,
    error_response,
    serialize_exception,
)
from erplite.http.jsonrpc import JsonRpcCall, json_default
from erplite.http.retrying import retrying
from erplite.http.routing import (
    Controller,
    Endpoint,
    build_routing_map,
    generate_routing_rules,
    route,
)
from erplite.http.session import Session, SessionStore

# Names provided by the dispatcher's modules (``application``, ``request``), imported on first
# use so that this package stays importable while they do not exist or are being loaded.
_LAZY = {
    "Application": "erplite.http.application",
    "application": "erplite.http.application",
    "request": "erplite.http.request",
    "Request": "erplite.http.request",
    "Response": "erplite.http.request",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'erplite.http' has no attribute {name!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise AttributeError(
            f"erplite.http.{name} is provided by {module_name}, which is not written yet"
        ) from None
    return getattr(module, name)


__all__ = [
    "SAFE_HTTP_METHODS",
    "Application",
    "Controller",
    "Endpoint",
    "ErrorInfo",
    "JsonRpcCall",
    "Request",
    "Response",
    "Session",
    "SessionExpiredException",
    "SessionStore",
    "application",
    "build_routing_map",
    "csrf_token",
    "describe_exception",
    "error_response",
    "generate_routing_rules",
    "json_default",
    "request",
    "retrying",
    "route",
    "serialize_exception",
    "validate_csrf",
]
