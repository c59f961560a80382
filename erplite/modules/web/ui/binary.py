"""The ``binary`` widget of a form: a file uploaded, downloaded, cleared.

Worked example (the form posts ``multipart/form-data`` when it has a binary field)::

    <field name="datas" filename="name"/>
    POST .../form/7   datas=<the file "offer.pdf">            → datas, name='offer.pdf'
    POST .../form/7   datas__clear=1                          → datas=False, name=False
    GET  /web/content/ir.attachment/7/datas?filename_field=name&download=1
         → the file, named after the record's ``name`` (controllers/binary.py)

As in Odoo 17, a binary field's value is its content in base64; the field named by the
node's ``filename`` attribute gets the uploaded file's name (Odoo's client sets it on upload,
even when the filename field is invisible; the page's script fills it in as soon as a file is
chosen), and clearing the file clears it too (unless it is required: erplite keeps it rather
than refuse the save).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

#: the largest file a form uploads (the form's route accepts a body this large)
MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class UploadTooLarge(ValueError):
    """A file larger than :data:`MAX_UPLOAD_BYTES`."""


def filename_field(node: Any, model_fields: Mapping[str, Any]) -> str | None:
    """The char field the node's ``filename`` attribute names, if the model has it."""
    name = (getattr(node, "attrs", {}) or {}).get("filename")
    field = model_fields.get(name) if name else None
    if field is None or getattr(field, "type", None) not in ("char", "text"):
        return None
    return str(name)


def posted_binary(node: Any, posted: Any, files: Any, record: Any) -> dict:
    """The values a posted binary widget writes: ``{field: base64, filename field: name}``
    for an upload, both ``False`` when the user cleared it, ``{}`` when it is unchanged.
    A file name the user typed in the form (the filename field shown and changed) is kept."""
    name = node.name
    upload = files.get(name) if files is not None else None
    file_name = filename_field(node, record._fields)
    if upload is not None and upload.filename:
        upload.stream.seek(0)  # a save parses the post twice (before and after modifiers)
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise UploadTooLarge(
                f"{node.string}: the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            )
        values: dict[str, Any] = {name: base64.b64encode(content)}
        typed = str(posted.get(file_name) or "").strip() if file_name else ""
        if typed and typed != str((record[file_name] if record else "") or ""):
            return values
        if file_name:
            values[file_name] = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:255]
        return values
    if posted.get(f"{name}__clear"):
        values = {name: False}
        if file_name and not record._fields[file_name].required:  # a required name stays
            values[file_name] = False
        return values
    return {}


def download_url(record: Any, field_name: str, file_field: str | None) -> str:
    """The address of the file of ``record``'s binary field (``/web/content``)."""
    query: list[tuple[str, str]] = [("download", "1")]
    if file_field:
        query.insert(0, ("filename_field", file_field))
    return f"/web/content/{record._name}/{record.id}/{field_name}?{urlencode(query)}"


__all__ = [
    "MAX_UPLOAD_BYTES",
    "UploadTooLarge",
    "download_url",
    "filename_field",
    "posted_binary",
]
