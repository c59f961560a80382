"""From an exception raised while serving a request to the response the client sees.

Worked example::

    from erplite.exceptions import ValidationError
    from erplite.http.errors import describe_exception, error_response

    exc = ValidationError("The end date precedes the start date")
    info = describe_exception(exc)
    info.status, info.title           # (422, 'Validation Error')
    error_response(exc, httprequest)  # an HTML page, or JSON when the client asked for JSON

The mapping, for ``type='http'`` routes (``type='json'`` routes wrap the same description in
Odoo's JSON-RPC envelope, see :mod:`erplite.http.jsonrpc`):

===============================================  =========================================
exception                                        response
===============================================  =========================================
werkzeug ``HTTPException`` (404, 405, 400, ...)  kept: its status and headers (``Allow``...)
``SessionExpiredException`` (no credentials,      303 to ``/web/login?redirect=...`` (401 JSON:
or an expired session)                           "Authentication required"/"Session expired")
``AccessDenied``, ``AccessError``                403 with the message
``MissingError``                                 404 with the message
``UserError``, ``ValidationError``               422 with the message (400 from a
                                                 ``type='http'`` route, as Odoo 17: its
                                                 dispatcher sets it)
``InvalidArgument`` (a malformed domain, field,   400 with the message (Odoo's ``ValueError``,
order, limit, offset: ``erplite.orm.arguments``)  named ``builtins.ValueError``)
a concurrency failure (serialization, deadlock,  409 "the record is busy", ``Retry-After``
lock wait) after the last retry
``psycopg.OperationalError`` (database down,     503 "try again in a moment", ``Retry-After``
restarting, statement timeout)
anything else                                    500 showing an error id; the traceback is
                                                 logged with that id and never sent
===============================================  =========================================
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import psycopg
import werkzeug.utils
import werkzeug.wrappers
from werkzeug.exceptions import Conflict, HTTPException, ServiceUnavailable

from erplite.exceptions import (
    AccessDenied,
    AccessError,
    InvalidArgument,
    MissingError,
    RedirectWarning,
    UserError,
    ValidationError,
)
from erplite.http.retrying import PG_CONCURRENCY_ERRORS_TO_RETRY

if TYPE_CHECKING:
    import jinja2

_logger = logging.getLogger(__name__)

TEMPLATES_PATH = Path(__file__).parent / "templates"


class SessionExpiredException(Exception):
    """The route needs a logged-in user and the request has none.

    Odoo's one exception (its class name and JSON-RPC code 100 are what clients look for)
    covers two cases that the message tells apart: a session that is no longer valid
    ("Session expired", the default) and a request that never gave credentials
    (:meth:`authentication_required`). ``title`` is the heading of the error page or body.
    """

    def __init__(self, message: str = "Session expired", *, title: str = "Session Expired"):
        super().__init__(message)
        self.title = title

    @classmethod
    def authentication_required(cls, how: str = "log in first") -> SessionExpiredException:
        """The exception for a request without credentials; ``how`` says what to send."""
        return cls(f"Authentication required: {how}.", title="Authentication Required")


#: Seconds a client is told to wait (``Retry-After``) before trying a 503 or 409 again.
RETRY_AFTER = 1


class DatabaseUnavailable(ServiceUnavailable):
    """503 with ``Retry-After``: PostgreSQL cannot be reached (down, restarting) or timed out."""

    description = "The database cannot be reached; try again in a moment."

    def __init__(self, description: str | None = None):
        super().__init__(description, retry_after=RETRY_AFTER)


class RecordBusy(Conflict):
    """409 with ``Retry-After``: other requests kept changing the same records through every
    retry of this one (serialization failures, deadlocks, lock waits)."""

    description = (
        "The record is busy: other requests were changing it at the same time and this one "
        "gave up after several tries. Nothing was changed; try again in a moment."
    )

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("Retry-After", str(RETRY_AFTER))]


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def new_error_id() -> str:
    """A short random id naming one failure in the response and in the log."""
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class ErrorInfo:
    """What the client is told about a failure."""

    #: HTTP status of a ``type='http'`` response
    status: int
    #: short human title ("Validation Error")
    title: str
    #: message safe to show: the exception's own for expected errors, a generic one otherwise
    message: str
    #: id under which the traceback was logged; set only for unexpected errors
    error_id: str | None
    #: the exception described
    exception: BaseException

    @property
    def expected(self) -> bool:
        """Whether the exception is one the framework means to show (not a bug)."""
        return self.error_id is None

    def as_dict(self) -> dict[str, Any]:
        """Odoo's serialized-exception shape (``name``, ``message``, ``arguments``, ...).

        An unexpected exception is described as ``werkzeug.exceptions.InternalServerError``
        so that neither its class, nor its message, nor its traceback leaves the server.
        """
        if self.expected:
            return serialize_exception(self.exception)
        return {
            "name": "werkzeug.exceptions.InternalServerError",
            "message": self.message,
            "arguments": [self.message],
            "context": {},
            "debug": "",
        }


def serialize_exception(
    exception: BaseException,
    *,
    message: str | None = None,
    arguments: Any = None,
    debug: bool = False,
) -> dict[str, Any]:
    """Describe an exception as Odoo 17 does in JSON error bodies.

    ``name`` is the exception's dotted class path (``erplite.exceptions.AccessError``), or the
    ``serialized_name`` its class declares (``InvalidArgument`` is ``builtins.ValueError``),
    ``message`` its text, ``arguments`` its ``args``, ``context`` its ``context`` attribute.
    ``debug`` (the traceback in Odoo) stays empty unless ``debug=True`` (development mode).
    """
    cls = type(exception)
    name = getattr(cls, "serialized_name", None)
    if name is None:
        module = cls.__module__
        name = f"{module}.{cls.__name__}" if module else cls.__name__
    return {
        "name": name,
        "message": _message_of(exception) if message is None else message,
        "arguments": list(exception.args) if arguments is None else arguments,
        "context": getattr(exception, "context", None) or {},
        "debug": "".join(traceback.format_exception(exception)) if debug else "",
    }


def _message_of(exception: BaseException) -> str:
    if isinstance(exception, UserError):
        return exception.message
    return str(exception)


def describe_exception(exc: BaseException) -> ErrorInfo:
    """Classify ``exc``; an unexpected one is logged here, with its traceback, under a new id."""
    if isinstance(exc, HTTPException):
        status = exc.code or (exc.response.status_code if exc.response is not None else 500)
        return ErrorInfo(status, exc.name, exc.description or exc.name, None, exc)
    if isinstance(exc, SessionExpiredException):
        return ErrorInfo(401, exc.title, str(exc), None, exc)
    if isinstance(exc, (AccessDenied, AccessError)):
        title = "Access Denied" if isinstance(exc, AccessDenied) else "Access Error"
        _logger.warning("%s: %s", title, exc)
        return ErrorInfo(403, title, _message_of(exc), None, exc)
    if isinstance(exc, MissingError):
        _logger.info("Missing Record: %s", exc)
        return ErrorInfo(404, "Missing Record", _message_of(exc), None, exc)
    if isinstance(exc, UserError):
        title = (
            "Validation Error"
            if isinstance(exc, ValidationError)
            else "Warning"
            if isinstance(exc, RedirectWarning)
            else "User Error"
        )
        _logger.info("%s: %s", title, exc)
        return ErrorInfo(422, title, _message_of(exc), None, exc)
    if isinstance(exc, InvalidArgument):
        # the caller's mistake (Odoo's ValueError), not a bug: no traceback, no error id
        _logger.info("Invalid Argument: %s", exc)
        return ErrorInfo(400, "Invalid Argument", str(exc), None, exc)
    if isinstance(exc, psycopg.Error) and exc.sqlstate in PG_CONCURRENCY_ERRORS_TO_RETRY:
        # a serialization failure, deadlock or lock wait outlived the request's retries: the
        # record is busy, the database is fine; the same request a moment later will pass
        _logger.warning("Record busy after the last retry: %s", _first_line(exc))
        busy = RecordBusy()
        return ErrorInfo(409, busy.name, busy.description, None, busy)
    if isinstance(exc, psycopg.OperationalError):
        # the server is down or restarting, or a statement timed out: nothing the client did
        # wrong, and worth trying again later
        _logger.error("Database unavailable: %s", _first_line(exc))
        unavailable = DatabaseUnavailable()
        return ErrorInfo(503, unavailable.name, unavailable.description, None, unavailable)
    error_id = new_error_id()
    _logger.error("Unexpected error (error id %s)", error_id, exc_info=exc)
    message = (
        "An unexpected error occurred; it has been logged. "
        f"Quote this error id to your administrator: {error_id}"
    )
    return ErrorInfo(500, "Internal Server Error", message, error_id, exc)


# ---------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------


def wants_json(httprequest: werkzeug.wrappers.Request | None) -> bool:
    """Whether the client of a ``type='http'`` route should get JSON rather than a page."""
    if httprequest is None:
        return False
    if httprequest.mimetype in ("application/json", "application/json-rpc"):
        return True
    best = httprequest.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def login_redirect(httprequest: werkzeug.wrappers.Request) -> werkzeug.wrappers.Response:
    """``303`` to the login page, which sends the user back here once logged in.

    Both URLs respect the application's mount point (``SCRIPT_NAME``); the ``redirect``
    parameter is relative to it, as the login page expects.
    """
    back = httprequest.full_path.rstrip("?") or "/"
    location = f"{httprequest.script_root}/web/login?{urlencode({'redirect': back})}"
    return werkzeug.utils.redirect(location, 303)


def error_response(
    exc: BaseException,
    httprequest: werkzeug.wrappers.Request | None = None,
    *,
    json_body: bool | None = None,
    info: ErrorInfo | None = None,
) -> werkzeug.wrappers.Response:
    """The response of a ``type='http'`` route that raised ``exc``.

    :param json_body: force a JSON (``True``) or HTML (``False``) body; by default the
        client's ``Content-Type``/``Accept`` decide (see :func:`wants_json`).
    :param info: the description, when the caller already computed (and logged) it.
    """
    if isinstance(exc, HTTPException) and (exc.code is None or exc.code < 400):
        # werkzeug.exceptions.abort(response) and routing redirects: a response, not an error
        environ = httprequest.environ if httprequest is not None else None
        return exc.get_response(environ)
    if json_body is None:
        json_body = wants_json(httprequest)
    if isinstance(exc, SessionExpiredException) and not json_body and httprequest is not None:
        return login_redirect(httprequest)
    if info is None:
        info = describe_exception(exc)
    # keep Allow (405), WWW-Authenticate (401), Retry-After (503, 409 busy): of the exception,
    # or of the HTTP error that describes it (a database error)
    source = exc if isinstance(exc, HTTPException) else info.exception
    headers: list[tuple[str, str]] = []
    if isinstance(source, HTTPException):
        headers = [(k, v) for k, v in source.get_headers() if k.lower() != "content-type"]
    if json_body:
        body = json.dumps(info.as_dict(), ensure_ascii=False)
        response = werkzeug.wrappers.Response(
            body,
            status=info.status,
            headers=headers,
            content_type="application/json; charset=utf-8",
        )
    else:
        page = render_template(
            "base.html",
            title=info.title,
            message=info.message,
            error_id=info.error_id,
            status=info.status,
        )
        response = werkzeug.wrappers.Response(
            page, status=info.status, headers=headers, mimetype="text/html"
        )
    if info.error_id:
        response.headers["X-Error-Id"] = info.error_id
    return response


# ---------------------------------------------------------------------------------------------
# Framework templates
# ---------------------------------------------------------------------------------------------


@functools.cache
def template_environment() -> jinja2.Environment:
    """The Jinja2 environment of the framework's own pages (``templates/``), autoescaping.

    Jinja2 is imported here, when a page is first drawn, not with the module: a worker that
    only answers JSON-RPC keeps it (about 2 MiB) out of its memory."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_PATH),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **values: Any) -> str:
    """Render one of the framework's templates (``base.html``, ``login.html``)."""
    return template_environment().get_template(name).render(**values)


__all__ = [
    "RETRY_AFTER",
    "DatabaseUnavailable",
    "ErrorInfo",
    "RecordBusy",
    "SessionExpiredException",
    "describe_exception",
    "error_response",
    "login_redirect",
    "new_error_id",
    "render_template",
    "serialize_exception",
    "template_environment",
    "wants_json",
]
