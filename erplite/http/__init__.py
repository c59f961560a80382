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

Serving: ``wsgi.Application(dsn, addons_paths)`` is the WSGI callable (``erplite.http:application``
is one configured from ``ERPLITE_*`` variables, for gunicorn); ``dispatcher`` opens with the call
graph of a request, one paragraph per step, and serves it; ``requestlib`` is ``request`` and
``Response``; ``databases`` chooses the database and keeps the registries; ``auth`` the four
``auth`` methods; ``static`` the modules' static files; ``service`` the Odoo-compatible
external API (``common``, ``db``, ``object``, ``call_kw``); ``server`` runs gunicorn. The routes
themselves (login, sessions, health, ``/xmlrpc/2``, ``/jsonrpc``, ``/json/2``) are in the
bundled module ``web``.

REST APIs: ``rest`` declares an operation once (``@rest.operation("GET", "/api/orders/{order_id}",
...)``: method, path, parameters, body and response schemas, error statuses) and derives the
route, the input checks, the error statuses and the OpenAPI 3.1 document from it; the
``orders`` module's ``/api/orders`` is the worked example.
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

# Names provided by the request layer, imported on first use so that importing a building block
# does not load it. Their modules are named ``wsgi`` and ``requestlib``, not ``application`` and
# ``request``: importing a submodule sets the package attribute of its name, which would hide
# the WSGI callable and the request proxy.
_LAZY = {
    "Application": "erplite.http.wsgi",
    "application": "erplite.http.wsgi",
    "request": "erplite.http.requestlib",
    "Request": "erplite.http.requestlib",
    "Response": "erplite.http.requestlib",
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
