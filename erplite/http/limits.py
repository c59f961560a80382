"""How much a request may send: the body's size and the nesting depth of its JSON or XML-RPC.

Worked example::

    from erplite.http.limits import check_content_length, loads_json

    check_content_length(httprequest, 4 * 1024 * 1024)  # 413 now if Content-Length says more;
                                                         # a chunked body is cut at the limit
    loads_json(b'{"params": {"args": []}}', max_depth=64)  # {'params': {'args': []}}
    loads_json(b"[" * 1000 + b"]" * 1000, max_depth=64)    # TooDeeplyNested (a ValueError)

Why: an unauthenticated client could otherwise make a worker read and parse a body of any size
(a 50 MB JSON body costs seconds and 100 MB of memory), or send JSON nested deeper than
Python's recursion allows. The limit is the application's (``Application(...,
max_content_length=...)``, ``ERPLITE_MAX_CONTENT_LENGTH``), or the route's
(``@route(..., max_content_length=...)``, for uploads), checked against ``Content-Length``
before anything is read, and enforced by werkzeug while reading a body sent without one.
"""

from __future__ import annotations

import io
import json
from typing import Any

import werkzeug.wrappers
from werkzeug.exceptions import RequestEntityTooLarge

#: Largest request body accepted by default (bytes); a route may declare a larger one.
DEFAULT_MAX_CONTENT_LENGTH = 4 * 1024 * 1024

#: Deepest nesting of lists and objects accepted in a JSON (or XML-RPC) request by default;
#: Odoo's calls need about ten (``create`` with nested ``Command.create``).
DEFAULT_MAX_JSON_DEPTH = 64


class TooDeeplyNested(ValueError):
    """A JSON or XML-RPC document nests lists and objects deeper than allowed."""


def check_content_length(httprequest: werkzeug.wrappers.Request, limit: int) -> None:
    """Cap the body of ``httprequest`` at ``limit`` bytes; call it before the body is read.

    :raises RequestEntityTooLarge: (413) the declared ``Content-Length`` is larger, before
        any byte of the body is read. A body without ``Content-Length`` (chunked, which the
        server marks with ``wsgi.input_terminated``) raises the same error while it is read,
        once more than ``limit`` bytes came (werkzeug's own maximum would silently cut it).
    """
    length = httprequest.content_length
    if length is not None:
        if length > limit:
            raise RequestEntityTooLarge(
                f"The request body ({length} bytes) exceeds the limit of {limit} bytes."
            )
        httprequest.max_content_length = limit
        return
    environ = httprequest.environ
    if "wsgi.input_terminated" in environ and "stream" not in httprequest.__dict__:
        environ["wsgi.input"] = io.BufferedReader(CappedInput(environ["wsgi.input"], limit))


class CappedInput(io.RawIOBase):
    """The WSGI input of a body without ``Content-Length``, refused (413) past ``limit``."""

    def __init__(self, stream: Any, limit: int):
        self._stream = stream
        self.limit = limit
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        if len(data) > self._left:
            raise RequestEntityTooLarge(
                f"The request body exceeds the limit of {self.limit} bytes."
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def depth_exceeds(value: Any, max_depth: int) -> bool:
    """Whether ``value`` (parsed JSON or XML-RPC: dicts, lists, scalars; a tuple at the top)
    nests deeper than ``max_depth``; walked level by level, without recursion."""
    if type(value) not in (dict, list, tuple):
        return False
    level = [value]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        below: list = []
        for node in level:
            children = node.values() if type(node) is dict else node
            below += [child for child in children if type(child) in _CONTAINERS]
        level = below
    return False


_CONTAINERS = (dict, list)


def check_depth(value: Any, max_depth: int, text: bytes | str | None = None) -> Any:
    """``value`` itself, unless it nests deeper than ``max_depth`` (``TooDeeplyNested``).

    ``text``, the document ``value`` was parsed from, lets a document that has fewer brackets
    than ``max_depth`` (nearly every call) skip the walk."""
    if text is not None:
        if isinstance(text, str):
            opening = text.count("[") + text.count("{")
        else:
            opening = text.count(b"[") + text.count(b"{")
        if opening <= max_depth:
            return value
    if depth_exceeds(value, max_depth):
        raise TooDeeplyNested(f"The request nests lists or objects deeper than {max_depth} levels.")
    return value


def loads_json(data: bytes | str, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> Any:
    """``json.loads(data)``, refusing documents nested deeper than ``max_depth``.

    :raises TooDeeplyNested: too deep (also when the parser itself runs out of stack).
    :raises ValueError: not JSON (``json.JSONDecodeError``, ``UnicodeDecodeError``).
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeeplyNested(
            f"The request nests lists or objects deeper than {max_depth} levels."
        ) from None
    return check_depth(value, max_depth, data)


__all__ = [
    "DEFAULT_MAX_CONTENT_LENGTH",
    "DEFAULT_MAX_JSON_DEPTH",
    "CappedInput",
    "TooDeeplyNested",
    "check_content_length",
    "check_depth",
    "depth_exceeds",
    "loads_json",
]
