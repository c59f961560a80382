"""Headers that keep browsers from misusing erplite's responses.

Worked example (what :func:`erplite.http.dispatcher.serve` does to every response)::

    add_security_headers(response)
    response.headers["X-Content-Type-Options"]   # 'nosniff'              (every response)
    response.headers["X-Frame-Options"]          # 'SAMEORIGIN'           (HTML pages)
    response.headers["Content-Security-Policy"]  # "frame-ancestors 'self'" (HTML pages)

- ``X-Content-Type-Options: nosniff`` on every response: a browser never runs a JSON answer,
  an upload or a static file as a script or a page other than its declared type.
- ``X-Frame-Options: SAMEORIGIN`` and ``Content-Security-Policy: frame-ancestors 'self'`` on
  HTML responses: another site cannot frame erplite's pages (clickjacking: the login form,
  the logout button, the backoffice), while erplite's own pages may still frame each other.

A header the endpoint set itself is kept (a route may send ``DENY`` or a fuller policy).
"""

from __future__ import annotations

import werkzeug.wrappers

#: Sent on every response.
NOSNIFF = ("X-Content-Type-Options", "nosniff")

#: Sent on HTML responses.
FRAME_HEADERS = (
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Content-Security-Policy", "frame-ancestors 'self'"),
)


def add_security_headers(response: werkzeug.wrappers.Response) -> werkzeug.wrappers.Response:
    """Add the headers of the module docstring to ``response`` (unless already set)."""
    headers = response.headers
    headers.setdefault(*NOSNIFF)
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        for name, value in FRAME_HEADERS:
            headers.setdefault(name, value)
    return response


__all__ = ["FRAME_HEADERS", "NOSNIFF", "add_security_headers"]
