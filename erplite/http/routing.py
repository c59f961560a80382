"""Routes: the ``@route`` decorator, the ``Controller`` base class and the per-database URL map.

Worked example::

    # erplite/addons/shop/controllers.py  (a module named "shop")
    from erplite import http

    class Shop(http.Controller):
        @http.route("/shop/<int:product_id>", type="http", auth="public", methods=["GET"])
        def product(self, product_id):
            return f"product {product_id}"

    # erplite/addons/shop_extra/controllers.py  (a module depending on "shop")
    class ShopExtra(Shop):
        @http.route(auth="user")            # same URL, type and methods; only auth changes
        def product(self, product_id):
            return super().product(product_id).get_data(as_text=True).upper()

    urls = build_routing_map(["base", "shop", "shop_extra"]).bind("localhost")
    endpoint, args = urls.match("/shop/7", method="GET")
    endpoint.routing["auth"]      # 'user': the merged routing of the override
    endpoint(**args)              # calls ShopExtra.product(7)

As in Odoo, a controller class belongs to the erplite module whose package defines it
(``erplite.addons.<module>....``); classes defined anywhere else belong to the framework and are
always routed. A subclass in another module *extends* its parent: the URL map of a database only
holds the controllers of the modules installed there, and for each controller hierarchy a class
combining the installed leaves is built, so an override applies only where its module is
installed. The ``@route`` arguments of an override are merged over its parent's; an override must
be decorated again (``@route()`` with no argument keeps everything).

``endpoint.routing`` is what a dispatcher reads: ``type`` (``'http'`` or ``'json'``), ``auth``
(``'user'``, ``'public'``, ``'none'``, ``'bearer'``), ``methods`` (``None`` = any), ``csrf``,
``cors``, ``save_session``, ``readonly`` and ``routes``.
"""

from __future__ import annotations

import collections
import functools
import inspect
import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import werkzeug.routing
import werkzeug.wrappers

from erplite.http.current import request

_logger = logging.getLogger(__name__)

#: The Python package under which erplite modules are imported.
ADDONS_PACKAGE = "erplite.addons"

#: ``json2`` is Odoo 19's plain-JSON type: the JSON body is the parameters, the return value
#: the JSON response, errors real HTTP statuses (the ``/json/2`` API uses it).
ROUTE_TYPES = ("http", "json", "json2")
AUTH_METHODS = ("user", "public", "none", "bearer")

#: URLs whose matched rule a :class:`RoutingMap` remembers.
MATCH_CACHE_SIZE = 512


