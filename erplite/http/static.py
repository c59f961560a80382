"""Static files of modules: ``/<module>/static/<path>`` from the module's ``static`` folder.

Worked example::

    GET /web/static/src/css/web.css           → 200, ETag, Last-Modified,
                                                Cache-Control: public, max-age=604800
    GET /web/static/src/css/web.css?unique=3  → Cache-Control: public, max-age=31536000,
                                                immutable (the URL changes with the content)
    GET /web/static/../__manifest__.py        → 404 (never outside ``static``)
    If-None-Match: <etag>                      → 304

Only the modules installed in the request's database are served (the server-wide modules when
no database is selected); a file of a module that is not installed is a 404, as is any path
leaving the ``static`` folder (``werkzeug.security.safe_join``). No transaction is opened.
"""

from __future__ import annotations

import os
import re
from typing import Any

import werkzeug.exceptions
import werkzeug.security
import werkzeug.utils
import werkzeug.wrappers

#: Cache lifetime of a static file (Odoo's ``STATIC_CACHE``: one week).
STATIC_CACHE = 60 * 60 * 24 * 7

#: Cache lifetime of a static file whose URL carries a version (``?unique=``): one year.
STATIC_CACHE_LONG = 60 * 60 * 24 * 365

_STATIC_RE = re.compile(r"^/([A-Za-z0-9_]+)/static/(.+)$")


def static_file(module_paths: dict[str, Any], installed: Any, path: str) -> str | None:
    """The file serving URL path ``path``, or ``None`` when it is not a static file we serve."""
    match = _STATIC_RE.match(path)
    if match is None:
        return None
    module, resource = match.groups()
    if module not in installed or module not in module_paths:
        return None
    folder = os.path.join(str(module_paths[module]), "static")
    filename = werkzeug.security.safe_join(folder, resource)
    if filename is None or not os.path.isfile(filename):
        return None
    return filename


def serve_static(request: Any) -> werkzeug.wrappers.Response | None:
    """The response for a static file URL, ``None`` for any other URL (served by routes).

    A URL of the static shape that names no file is a 404 here; ``HEAD`` and ``GET`` only.
    """
    httprequest = request.httprequest
    path = httprequest.path
    if "/static/" not in path or _STATIC_RE.match(path) is None:
        return None
    filename = static_file(request.module_paths, request.installed_modules, path)
    if filename is None:
        from erplite.http.errors import error_response

        return error_response(werkzeug.exceptions.NotFound(), httprequest)
    if httprequest.method not in ("GET", "HEAD"):
        from erplite.http.errors import error_response

        return error_response(werkzeug.exceptions.MethodNotAllowed(["GET", "HEAD"]), httprequest)
    long_cache = "unique" in httprequest.args
    response = werkzeug.utils.send_file(
        filename,
        httprequest.environ,
        max_age=STATIC_CACHE_LONG if long_cache else STATIC_CACHE,
        conditional=True,
        etag=True,
    )
    response.cache_control.public = True
    if long_cache:
        response.cache_control.immutable = True
    return response


__all__ = ["STATIC_CACHE", "STATIC_CACHE_LONG", "serve_static", "static_file"]
