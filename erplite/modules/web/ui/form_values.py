"""What a form page shows in each widget, and what it writes from a posted form.

Worked example::

    shown = widget_values(form, record, fields, tz="Europe/Brussels")
    shown["date_order"].text                     # '2026-05-01T09:30' (the <input>'s value)
    shown["partner_id"].text, shown["partner_id"].label     # '7', 'Azure Interior'

    vals, errors = values_to_write(form, record, request.httprequest.form, tz=...)
    # vals: {'partner_id': 9, 'order_line': [Command.update(3, {...}), Command.create({...})]}
    # errors: {'validity_date': "Expiration: '2026-02-30' is not a valid date (YYYY-MM-DD)"}

The posted names: ``<field>`` for a simple widget (a many2one posts its id, its text box is
``<field>__display``; a many2many posts its ids, repeated, and ``<field>__present``; a boolean
posts ``0`` from a hidden input, then ``1`` from the checkbox when ticked), and
``<field>.<row>.<column>`` for the lines of a one2many, with ``<field>.<row>.id`` (empty for a
new line) and ``<field>.<row>.delete``. Only the fields the page lets the user edit are read
(:func:`.form_arch.editable_fields`); others posted by hand are ignored, and the ORM checks
the rights of what is written anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from erplite import Command

from .binary import UploadTooLarge, download_url, filename_field, posted_binary
from .form_arch import FieldNode, ResolvedForm, editable_fields
from .widgets import FieldInputError, display_value, input_value, parse_value


@dataclass
class Widget:
    """A field's widget on the page."""

    text: str = ""  # the <input>'s value (a many2one: the id)
    label: str = ""  # what a read-only widget shows (a many2one: the display name)
    tags: list[tuple[int, str]] = field(default_factory=list)  # many2many: (id, name)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one2many lines
    currency: Any = None
    href: str = ""  # binary: the address of its file (a saved record's)


def currency_of(record: Any) -> Any:
    """The currency of ``record`` as its amounts are formatted with (``res.currency``'s
    ``_formats``: from the registry's cache, no query), or None."""
    if not record or "currency_id" not in record._fields:
        return None
    currency = record.currency_id
    if not currency:
        return None
    return record.env["res.currency"]._formats([currency.id]).get(currency.id)


def _current(record: Any, name: str) -> Any:
    return record[name] if record else False


def widget_values(
    form: ResolvedForm,
    record: Any,
    *,
    tz: str | None,
    defaults: Mapping[str, Any] | None = None,
    models: Mapping[str, Mapping[str, Any]] | None = None,
    env: Any = None,
) -> dict[str, Widget]:
    """The widgets of ``record`` (an empty recordset for a new record with ``defaults``)."""
    result: dict[str, Widget] = {}
    currency = currency_of(record)
    for name, node in form.fields.items():
        kind = node.type
        if record:
            value = record[name]
        else:
            value = _default_value(env, node, (defaults or {}).get(name))
        widget = Widget(currency=currency)
        own = node.description.get("currency_field") if kind == "monetary" else None
        if own and own != "currency_id" and record and own in record._fields:
            widget.currency = record[own]  # the amount's own currency (a lead's company's)
        if kind == "many2one":
            widget.text = str(value.id) if value else ""
            # as read() gives them: the display names of linked records as superuser
            widget.label = value.sudo().display_name if value else ""
        elif kind == "many2many":
            widget.tags = [(r.id, r.display_name) for r in value.sudo()] if value else []
            widget.label = ", ".join(label for _id, label in widget.tags)
        elif kind == "one2many":
            widget.rows = [_line_row(node, line, tz) for line in value] if value else []
        elif kind == "binary":
            _binary_widget(widget, node, record, value)
        else:
            widget.text = input_value(node.description, value, tz=tz)
            widget.label = display_value(node.description, value, tz=tz, currency=widget.currency)
        result[name] = widget
    return result


def _binary_widget(widget: Widget, node: FieldNode, record: Any, value: Any) -> None:
    """A binary widget: ``text`` set when it holds a file, ``label`` the file's name."""
    widget.text = "1" if value else ""
    if not value:
        return
    file_field = filename_field(node, record._fields) if record else None
    widget.label = (str(record[file_field] or "") if file_field else "") or "Download"
    if record and isinstance(record.id, int):
        widget.href = download_url(record, node.name, file_field)


def _default_value(env: Any, node: FieldNode, value: Any) -> Any:
    """A ``default_get`` value as a widget shows it (ids become records)."""
    if env is None or value in (None, False):
        return False if node.type not in ("many2many", "one2many") else None
    relation = node.description.get("relation")
    if node.type == "many2one" and relation and isinstance(value, int):
        return env[relation].browse(value)
    if node.type == "many2many" and relation:
        ids = [v for v in value if isinstance(v, int)] if isinstance(value, list) else []
        return env[relation].browse(ids)
    if node.type == "one2many":
        return None
    return value


def _line_row(node: FieldNode, line: Any, tz: str | None) -> dict[str, Any]:
    """One line of a one2many sub-list: its id and each column's text and label."""
    row: dict[str, Any] = {"id": line.id, "cells": {}}
    if node.sublist is None:
        return row
    currency = currency_of(line)
    for column in node.sublist.columns:
        value = line[column.name]
        description = {"type": column.type, "name": column.name, "string": column.string}
        if column.type == "many2one":
            row["cells"][column.name] = (
                str(value.id) if value else "",
                value.sudo().display_name if value else "",
            )
        else:
            row["cells"][column.name] = (
                input_value(description, value, tz=tz),
                display_value(description, value, tz=tz, currency=currency),
            )
    return row