class RoutingMap(werkzeug.routing.Map):
    """werkzeug's URL map, which remembers the rules it matched without URL arguments.

    A URL whose rule takes no argument (``/jsonrpc``; ``/xmlrpc/2/object`` is not one) is
    matched once per host and method: the map does not change once built (a registry change
    builds a new one), up to ``MATCH_CACHE_SIZE`` URLs. Errors, redirects, URL arguments
    (converters may make objects) and WebSocket upgrades are never remembered.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: (path, method, host, scheme) -> the rule matched
        self.matches: dict[tuple[Any, ...], werkzeug.routing.Rule] = {}

    def match_environ(
        self, environ: dict[str, Any]
    ) -> tuple[werkzeug.routing.Rule, Mapping[str, Any]]:
        """``self.bind_to_environ(environ).match(return_rule=True)``, from what the map
        remembers when it can."""
        if "HTTP_UPGRADE" in environ:
            return self.bind_to_environ(environ).match(return_rule=True)
        key = (
            environ.get("PATH_INFO", ""),
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("wsgi.url_scheme"),
        )
        matches = self.matches
        rule = matches.get(key)
        if rule is not None:
            return rule, {}
        rule, args = self.bind_to_environ(environ).match(return_rule=True)
        if not args:
            if len(matches) >= MATCH_CACHE_SIZE:
                matches.clear()
            matches[key] = rule
        return rule, args


#: ``@route`` arguments handed to werkzeug's ``Rule``; the others are erplite's routing metadata.
RULE_KEYS = frozenset(
    {
        "defaults",
        "subdomain",
        "build_only",
        "strict_slashes",
        "redirect_to",
        "alias",
        "host",
        "methods",
        "websocket",
    }
)

#: Accepted ``@route`` keyword arguments (anything else is a typo and is refused).
ROUTING_KEYS = RULE_KEYS | {
    "type",
    "auth",
    "csrf",
    "cors",
    "save_session",
    "readonly",
    "max_content_length",
}


def module_of(python_module: str) -> str:
    """The erplite module a Python module belongs to, or ``''`` for framework code.

    >>> module_of("erplite.addons.sale.controllers.main")
    'sale'
    >>> module_of("erplite.http.controllers")
    ''
    """
    parts = python_module.split(".")
    prefix = ADDONS_PACKAGE.split(".")
    if parts[: len(prefix)] == prefix and len(parts) > len(prefix):
        return parts[len(prefix)]
    return ""


# ---------------------------------------------------------------------------------------------
# The decorator
# ---------------------------------------------------------------------------------------------


def route(route: str | Iterable[str] | None = None, **routing: Any) -> Callable:
    """Expose a controller method at one or more URLs.

    :param route: a werkzeug rule string (``"/orders/<int:order_id>"``) or a list of them; may be
        omitted on an override, which then keeps its parent's URLs.
    :param type: ``'http'`` (form/query parameters, any response), ``'json'`` (JSON-RPC 2.0
        envelope, the method's return value is the ``result``) or ``'json2'`` (Odoo 19: the
        JSON body is the parameters, the return value is the body, errors are HTTP statuses).
    :param auth: ``'user'`` (a logged-in session is required), ``'public'`` (the public user when
        nobody is logged in), ``'none'`` (no user, no database needed), ``'bearer'`` (an API key
        in ``Authorization: bearer``, else the session as ``'user'``).
    :param methods: HTTP methods accepted, ``None`` for any.
    :param csrf: check the CSRF token on unsafe methods; default ``True`` for ``'http'`` routes,
        ``False`` for ``'json'`` ones.
    :param cors: the ``Access-Control-Allow-Origin`` value; enables answering preflights.
    :param save_session: ``False`` to never write the session back (stateless APIs).
    :param readonly: a hint that the endpoint does not write (a dispatcher may use a read-only
        transaction); default ``False``.

    The decorated method gets ``original_routing`` (the arguments given here) and
    ``original_endpoint``. When called, unknown keyword arguments are dropped (and logged) as
    Odoo does, and an ``'http'`` route's return value is turned into a response object.
    """
    if "method" in routing:  # a frequent typo, accepted by Odoo with a warning
        _logger.warning("@route(method=...) is not an argument; assuming methods=...")
        routing["methods"] = routing.pop("method")
    unknown = set(routing) - ROUTING_KEYS
    if unknown:
        raise TypeError(f"@route() got unexpected arguments {sorted(unknown)}")
    if routing.get("type") == "jsonrpc":  # Odoo 19's name for the same thing
        routing["type"] = "json"
    if "type" in routing and routing["type"] not in ROUTE_TYPES:
        raise ValueError(f"@route(type={routing['type']!r}) is not one of {ROUTE_TYPES}")
    if "auth" in routing and routing["auth"] not in AUTH_METHODS:
        raise ValueError(f"@route(auth={routing['auth']!r}) is not one of {AUTH_METHODS}")
    if routing.get("methods") is not None:
        methods = routing["methods"]
        if isinstance(methods, str):
            methods = [methods]
        routing["methods"] = [m.upper() for m in methods]
    if route is not None:
        routing["routes"] = [route] if isinstance(route, str) else list(route)

    def decorator(endpoint: Callable) -> Callable:
        fname = f"{endpoint.__module__}.{endpoint.__qualname__}"
        accepted = _accepted_names(endpoint)  # once: signatures are slow to inspect
        receiver = _receiver_name(endpoint)

        @functools.wraps(endpoint)
        def route_wrapper(self, /, *args, **params):
            if receiver in params:  # a request parameter named "self" would clash with it
                _logger.warning("%s called ignoring args %s", fname, {receiver})
                params.pop(receiver)
            if accepted is not None and not accepted.issuperset(params):
                _logger.warning("%s called ignoring args %s", fname, set(params) - accepted)
                params = {key: value for key, value in params.items() if key in accepted}
            result = endpoint(self, *args, **params)
            if _routing_type_of(type(self), endpoint.__name__) == "http":
                return load_response(result, fname)
            return result

        route_wrapper.original_routing = routing  # type: ignore[attr-defined]
        route_wrapper.original_endpoint = endpoint  # type: ignore[attr-defined]
        return route_wrapper

    return decorator


def _receiver_name(func: Callable) -> str | None:
    """The name of ``func``'s first positional parameter (the controller, ``self``)."""
    for param in inspect.signature(func).parameters.values():
        if param.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            return param.name
        break
    return None


def _accepted_names(func: Callable) -> frozenset[str] | None:
    """The keyword arguments ``func`` accepts (not its ``self``); ``None`` when it takes
    ``**kwargs``."""
    names = set()
    receiver = _receiver_name(func)
    for param in inspect.signature(func).parameters.values():
        if param.name == receiver:
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            names.add(param.name)
    return frozenset(names)


