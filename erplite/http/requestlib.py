"""``http.request``, the request being served, and ``http.Response``, as Odoo 17 names them.

Worked example (inside a controller method)::

    from erplite.http import request, Response

    request.env["res.partner"].search([])         # the caller's environment, in the request's
                                                  # one transaction
    request.params                                # query, form and URL arguments
    request.session.uid, request.db               # who and where
    request.render("library/book.html", {"book": book})   # a Jinja2 page of module "library"
    request.make_json_response({"ok": True}, status=201)
    request.redirect("/web")                      # 303, under the mount point (SCRIPT_NAME)
    request.csrf_token()                          # for a form posting to an http route

The module is called ``requestlib`` (as in Odoo 19) rather than ``request`` so that the package
attribute ``erplite.http.request`` stays the proxy and never becomes this module.

The environment is opened lazily: ``request.env`` (or ``request.cr``) begins the request's
transaction on its database the first time it is used, after reading the registry signal
(:meth:`erplite.http.databases.Databases.check_signal`). The dispatcher commits it once the
response is built and rolls it back on error (see :mod:`erplite.http.dispatcher`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

import werkzeug.datastructures
import werkzeug.exceptions
import werkzeug.local
import werkzeug.routing
import werkzeug.utils
import werkzeug.wrappers

from erplite.exceptions import AccessDenied
from erplite.http import csrf, routing
from erplite.http.current import request
from erplite.http.errors import TEMPLATES_PATH
from erplite.http.jsonrpc import JSON_CONTENT_TYPE, dumps_bytes
from erplite.http.session import Session, SessionStore

if TYPE_CHECKING:
    import jinja2

    from erplite.http.databases import DatabaseState

# ---------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------


class Response(werkzeug.wrappers.Response):
    """A werkzeug response that may carry a template rendered at the end of the endpoint.

    ``Response(template="web/home.html", qcontext={...})`` renders lazily: the dispatcher calls
    :meth:`flatten` while the request's transaction is still open, so a controller extending
    another may change ``qcontext`` before it happens (Odoo's lazy QWeb responses).
    """

    default_mimetype = "text/html"
    # class defaults, for responses made by ``force_type`` (which skips ``__init__``)
    template: str | None = None
    qcontext: dict = {}  # noqa: RUF012 - replaced per instance by set_default
    uid: int | None = None

    def __init__(self, *args: Any, **kw: Any):
        template = kw.pop("template", None)
        qcontext = kw.pop("qcontext", None)
        uid = kw.pop("uid", None)
        super().__init__(*args, **kw)
        self.set_default(template, qcontext, uid)

    def set_default(
        self, template: str | None = None, qcontext: dict | None = None, uid: int | None = None
    ) -> None:
        self.template = template
        self.qcontext = dict(qcontext or {})
        self.qcontext["response_template"] = template
        self.uid = uid

    @classmethod
    def load(cls, result: Any, fname: str = "<function>") -> Response:
        """The response of an ``'http'`` endpoint that returned ``result``.

        A response is kept, a werkzeug response converted, ``str``/``bytes``/``None`` become an
        HTML body; a returned (instead of raised) ``HTTPException`` is raised, as Odoo does.
        """
        if isinstance(result, Response):
            return result
        if isinstance(result, werkzeug.exceptions.HTTPException):
            raise result
        if isinstance(result, werkzeug.wrappers.Response):
            # force_type gives an instance of cls (werkzeug's annotation names its own class)
            response = cast("Response", cls.force_type(result))
            response.set_default()
            return response
        if isinstance(result, BaseException):
            raise TypeError(f"{fname} returns an exception instead of raising it: {result!r}")
        if isinstance(result, (bytes, str, type(None))):
            return cls(result)
        raise TypeError(f"{fname} returns an invalid value: {result!r}")

    @property
    def is_template(self) -> bool:
        """Whether a template is still to be rendered."""
        return self.template is not None

    is_qweb = is_template  # Odoo's name

    def render(self) -> str:
        """Render the template with ``qcontext`` (needs the current request).

        :raises ValueError: the response has no template (rendered already, or never had one).
        """
        template = self.template
        if template is None:
            raise ValueError("this response has no template to render")
        return request.render_template(template, self.qcontext)

    def flatten(self) -> None:
        """Render the template into the body, once."""
        if self.template is not None:
            self.set_data(self.render())
            self.template = None


routing.set_response_loader(Response.load)


class FutureResponse:
    """Headers and cookies to add to the response, whatever the endpoint returns
    (``request.future_response``, as in Odoo)."""

    def __init__(self) -> None:
        self.headers = werkzeug.datastructures.Headers()
        self.cookies: list[tuple[tuple, dict]] = []

    def set_cookie(self, key: str, value: str = "", **kwargs: Any) -> None:
        self.cookies.append(((key, value), kwargs))

    def apply(self, response: werkzeug.wrappers.Response) -> None:
        for key, value in self.headers.items():
            response.headers.add(key, value)
        for args, kwargs in self.cookies:
            response.set_cookie(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# The request
# ---------------------------------------------------------------------------------------------


class Request:
    """The request being served: ``httprequest`` (werkzeug), ``session``, ``db``, ``env``...

    Created by the application for each request and reachable as ``erplite.http.request``
    while it is served.
    """

    #: the database chosen for this request could not be reached: served from no database
    #: (set by the dispatcher; the routes missing then answer 503, not 404)
    db_unavailable = False
    #: the endpoint's tries ended in an error: their transaction and the session's changes
    #: were rolled back (set by the dispatcher; only a logout is saved then)
    failed = False

    def __init__(self, httprequest: werkzeug.wrappers.Request, app: Any):
        #: the werkzeug request
        self.httprequest = httprequest
        #: the :class:`erplite.http.Application` serving it
        self.app = app
        self._future_response: FutureResponse | None = None
        #: the dispatcher of the matched route (``http``, ``json`` or ``json2``)
        self.dispatcher: Any = None
        #: the merged ``@route`` arguments of the matched endpoint
        self.routing: dict[str, Any] = {}
        #: the endpoint's parameters
        self.params: dict[str, Any] = {}
        #: the session (``None`` before the dispatcher loads it)
        self.session: Session = None  # type: ignore[assignment]
        #: the database served, ``None`` when none is selected
        self.db: str | None = None
        #: the registry of ``db``
        self.registry: Any = None
        self._state: DatabaseState | None = None
        self._cr: Any = None
        self._signals_read = False
        self._env: Any = None
        self._uid: int | None = None
        self._context: dict[str, Any] = {}
        self._su = False
        #: the user comes from the session cookie (set by the route's ``auth``)
        self.session_authenticated = False
        #: ``(uid, sid, token)``: the session token of ``uid`` for ``sid`` read with the
        #: session in this transaction (``auth.read_session``), for ``auth.session_uid``
        self.session_check: tuple[int, str, str] | None = None

    @property
    def future_response(self) -> FutureResponse:
        """Headers and cookies for the final response (made on first use)."""
        future = self._future_response
        if future is None:
            future = self._future_response = FutureResponse()
        return future

    def apply_future_response(self, response: werkzeug.wrappers.Response) -> None:
        """Add the headers and cookies of :attr:`future_response` to ``response`` (none when
        it was never used)."""
        if self._future_response is not None:
            self._future_response.apply(response)

    def start_try(self) -> None:
        """Forget what a previous try of the endpoint set: the user, context and superuser
        flag of ``env`` (the route's ``auth`` sets them again) and the parameters."""
        self._uid, self._context, self._su = None, {}, False
        self.params = {}

    # -- database and transaction -------------------------------------------------------------
    def select_database(self, state: DatabaseState | None) -> None:
        """Serve this request from the database of ``state`` (``Databases.get``), or from no
        database with ``None``: ``db``, ``registry`` and the routes follow. The dispatcher
        calls it (step 3 and after a registry reload); the transaction is not touched, end
        it first (:meth:`end_transaction`)."""
        self._state = state
        self.db = state.dbname if state is not None else None
        self.registry = state.registry if state is not None else None

    @property
    def database_cache(self) -> dict[str, Any]:
        """The per-database cache of this process for the database served (see
        ``DatabaseState.cache``): values derived from the registry, dropped with it.

        :raises RuntimeError: no database is selected for this request.
        """
        state = self._state
        if state is None:
            raise RuntimeError("no database is selected for this request")
        cache: dict[str, Any] = state.cache
        return cache

    @property
    def database_dsn(self) -> str | None:
        """The connection string of the database served, ``None`` when none is selected."""
        state = self._state
        return None if state is None else state.dsn

    @property
    def routing_map(self) -> werkzeug.routing.Map:
        """The routes this request may match: those of the modules installed in the database
        served, or, without a database, the ``auth='none'`` routes of the server-wide
        modules."""
        state = self._state
        if state is None:
            return self.app.nodb_routing_map()
        return state.routing_map

    @property
    def module_paths(self) -> Mapping[str, Path]:
        """The folder of each module of the database served (of each server-wide module
        without a database)."""
        state = self._state
        if state is None:
            return self.app.nodb_module_paths()
        return state.module_paths

    @property
    def installed_modules(self) -> tuple[str, ...]:
        """The modules installed in the database served (the server-wide modules without a
        database), in loading order."""
        state = self._state
        if state is None:
            return tuple(self.app.server_wide_modules)
        return state.installed_modules

    @property
    def transaction_begun(self) -> bool:
        """Whether the request holds its cursor (:meth:`cursor`), until
        :meth:`end_transaction`."""
        return self._cr is not None

    @property
    def signals_read(self) -> bool:
        """Whether the registry signals were read in the request's current transaction (see
        :meth:`read_signals`)."""
        return self._signals_read

    def use_database(self, dbname: str) -> None:
        """Serve the rest of this request from ``dbname`` (RPC calls name their database).

        Only an ``auth='none'`` route that has not used ``request.env`` yet may switch: the
        transaction begun on the previous database is rolled back (it only read its signals).

        :raises DatabaseNotFound: ``dbname`` is not served to this host.
        :raises RuntimeError: the request already works in another database.
        """
        from erplite.http.databases import DatabaseNotFound

        if not isinstance(dbname, str) or not dbname:
            raise DatabaseNotFound(None)
        if dbname == self.db:
            return
        if not self.app.databases.allowed(dbname, self.host):
            raise DatabaseNotFound(dbname)
        if self._cr is not None:
            if self.routing.get("auth", "none") != "none" or self._env is not None:
                raise RuntimeError(
                    f"this request works in database {self.db!r}, it cannot switch to {dbname!r}"
                )
            self.end_transaction(commit=False)  # nothing was done in it but reading signals
        self.select_database(self.app.databases.get(dbname))

    def cursor(self, check_signal: bool = True) -> Any:
        """The request's cursor, its transaction begun (the same cursor until
        :meth:`end_transaction`). Its first statement reads the signals
        (``Databases.check_signal``); with ``check_signal=False`` that read is left to the
        next ``cursor()`` or to :meth:`read_signals`, which makes it part of the request's
        first query. Unlike ``request.cr``, it makes no environment.

        :raises RuntimeError: no database is selected for this request.
        :raises RegistryChanged: the signals say another process changed the modules.
        """
        if self._cr is None:
            if self.registry is None:
                raise RuntimeError("no database is selected for this request")
            self._cr = self.registry.cursor()
            self._signals_read = False
        if not self._signals_read and check_signal:
            self.read_signals()
        return self._cr

    def read_signals(self, extra: Any = None) -> Any:
        """Read the signals now, with the one-row query ``extra`` in the same statement;
        return ``extra``'s row (``None`` without a row), or ``NotImplemented`` when the
        signals were read already (run ``extra`` yourself then). On ``RegistryChanged``,
        the cursor is closed and the exception goes up."""
        cr = self.cursor(check_signal=False)
        if self._signals_read:
            return NotImplemented
        self._signals_read = True
        try:
            return self.app.databases.check_signal(self._state, cr, extra)
        except BaseException:
            self._cr, self._env = None, None
            cr.close()
            raise

    def end_transaction(self, commit: bool) -> None:
        """Commit (running the post-commit hooks) or roll back the request's transaction and
        give its connection back; ``env`` is made again on next use, in a new transaction.
        Nothing happens when no transaction is open."""
        cr, self._cr, self._env = self._cr, None, None
        self.session_check = None
        if cr is None:
            return
        if commit:
            # a transaction that only read is committed without waiting for the answer
            cr.commit_and_close()
            return
        try:
            cr.rollback()
        finally:
            cr.close()

    @property
    def env(self) -> Any:
        """The environment of the request's user, in the request's transaction; ``None`` when
        no database is selected."""
        if self._env is None:
            if self.registry is None:
                return None
            from erplite.orm.environment import Environment

            self._env = Environment(self.cursor(), self._uid, self._context, self._su)
        return self._env

    @env.setter
    def env(self, env: Any) -> None:  # Odoo code assigns request.env
        self._env = env
        self._uid, self._context, self._su = env.uid, dict(env.context), env.su

    @property
    def cr(self) -> Any:
        env = self.env
        return env.cr if env is not None else None

    @property
    def uid(self) -> int | None:
        return self._uid

    @property
    def context(self) -> Mapping[str, Any]:
        return self._env.context if self._env is not None else dict(self._context)

    def update_env(
        self, user: Any = None, context: Mapping | None = None, su: bool | None = None
    ) -> None:
        """Change the user, context or superuser flag of ``request.env`` (Odoo's ``update_env``)."""
        if user is not None:
            self._uid = int(getattr(user, "id", user))
        if context is not None:
            self._context = dict(context)
        if su is not None:
            self._su = su
        if self._env is not None:
            from erplite.orm.environment import Environment

            self._env = Environment(self._env.cr, self._uid, self._context, self._su)

    def update_context(self, **overrides: Any) -> None:
        """Override some context keys of ``request.env``."""
        self.update_env(context={**self.context, **overrides})

    # -- request data -------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self.httprequest.host or ""

    def get_http_params(self) -> dict[str, Any]:
        """Query arguments, form fields and uploads, the first value of each (Odoo's)."""
        params = {
            **self.httprequest.args.to_dict(),
            **self.httprequest.form.to_dict(),
            **self.httprequest.files.to_dict(),
        }
        params.pop("session_id", None)
        return params

    def get_json_data(self) -> Any:
        """The JSON body (``ValueError`` when it is not JSON)."""
        return json.loads(self.httprequest.get_data(as_text=True))

    # -- CSRF ---------------------------------------------------------------------------------
    def csrf_token(self, time_limit: int | None = None) -> str:
        """A CSRF token for this session (valid ``time_limit`` seconds, or as long as the
        session with ``None``). The token is bound to the sid: a new session's sid is then
        sent as the cookie (without storing a session that holds nothing)."""
        self.session.touch()
        return csrf.csrf_token(self.session.sid, self.app.secret, time_limit)

    def validate_csrf(self, token: Any) -> bool:
        """Whether ``token`` is a valid CSRF token of this session."""
        return csrf.validate_csrf(token, self.session.sid, self.app.secret)

    # -- responses ----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """``path`` (absolute within the application) under the mount point."""
        if path.startswith("/") and not path.startswith("//"):
            return self.httprequest.script_root + path
        return path

    def make_response(
        self,
        data: Any,
        headers: Any = None,
        cookies: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        """A response with ``data`` as body (HTML unless ``headers`` say otherwise)."""
        response = Response(data, status=status, headers=headers)
        for name, value in (cookies or {}).items():
            response.set_cookie(name, value)
        return response

    def make_json_response(
        self,
        data: Any,
        headers: Any = None,
        cookies: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        """A JSON response of ``data`` (dates and recordsets encoded as Odoo does)."""
        headers = werkzeug.datastructures.Headers(headers)
        headers["Content-Type"] = JSON_CONTENT_TYPE
        return self.make_response(dumps_bytes(data), headers, cookies, status)

    def redirect(self, location: str, code: int = 303, local: bool = True) -> Response:
        """Redirect to ``location``; with ``local`` any host part is dropped (no open
        redirect) and the path is put under the mount point."""
        if local:
            parts = urlsplit(location)
            path = "/" + parts.path.lstrip("/")
            location = self.url(urlunsplit(("", "", path, parts.query, parts.fragment)))
        # force_type gives a Response (werkzeug's annotation names its own class)
        return cast("Response", Response.force_type(werkzeug.utils.redirect(location, code)))

    def redirect_query(
        self, location: str, query: Mapping | None = None, code: int = 303, local: bool = True
    ) -> Response:
        if query:
            location += ("&" if "?" in location else "?") + urlencode(query)
        return self.redirect(location, code=code, local=local)

    def not_found(self, description: str | None = None) -> werkzeug.exceptions.NotFound:
        """A 404 exception to raise."""
        return werkzeug.exceptions.NotFound(description)

    def render(
        self, template: str, qcontext: dict | None = None, lazy: bool = True, **kw: Any
    ) -> Response:
        """A page rendered from Jinja2 template ``template``.

        ``"<module>/<path>"`` names ``<path>`` in the ``templates`` folder of that installed
        module; a name without a module (``"base.html"``) is one of the framework's pages.
        The template sees ``qcontext`` plus ``request``, ``env``, ``session``, ``csrf_token()``
        and ``url(path)``. ``lazy`` leaves the rendering to the end of the endpoint.
        """
        response = Response(template=template, qcontext=qcontext, **kw)
        if not lazy:
            response.flatten()
        return response

    def render_template(self, template: str, qcontext: Mapping | None = None) -> str:
        values = {
            "request": self,
            "env": self.env,
            "session": self.session,
            "csrf_token": self.csrf_token,
            "url": self.url,
            **(qcontext or {}),
        }
        return templates_for(self._state, self.app).get_template(template).render(values)

    # -- sessions -----------------------------------------------------------------------------
    def authenticate_session(
        self, session: Session, dbname: str, login: str, password: str
    ) -> int | None:
        """Check ``login``/``password`` on ``dbname`` and log ``session`` in (see
        :meth:`Session.authenticate`). The database becomes the request's."""
        from erplite import SUPERUSER_ID
        from erplite.orm.environment import Environment

        self.use_database(dbname)
        environ = self.httprequest.environ
        user_agent_env = {
            "interactive": True,
            "base_location": self.httprequest.host_url.rstrip("/") + self.httprequest.script_root,
            "HTTP_HOST": environ.get("HTTP_HOST", ""),
            "REMOTE_ADDR": self.httprequest.remote_addr or "",
        }
        su_env = Environment(self.cursor(), SUPERUSER_ID, {})
        session.uid = None
        session.pop("pre_uid", None)
        session.pop("pre_login", None)
        try:
            pre_uid = su_env["res.users"].authenticate(dbname, login, password, user_agent_env)
        except AccessDenied as exc:
            pre_uid = getattr(exc, "uid", None)  # SecondFactorRequired: the password was right
            if pre_uid is None:
                raise
            session.update(pre_login=login, pre_uid=pre_uid, db=dbname)
            # stored now: under a new sid, never under the one the client came with
            session.should_rotate = True
            return pre_uid
        session.update(pre_login=login, pre_uid=pre_uid)
        self.finalize_session(session)
        return pre_uid

    def finalize_session(self, session: Session) -> None:
        """Turn a half-logged-in session (``pre_uid``) into a logged-in one; its sid is
        rotated when stored."""
        from erplite import SUPERUSER_ID
        from erplite.orm.environment import Environment

        login = session.pop("pre_login")
        uid = session.pop("pre_uid")
        user_env = Environment(self.cursor(), uid, {})
        context = dict(user_env["res.users"].context_get())
        session.update(db=self.db, login=login, uid=uid, context=context)
        # a new sid at login (no fixation); the old one is deleted when the session is saved,
        # after the commit. The session token depends on the sid: computed for the new one.
        session.rotate_sid(SessionStore.generate_sid())
        user = Environment(self.cursor(), SUPERUSER_ID, {})["res.users"].browse(uid)
        session.session_token = user._compute_session_token(session.sid)
        if session is self.session:
            self.update_env(user=uid, context=context)


def _session_authenticate(
    self: Session, dbname: str, login: str | None = None, password: str | None = None
) -> int | None:
    """Log this session in on ``dbname`` (Odoo's ``Session.authenticate``).

    Returns the user id; when the user must pass a second factor (two-factor authentication,
    ``SecondFactorRequired``) the session is only half-logged-in (``pre_uid``) and
    ``session.uid`` stays ``None`` until :meth:`finalize`.
    :raises AccessDenied: wrong credentials (or too many failures: throttled).
    """
    return request.authenticate_session(self, dbname, login or "", password or "")


def _session_finalize(self: Session, env: Any = None) -> None:
    """Finish a login started by :meth:`authenticate` (after the second factor)."""
    request.finalize_session(self)


Session.authenticate = _session_authenticate  # type: ignore[attr-defined]
Session.finalize = _session_finalize  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def templates_for(state: Any, app: Any) -> jinja2.Environment:
    """The Jinja2 environment of a database: its installed modules' ``templates`` folders
    under their module name, then the framework's pages (cached with the registry)."""
    if state is None:
        return app.nodb_templates()
    env = state.cache.get("templates")
    if env is None:
        env = make_template_environment(
            {
                name: state.module_paths[name]
                for name in state.installed_modules
                if name in state.module_paths
            },
            auto_reload=app.dev,
        )
        state.cache["templates"] = env
    return env


def make_template_environment(
    module_paths: Mapping[str, Any], *, auto_reload: bool = True
) -> jinja2.Environment:
    """A Jinja2 environment finding ``"<module>/<file>"`` in ``<module path>/templates`` and
    unprefixed names among the framework's templates; autoescaping HTML. (Jinja2 is imported
    when the first page is drawn, as in ``errors.template_environment``.) ``auto_reload``:
    whether a template whose file changed is read again (a ``stat`` of its file each time it
    is used: development mode only, ``Application(dev=True)``)."""
    import jinja2

    prefixed = {
        name: jinja2.FileSystemLoader(str(Path(path) / "templates"))
        for name, path in module_paths.items()
        if (Path(path) / "templates").is_dir()
    }
    loader = jinja2.ChoiceLoader(
        [jinja2.PrefixLoader(prefixed, delimiter="/"), jinja2.FileSystemLoader(TEMPLATES_PATH)]
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "jinja")),
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
    )


__all__ = ["FutureResponse", "Request", "Response", "request"]
