"""Odoo 17's ``/web/content``: the file of a record's binary field, read as the user.

Worked example::

    GET /web/content/ir.attachment/7/datas?filename_field=name&download=1
    → 200, the decoded content, ``Content-Disposition: attachment; filename*=UTF-8''offer.pdf``
    → 404: no such model, field or record (or the field is empty)
    → 403: the user may not read the record or the field (ACL, record rules, field groups)

A field holding raw bytes rather than base64 (``ir.attachment``'s ``raw``) is sent as it is.
The file is always sent as an attachment with ``nosniff`` and a sandboxing CSP: what a user
uploaded is never run as a page of this site.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from typing import Any
from urllib.parse import quote

import werkzeug.exceptions

from erplite import http
from erplite.exceptions import AccessError, MissingError
from erplite.http import request


def _file_name(model: str, record_id: int, field: str, given: Any) -> str:
    name = str(given or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or f"{model.replace('.', '_')}-{record_id}-{field}"


class BinaryContent(http.Controller):
    @http.route(
        "/web/content/<string:model>/<int:record_id>/<string:field>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def content(self, model: str, record_id: int, field: str, **kw: Any):
        env = request.env
        if model not in env.registry:
            raise werkzeug.exceptions.NotFound(f"Unknown model {model!r}.")
        records = env[model]
        described = records._fields.get(field)
        if described is None or described.type != "binary":
            raise werkzeug.exceptions.NotFound(f"{model} has no binary field {field!r}.")
        file_field = kw.get("filename_field")
        names = [field]
        named = records._fields.get(file_field) if file_field else None
        if named is not None and named.type in ("char", "text"):
            names.append(str(file_field))
        else:
            file_field = None
        try:
            rows = records.browse(record_id).read(names)
        except MissingError as exc:
            raise werkzeug.exceptions.NotFound(str(exc)) from None
        except AccessError:
            return request.make_response("You may not read this file.", status=403)
        if not rows or not rows[0].get(field):
            raise werkzeug.exceptions.NotFound("This record has no file in this field.")
        value = rows[0][field]
        try:
            content = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            content = bytes(value) if isinstance(value, bytes | bytearray) else str(value).encode()
        name = _file_name(model, record_id, field, rows[0].get(file_field) if file_field else "")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = request.make_response(
            content,
            headers=[
                ("Content-Type", kind),
                ("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}"),
                ("X-Content-Type-Options", "nosniff"),
                ("Content-Security-Policy", "default-src 'none'; sandbox"),
                ("Cache-Control", "private, no-store"),
            ],
        )
        return response


__all__ = ["BinaryContent"]