@functools.lru_cache(maxsize=4096)
def _routing_type_of(cls: type, method_name: str) -> str:
    """The route type of a method: the one of its most ancestral ``@route``, as in Odoo.

    Overrides may omit ``type``; it is fixed by the first declaration in the hierarchy.
    """
    for klass in reversed(cls.__mro__):
        original = getattr(klass.__dict__.get(method_name), "original_routing", None)
        if original and "type" in original:
            return original["type"]
    return "http"


# ---------------------------------------------------------------------------------------------
# Responses of 'http' routes
# ---------------------------------------------------------------------------------------------


def _default_load_response(result: Any, fname: str = "<function>") -> werkzeug.wrappers.Response:
    if isinstance(result, werkzeug.wrappers.Response):
        return result
    if isinstance(result, BaseException):
        raise TypeError(f"{fname} returns an exception instead of raising it: {result!r}")
    if isinstance(result, (str, bytes, type(None))):
        return werkzeug.wrappers.Response(result, mimetype="text/html")
    raise TypeError(f"{fname} returns an invalid value: {result!r}")


_response_loader: Callable[[Any, str], Any] = _default_load_response


def set_response_loader(loader: Callable[[Any, str], Any]) -> None:
    """Install how an ``'http'`` endpoint's return value becomes a response.

    ``erplite.http``'s ``Response.load`` installs itself here, so that routing stays free of the
    request layer; the default accepts a werkzeug response, ``str``, ``bytes`` or ``None``.
    """
    global _response_loader
    _response_loader = loader


def load_response(result: Any, fname: str = "<function>") -> Any:
    """Turn an ``'http'`` endpoint's return value into a response object."""
    return _response_loader(result, fname)


# ---------------------------------------------------------------------------------------------
# Controllers
# ---------------------------------------------------------------------------------------------