def posted_rows(node: FieldNode, posted: Any) -> list[dict[str, Any]]:
    """The lines of a one2many as posted (to show them again after an error)."""
    prefix = f"{node.name}."
    indexes = sorted(
        {int(key.split(".")[1]) for key in posted if key.startswith(prefix) and _row_key(key)}
    )
    rows = []
    for index in indexes:
        base = f"{prefix}{index}."
        if posted.get(f"{base}delete"):
            continue
        cells = {}
        for column in node.sublist.columns if node.sublist else ():
            cells[column.name] = (
                posted.get(f"{base}{column.name}", ""),
                posted.get(f"{base}{column.name}__display", posted.get(f"{base}{column.name}", "")),
            )
        line_id = posted.get(f"{base}id", "")
        rows.append({"id": int(line_id) if line_id.isdigit() else None, "cells": cells})
    return rows


def _row_key(key: str) -> bool:
    parts = key.split(".")
    return len(parts) >= 3 and parts[1].isdigit() and len(parts[1]) < 6


def values_to_write(
    form: ResolvedForm,
    record: Any,
    posted: Any,
    *,
    tz: str | None,
    models: Mapping[str, Mapping[str, Any]] | None = None,
    new_lines: Mapping[str, list[dict[str, Any]]] | None = None,
    files: Any = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """``(vals, errors)`` of a posted form: the changed values of the editable fields, and
    the message of each field whose text is not valid. ``new_lines``: the values of the
    lines a new record's onchange proposed, per one2many, by row (a row posted without an
    id is created with them, the posted columns on top, as Odoo's client sends a line with
    its columns the form does not show). ``files``: the uploaded files (``binary`` widgets,
    see :mod:`.binary`)."""
    vals: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, node in editable_fields(form).items():
        kind = node.type
        try:
            if kind == "one2many":
                commands = _line_commands(
                    node, record, posted, tz, models or {}, errors, (new_lines or {}).get(name)
                )
                if commands:
                    vals[name] = commands
                continue
            if kind == "binary":
                vals.update(posted_binary(node, posted, files, record))
                continue
            if kind == "many2many":
                if f"{name}__present" not in posted:
                    continue
                ids = parse_value(node.description, posted.getlist(name), tz=tz)
                if not record or set(ids) != set(record[name].ids):
                    vals[name] = [Command.set(ids)]
                continue
            if name not in posted:
                continue
            raw = posted.getlist(name)[-1] if kind == "boolean" else posted.get(name)
            value = parse_value(node.description, raw, tz=tz)
        except FieldInputError as exc:
            errors[name] = exc.message
            continue
        except UploadTooLarge as exc:
            errors[name] = str(exc)
            continue
        if node.required and value in (False, "") and kind not in ("boolean", "integer", "float"):
            errors[name] = f"{node.string}: this field is required"
            continue
        current = _current(record, name)
        if kind == "many2one" and record:
            current = current.id or False
        if not record or value != current:
            vals[name] = value
    return vals, errors


def _line_commands(
    node: FieldNode,
    record: Any,
    posted: Any,
    tz: str | None,
    models: Mapping[str, Mapping[str, Any]],
    errors: dict[str, str],
    proposed: list[dict[str, Any]] | None = None,
) -> list:
    """``Command`` triplets of a posted one2many: lines updated, created and deleted."""
    if node.sublist is None or f"{node.name}__present" not in posted:
        return []
    relation = str(node.description.get("relation"))
    comodel_fields = models.get(relation, {})
    existing = {line.id: line for line in record[node.name]} if record else {}
    commands: list = []
    seen: set[int] = set()
    prefix = f"{node.name}."
    indexes = sorted(
        {int(key.split(".")[1]) for key in posted if key.startswith(prefix) and _row_key(key)}
    )
    for index in indexes:
        base = f"{prefix}{index}."
        raw_id = posted.get(f"{base}id", "")
        line = existing.get(int(raw_id)) if raw_id.isdigit() else None
        if raw_id and line is None:
            errors[node.name] = f"{node.string}: line {index + 1} is not a line of this record"
            continue
        if line is not None:
            seen.add(line.id)
        if posted.get(f"{base}delete"):
            if line is not None:
                commands.append(Command.delete(line.id))
            continue
        line_vals: dict[str, Any] = {}
        for column in node.sublist.columns:
            description = comodel_fields.get(column.name)
            key = f"{base}{column.name}"
            if description is None or description.get("readonly") or key not in posted:
                continue
            if column.always_readonly:
                continue
            if line is None and not str(posted.get(key, "")).strip():
                continue  # left empty on a new line: its default or computed value applies
            try:
                value = parse_value({**description, "name": column.name}, posted.get(key), tz=tz)
            except FieldInputError as exc:
                errors[node.name] = f"Line {index + 1}: {exc.message}"
                continue
            current = line[column.name] if line is not None else None
            if line is not None and column.type == "many2one":
                current = current.id or False
            if line is None or value != current:
                line_vals[column.name] = value
        if line is None:
            if proposed and index < len(proposed):
                line_vals = {**_line_values(proposed[index]), **line_vals}
            commands.append(Command.create(line_vals))
        elif line_vals:
            commands.append(Command.update(line.id, line_vals))
    return commands


def _line_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """An onchange's line values as ``create`` takes them (a many2one read as a dict)."""
    return {
        name: value.get("id", False) if isinstance(value, dict) else value
        for name, value in values.items()
    }


__all__ = ["Widget", "posted_rows", "values_to_write", "widget_values"]
