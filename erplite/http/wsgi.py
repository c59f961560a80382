"""``erplite.http.Application``: the WSGI application, and ``erplite.http:application``.

Worked example::

    from erplite.http import Application

    app = Application("dbname=shop")                       # one database
    app = Application("dbname=postgres", dbfilter="^%d$",   # one database per tenant, chosen
                      session_dsn="dbname=sessions")        # by host name: acme.example.com
                                                            # is served from database "acme"

    # mounted under a prefix of another WSGI application
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    host = DispatcherMiddleware(other_app, {"/erp": app})

    # production: gunicorn -w 4 'erplite.http:application'  (ERPLITE_DSN=... in the environment)

The module is called ``wsgi`` rather than ``application`` so that the package attribute
``erplite.http.application`` stays the WSGI callable gunicorn imports.

``Application`` opens nothing when it is made: registries, connection pools and the sessions
table come on the first request, in the process that serves it, so an application made
before gunicorn forks its workers shares no connection between them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import werkzeug.routing
import werkzeug.wrappers

from erplite import pooler
from erplite.http.databases import DEFAULT_MAX_REGISTRIES, SERVER_WIDE_MODULES, Databases
from erplite.http.limits import DEFAULT_MAX_CONTENT_LENGTH, DEFAULT_MAX_JSON_DEPTH
from erplite.http.routing import RULE_KEYS, RoutingMap, generate_routing_rules
from erplite.http.session import SESSION_LIFETIME, SessionStore


class Application:
    """A WSGI application serving erplite databases (see the module docstring).

    :param dsn: the database to serve; in the multi-database form, the server's maintenance
        database (``dbname=postgres``), which holds nothing of erplite's.
    :param addons_paths: extra folders of modules.
    :param dbfilter: Odoo's ``dbfilter`` (``%h`` host, ``%d`` its first label); turns on the
        multi-database form.
    :param db_names: the databases that may be served (multi-database form).
    :param multi_db: force the form (by default, multi-database when ``dbfilter`` or
        ``db_names`` is given).
    :param session_dsn: the database holding the sessions (table ``http_session``) of every
        database served; by default ``dsn``.
    :param max_registries: how many databases' registries are kept in memory.
    :param proxy_fix: behind a reverse proxy: trust one ``X-Forwarded-For/Proto/Host/Port/
        Prefix`` hop (werkzeug's ``ProxyFix``), so that ``Secure`` cookies and URLs are right.
    :param session_idle_timeout: seconds after which an unused session is gone.
    :param list_db: whether the database list may be read (``/web/database/list``,
        ``db.list``) and offered on the login page.
    :param max_content_length: the largest request body accepted, in bytes (413 beyond it);
        a route may declare its own (``@route(..., max_content_length=...)``, for uploads).
    :param max_json_depth: the deepest nesting of lists and objects accepted in a JSON or
        XML-RPC request (400 beyond it).
    :param dev: development mode (``erplite serve --dev``, ``ERPLITE_DEV=1``): a page
        template whose file changed is read again; otherwise each template is read once per
        registry (Odoo's ``--dev=xml`` reloads them, a production server does not: modules
        are not edited under it).
    """

    def __init__(
        self,
        dsn: str,
        addons_paths: Iterable[str | Path] = (),
        *,
        dbfilter: str | None = None,
        db_names: Iterable[str] | None = None,
        multi_db: bool | None = None,
        session_dsn: str | None = None,
        max_registries: int = DEFAULT_MAX_REGISTRIES,
        proxy_fix: bool = False,
        session_idle_timeout: float = SESSION_LIFETIME,
        list_db: bool = True,
        max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH,
        max_json_depth: int = DEFAULT_MAX_JSON_DEPTH,
        dev: bool = False,
    ):
        self.dsn = dsn
        self.addons_paths = tuple(str(path) for path in addons_paths)
        self.databases = Databases(
            dsn,
            self.addons_paths,
            multi=multi_db,
            dbfilter=dbfilter,
            db_names=db_names,
            max_registries=max_registries,
        )
        self.session_dsn = session_dsn or dsn
        self.session_idle_timeout = session_idle_timeout
        self.list_db = list_db
        self.max_content_length = max_content_length
        self.max_json_depth = max_json_depth
        self.dev = dev
        self.server_wide_modules = SERVER_WIDE_MODULES
        self._session_store: SessionStore | None = None
        self._lock = threading.Lock()
        self._wsgi: Callable = self._wsgi_app
        if proxy_fix:
            from werkzeug.middleware.proxy_fix import ProxyFix

            self._wsgi = ProxyFix(
                self._wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1
            )

    # -- WSGI ---------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self._wsgi(environ, start_response)

    def _wsgi_app(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        from erplite.http.dispatcher import serve

        httprequest = werkzeug.wrappers.Request(environ)
        try:
            response = serve(self, httprequest)
        finally:
            # werkzeug's request <-> environ["werkzeug.request"] is a reference cycle: broken,
            # the request is freed at once rather than by the next garbage collection
            if environ.get("werkzeug.request") is httprequest:
                del environ["werkzeug.request"]
        return response(environ, start_response)

    # -- lazily made parts --------------------------------------------------------------------
    @property
    def session_store(self) -> SessionStore:
        """The sessions (table ``http_session`` of ``session_dsn``), made on first use."""
        if self._session_store is None:
            with self._lock:
                if self._session_store is None:
                    from erplite.sql import connection_pool

                    self._session_store = SessionStore(
                        connection_pool(self.session_dsn), idle_timeout=self.session_idle_timeout
                    )
        return self._session_store

    @property
    def secret(self) -> str:
        """The secret of CSRF tokens, shared by every worker (see ``SessionStore.secret``)."""
        return self.session_store.secret()

    @functools.cache  # noqa: B019 - one per application, which lives as long as the process
    def nodb_module_paths(self) -> dict[str, Path]:
        """The folders of the server-wide modules, imported so that their routes exist."""
        from erplite.loading import discover_modules
        from erplite.orm.registry import import_module_package

        found = discover_modules(self.addons_paths)
        paths = {name: found[name] for name in self.server_wide_modules if name in found}
        for name, path in paths.items():
            import_module_package(name, path)
        return paths

    @functools.cache  # noqa: B019
    def nodb_routing_map(self) -> RoutingMap:
        """The routes served without a database: ``auth='none'`` routes of the server-wide
        modules."""
        modules = list(self.nodb_module_paths())
        routing_map = RoutingMap(strict_slashes=False)
        for url, endpoint in generate_routing_rules(modules):
            if endpoint.routing.get("auth") != "none":
                continue
            options = {k: v for k, v in endpoint.routing.items() if k in RULE_KEYS}
            rule = werkzeug.routing.Rule(url, endpoint=endpoint, **options)
            rule.merge_slashes = False
            routing_map.add(rule)
        return routing_map

    @functools.cache  # noqa: B019
    def nodb_templates(self) -> Any:
        from erplite.http.requestlib import make_template_environment

        return make_template_environment(self.nodb_module_paths(), auto_reload=self.dev)

    def __repr__(self) -> str:
        form = "multi-database" if self.databases.multi else "one database"
        return f"<Application {self.databases.single_name or self.dsn!r} ({form})>"


# ---------------------------------------------------------------------------------------------
# erplite.http:application, for WSGI servers
# ---------------------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}


def application_from_environ(environ: dict[str, str] | None = None) -> Application:
    """The ``Application`` the ``ERPLITE_*`` environment variables describe.

    ``ERPLITE_DSN`` (required), ``ERPLITE_ADDONS_PATH`` (comma-separated folders),
    ``ERPLITE_DBFILTER``, ``ERPLITE_DB_NAME`` (the database; several, comma-separated: the
    multi-database form), ``ERPLITE_SESSION_DSN``, ``ERPLITE_PROXY_MODE`` (``1``/``true``),
    ``ERPLITE_LIST_DB`` (``0``/``false`` to hide the database list),
    ``ERPLITE_MAX_CONTENT_LENGTH`` (bytes), ``ERPLITE_MAX_JSON_DEPTH``,
    ``ERPLITE_MAX_REGISTRIES`` (databases whose registry a worker keeps, 8 by default; the
    least recently used is dropped beyond), ``ERPLITE_DEV`` (``1``/``true``: development
    mode, templates read again when changed), ``ERPLITE_DB_MAXCONN`` (connections a worker
    opens over all its databases, 64: ``erplite.sql.connection_budget``); the process's
    ``erplite.pooler`` setting from ``ERPLITE_DB_POOLER`` (``transaction`` behind PgBouncer
    in transaction mode) and ``ERPLITE_DB_DIRECT_DSN``.
    """
    values: Mapping[str, str] = os.environ if environ is None else environ
    if "ERPLITE_DB_POOLER" in values:  # else the process's setting stays as it is
        pooler.configure_from_environ(values)
    dsn = values.get("ERPLITE_DSN")
    if not dsn:
        raise RuntimeError(
            "erplite.http:application needs ERPLITE_DSN (a libpq connection string or a "
            "postgresql:// URI of the database to serve)"
        )
    addons = [p.strip() for p in values.get("ERPLITE_ADDONS_PATH", "").split(",") if p.strip()]
    names = [n.strip() for n in values.get("ERPLITE_DB_NAME", "").split(",") if n.strip()]
    if len(names) == 1:
        from erplite.sql import dsn_with_dbname

        dsn = dsn_with_dbname(dsn, names[0])
    return Application(
        dsn,
        addons,
        dbfilter=values.get("ERPLITE_DBFILTER") or None,
        db_names=names if len(names) > 1 else None,
        session_dsn=values.get("ERPLITE_SESSION_DSN") or None,
        proxy_fix=values.get("ERPLITE_PROXY_MODE", "").strip().lower() in _TRUE,
        list_db=values.get("ERPLITE_LIST_DB", "1").strip().lower() in _TRUE,
        max_content_length=_positive_int(
            values, "ERPLITE_MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH
        ),
        max_json_depth=_positive_int(values, "ERPLITE_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH),
        max_registries=_positive_int(values, "ERPLITE_MAX_REGISTRIES", DEFAULT_MAX_REGISTRIES),
        dev=values.get("ERPLITE_DEV", "").strip().lower() in _TRUE,
    )


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise RuntimeError(f"{name}={text!r}: expected a whole number of at least 1")
    return int(text)


class _EnvironApplication:
    """``erplite.http:application``: the Application of the ``ERPLITE_*`` variables, made at
    its first request, in the worker process serving it."""

    def __init__(self) -> None:
        self._app: Application | None = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Application:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = application_from_environ()
        return self._app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.app(environ, start_response)

    def __repr__(self) -> str:
        return "<erplite.http:application (configured from ERPLITE_* variables)>"


#: The WSGI callable of ``gunicorn 'erplite.http:application'``.
application = _EnvironApplication()

__all__ = ["Application", "application", "application_from_environ"]