class Controller:
    """Base class of the classes whose ``@route`` methods serve URLs.

    Like models, controllers are extended by subclassing them in another module and re-decorating
    the overridden methods; the extension applies only to databases where that module is
    installed::

        class Greeting(http.Controller):
            @http.route("/greet", type="http", auth="public")
            def greet(self):
                return "Hello"

        class UserGreeting(Greeting):        # in a module depending on the first
            @http.route(auth="user")          # keep URL and type, change auth
            def greet(self):
                return super().greet()
    """

    #: Direct subclasses of ``Controller``, indexed by the erplite module defining them
    #: (``''`` for classes outside ``erplite.addons``).
    children_classes: collections.defaultdict[str, list[type[Controller]]] = (
        collections.defaultdict(list)
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if Controller in cls.__bases__:
            Controller.children_classes[module_of(cls.__module__)].append(cls)

    @property
    def env(self):
        """The current request's environment (``None`` outside a request)."""
        return request.env if request else None


class Endpoint:
    """A routed method of one controller instance, with its merged ``routing`` metadata.

    It is the ``endpoint`` of the werkzeug rule: calling it calls the method.
    """

    def __init__(self, func: Callable, routing: dict[str, Any]):
        #: the bound method (``func.__self__`` is the controller instance), named as Odoo's
        self.func = func
        #: the merged routing: type, auth, methods, csrf, cors, save_session, readonly, routes
        self.routing = routing
        self._server_wide_none: bool | None = None
        functools.update_wrapper(
            self, func, assigned=("__module__", "__name__", "__qualname__", "__doc__"), updated=()
        )

    def is_server_wide_none(self, server_wide_modules: Collection[str]) -> bool:
        """Whether this is an ``auth='none'`` route of one of ``server_wide_modules`` (a
        controller of ``erplite.addons.<module>``): served whatever modules a database has
        installed, it may leave the registry signal check to its first query (see
        :mod:`erplite.http.dispatcher`). Worked out once, the server-wide modules being the
        application's for all its endpoints."""
        answer = self._server_wide_none
        if answer is None:
            parts = type(getattr(self.func, "__self__", None)).__module__.split(".")
            answer = self._server_wide_none = (
                self.routing.get("auth") == "none"
                and len(parts) > 2
                and parts[:2] == ["erplite", "addons"]
                and parts[2] in server_wide_modules
            )
        return answer

    @property
    def original_endpoint(self) -> Callable:
        """The undecorated function of the most derived class (for signatures and docs)."""
        return getattr(self.func, "original_endpoint", self.func)

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Endpoint {self.func.__qualname__} {self.routing.get('routes')}>"


def _leaf_classes(cls: type, modules: frozenset[str]) -> list[type]:
    """The most derived subclasses of ``cls`` defined in ``modules`` (``cls`` if none)."""
    leaves: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        if module_of(sub.__module__) in modules:
            leaves.extend(leaf for leaf in _leaf_classes(sub, modules) if leaf not in leaves)
    if not leaves:
        leaves.append(cls)
    return leaves


def _controllers(modules: Iterable[str]) -> Iterator[Controller]:
    """One instance per controller hierarchy reachable from the given modules.

    Framework controllers (defined outside ``erplite.addons``) are used as they are. A
    controller of a module that is extended in installed modules is combined into one class
    inheriting from all its installed leaves, so that every installed override applies (the
    leaves of the modules given last come first in the bases, as Odoo's reversed leaves).
    """
    modules = list(modules)
    installed = frozenset(modules)
    yield from (cls() for cls in Controller.children_classes.get("", ()))
    for module in modules:
        for top in Controller.children_classes.get(module, ()):
            leaves = _leaf_classes(top, installed)
            if leaves == [top]:
                yield top()
                continue
            extended = ", ".join(leaf.__name__ for leaf in leaves if leaf is not top)
            # defined here, outside erplite.addons: never taken for an extension itself
            combined = type(f"{top.__name__} (extended by {extended})", tuple(reversed(leaves)), {})
            yield combined()


def _merge_routing(controller: Controller, method_name: str) -> dict[str, Any] | None:
    """The routing of one method, merged from its ancestors' ``@route`` down to the override's.

    ``None`` when no class of the hierarchy routes this method.
    """
    classes = [cls for cls in reversed(type(controller).__mro__) if method_name in cls.__dict__]
    if not any(hasattr(cls.__dict__[method_name], "original_routing") for cls in classes):
        return None
    merged: dict[str, Any] = {"auth": "user", "methods": None, "routes": []}
    for cls in classes:
        method = cls.__dict__[method_name]
        own = getattr(method, "original_routing", None)
        if own is None:
            _logger.warning(
                "%s.%s overrides a route without @route(): it is still routed, decorate it",
                cls.__qualname__,
                method_name,
            )
            continue
        first_type = merged.setdefault("type", own.get("type", "http"))
        if own.get("type", first_type) != first_type:
            _logger.warning(
                "%s.%s changes the route type; keeping %r",
                cls.__qualname__,
                method_name,
                first_type,
            )
        merged.update({key: value for key, value in own.items() if key != "type"})
    merged.setdefault("csrf", merged["type"] == "http")
    merged.setdefault("cors", None)
    merged.setdefault("save_session", True)
    merged.setdefault("readonly", False)
    return merged


def generate_routing_rules(modules: Iterable[str]) -> Iterator[tuple[str, Endpoint]]:
    """Yield ``(url, endpoint)`` for every route of the framework and of ``modules``."""
    for controller in _controllers(modules):
        # look at the class, not the instance: instance attributes such as ``env`` are
        # properties that must not be evaluated here
        for name in dir(type(controller)):
            if not inspect.isfunction(getattr(type(controller), name, None)):
                continue
            routing = _merge_routing(controller, name)
            if routing is None:
                continue
            method = getattr(controller, name)
            if not routing["routes"]:
                _logger.warning("%s.%s has no URL; skipped", type(controller).__name__, name)
                continue
            endpoint = Endpoint(method, routing)
            for url in routing["routes"]:
                yield url, endpoint


def build_routing_map(
    modules: Iterable[str],
    converters: dict[str, type[werkzeug.routing.BaseConverter]] | None = None,
) -> RoutingMap:
    """The werkzeug URL map of a database whose installed modules are ``modules``.

    Rules get the routes' werkzeug arguments (``methods``, ``defaults``, ``host``, ...) and the
    :class:`Endpoint` as endpoint. A route with ``cors`` also accepts ``OPTIONS`` so that the
    dispatcher can answer the preflight; a wrong method is a ``405 Method Not Allowed`` raised
    by ``MapAdapter.match``.
    """
    routing_map = RoutingMap(strict_slashes=False, converters=converters)
    for url, endpoint in generate_routing_rules(modules):
        options = {key: value for key, value in endpoint.routing.items() if key in RULE_KEYS}
        methods = options.get("methods")
        if methods is not None and endpoint.routing.get("cors") and "OPTIONS" not in methods:
            options["methods"] = [*methods, "OPTIONS"]
        rule = werkzeug.routing.Rule(url, endpoint=endpoint, **options)
        rule.merge_slashes = False
        routing_map.add(rule)
    return routing_map
