"""The request being served: its context variable and ``erplite.http.request``, the proxy.

Apart from the request layer (:mod:`erplite.http.requestlib`, which re-exports both) so that
the building blocks it stands on, such as a controller's ``env``, read the current request
without importing that layer.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

import werkzeug.local

if TYPE_CHECKING:
    from erplite.http.requestlib import Request

#: The request being served in this thread / context (set by the dispatcher).
_request_var: contextvars.ContextVar[Request] = contextvars.ContextVar("erplite_request")

#: ``erplite.http.request``: the current :class:`~erplite.http.requestlib.Request`, falsy
#: outside a request.
request: Request = werkzeug.local.LocalProxy(_request_var)  # type: ignore[assignment]
