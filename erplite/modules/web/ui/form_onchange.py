"""The form's onchange: what the page shows once the user changed a field, before saving.

Worked example (the browser posts the whole form with htmx on each change, plus the name of
the input that changed)::

    answer = form_onchange(model, record, form, request.httprequest.form,
                           changed="order_line.0.product_id", tz=..., models=...)
    answer["fields"]["amount_total"]                  # {'text': '110.00', 'label': '110.00 €'}
    answer["lines"]["order_line"]["0"]["price_unit"]  # {'text': '100.00', 'label': '100.00'}
    answer["warning"]                                 # None, or {'title': .., 'message': ..}

The steps, as Odoo 17's client takes them:

1. The posted form is parsed as a save parses it (:func:`.form_values.values_to_write`):
   a new record sends every value, a record the values that differ from it; a text that is
   not a value of its field is left out (the save will name it).
2. When the change is in a line of a one2many (``<field>.<row>.<column>``), the line's own
   ``onchange`` runs first on the line's model, for that column: a product fills its price
   and description. Its editable values replace the line's in the form's values.
3. The record's ``onchange(values, [field], spec)`` runs with the lines as commands; the
   lines' values are kept as given and their computed fields computed (subtotals), then the
   record's (the total).
4. Each value in the answer is formatted as the widgets show it; the lines are keyed by
   their row number on the page, a many2many's tags listed as ``[id, name]``. When the
   onchange replaced a one2many's lines (an ``@api.onchange`` method proposing lines, as a
   wizard does: lines added or removed, not only changed), ``answer["rows"][field]`` has all
   its rows to draw again instead (``{'id', 'cells': {column: (text, label)}}``, the controller
   renders them, ``answer["sublists"]``).
5. The form's attribute expressions (``invisible``, ``readonly``, ``required``) are evaluated
   again on the values as they are now (the record's, what was posted, what the onchange
   changed): ``answer["modifiers"]`` gives each expression-driven node's values, keyed as
   the page drew them (``data-mod``), so the page shows, hides, enables and requires
   accordingly (Odoo 17's client re-evaluates them after every change).

Nothing is written: ``onchange`` works on temporary records in the cache only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from .form_arch import FieldNode, ResolvedForm, editable_fields
from .form_values import values_to_write
from .widgets import display_value, input_value

Answer = dict[str, Any]


def parse_changed(text: str, form: ResolvedForm) -> tuple[str, int | None, str | None]:
    """``(field, row, column)`` of the posted name of the input that changed:
    ``partner_id`` → ``('partner_id', None, None)``, ``order_line.2.product_id`` →
    ``('order_line', 2, 'product_id')``; ``('', None, None)`` when it names no editable field."""
    name, _, rest = (text or "").partition(".")
    name = name.removesuffix("__display")
    if name not in editable_fields(form):
        return "", None, None
    row, _, column = rest.partition(".")
    if row.isdigit() and len(row) < 6 and column:
        return name, int(row), column
    return name, None, None


def _posted_lines(name: str, posted: Any) -> tuple[dict[int, int], list[int]]:
    """``({line id: row}, [rows of new lines])`` of a posted one2many, deleted rows left
    out, in the order :func:`.form_values.values_to_write` makes its commands."""
    prefix = f"{name}."
    rows = sorted(
        {
            int(key.split(".")[1])
            for key in posted
            if key.startswith(prefix) and key.split(".")[1].isdigit() and len(key.split(".")) > 2
        }
    )
    existing: dict[int, int] = {}
    new: list[int] = []
    for row in rows:
        if posted.get(f"{prefix}{row}.delete"):
            continue
        raw_id = posted.get(f"{prefix}{row}.id", "")
        if raw_id.isdigit():
            existing[int(raw_id)] = row
        else:
            new.append(row)
    return existing, new


def _line_spec(node: FieldNode, comodel_fields: Mapping[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for column in node.sublist.columns if node.sublist else ():
        if column.name not in comodel_fields:
            continue
        many2one = comodel_fields[column.name].get("type") == "many2one"
        spec[column.name] = {"fields": {"display_name": {}}} if many2one else {}
    return spec


def _form_spec(form: ResolvedForm, models: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for name, node in form.fields.items():
        if node.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif node.type == "one2many":
            if node.sublist is not None:
                relation = str(node.description.get("relation"))
                spec[name] = {"fields": _line_spec(node, models.get(relation, {}))}
        elif node.type == "many2many":
            spec[name] = {"fields": {"display_name": {}}}
        elif node.type != "binary":  # a file is never sent back to the page
            spec[name] = {}
    return spec


def command_ids(commands: Any) -> list[int]:
    """The ids an x2many value holds after its commands (``onchange``'s or a save's)."""
    if not isinstance(commands, (list, tuple)):
        return []
    ids: list[int] = []
    for command in commands:
        if isinstance(command, int):
            ids.append(command)
        elif isinstance(command, (list, tuple)) and command:
            code = command[0]
            if code in (1, 4) and len(command) > 1 and command[1] not in ids:
                ids.append(command[1])
            elif code in (2, 3) and len(command) > 1 and command[1] in ids:
                ids.remove(command[1])
            elif code == 5:
                ids = []
            elif code == 6 and len(command) > 2:
                ids = list(command[2])
    return ids


def expression_values(values: Mapping[str, Any], form: ResolvedForm) -> dict[str, Any]:
    """Values parsed from a post (:func:`.form_values.values_to_write`) or answered by
    ``onchange``, as the attribute expressions see them (a many2one as its id, a many2many
    as its ids); one2many lines are left as they were (new lines have no id)."""
    result: dict[str, Any] = {}
    for name, value in values.items():
        node = form.fields.get(name)
        if node is None or node.type == "one2many":
            continue
        if node.type == "many2one":
            result[name] = value.get("id") or False if isinstance(value, dict) else value
        elif node.type == "many2many":
            result[name] = command_ids(value)
        else:
            result[name] = value
    return result


def _line_onchange(
    env: Any,
    node: FieldNode,
    commands: list,
    row: int,
    column: str,
    rows: tuple[dict[int, int], list[int]],
    comodel_fields: Mapping[str, Any],
) -> list:
    """Step 2: the commands with the line of ``row`` updated by its own onchange."""
    existing, new = rows
    relation = str(node.description.get("relation"))
    line_id = next((i for i, r in existing.items() if r == row), None)
    position = new.index(row) if row in new else None
    creates = [i for i, c in enumerate(commands) if c[0] == 0]
    if line_id is not None:
        index = next((i for i, c in enumerate(commands) if c[0] == 1 and c[1] == line_id), None)
    else:
        index = creates[position] if position is not None and position < len(creates) else None
    if index is None or column not in comodel_fields:
        return commands
    line_vals = dict(commands[index][2])
    if column not in line_vals:
        return commands
    target = env[relation].browse(line_id) if line_id else env[relation]
    answer = target.onchange(line_vals, [column], _line_spec(node, comodel_fields))
    for name, value in answer.get("value", {}).items():
        if comodel_fields.get(name, {}).get("readonly"):
            continue  # computed for display: the record's onchange computes it again
        line_vals[name] = value.get("id", False) if isinstance(value, dict) else value
    updated = list(commands)
    updated[index] = (commands[index][0], commands[index][1], line_vals)
    return updated


def _shown(
    description: Mapping[str, Any], value: Any, *, tz: str | None, currency: Any
) -> dict[str, str]:
    """``{'text', 'label'}`` of a value as ``onchange`` answers it (its read format)."""
    kind = description.get("type")
    if kind == "many2one":
        if isinstance(value, dict):
            return {"text": str(value.get("id") or ""), "label": str(value.get("display_name"))}
        return {"text": str(value or ""), "label": ""}
    if kind == "datetime" and isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    elif kind == "date" and isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if kind == "boolean":
        return {"text": "1" if value else "", "label": display_value(description, value)}
    return {
        "text": input_value(description, value, tz=tz),
        "label": display_value(description, value, tz=tz, currency=currency),
    }


def form_onchange(
    model: Any,
    record: Any,
    form: ResolvedForm,
    posted: Any,
    *,
    changed: str,
    tz: str | None,
    models: Mapping[str, Mapping[str, Any]],
    base_values: Mapping[str, Any] | None = None,
    resolve: Callable[[dict[str, Any]], ResolvedForm] | None = None,
    new_lines: Mapping[str, list[dict[str, Any]]] | None = None,
) -> Answer:
    """The answer of the form's onchange (see the module's docstring); ``record`` is empty
    for a new record. ``base_values`` (the record's values as the expressions see them)
    and ``resolve`` (the form for given values) give step 5; ``new_lines``: the values of the
    lines a new record's first onchange proposed (a dialog's, see ``ui/dialog.py``), which
    the posted rows complete as a save does."""
    answer: Answer = {
        "fields": {},
        "lines": {},
        "rows": {},
        "tags": {},
        "modifiers": {},
        "warning": None,
    }
    name, row, column = parse_changed(changed, form)
    if not name:
        return answer
    vals, _errors = values_to_write(form, record, posted, tz=tz, models=models, new_lines=new_lines)
    node = form.fields[name]
    relation = str(node.description.get("relation") or "")
    rows_of: dict[str, tuple[dict[int, int], list[int]]] = {
        field_name: _posted_lines(field_name, posted)
        for field_name, field_node in form.fields.items()
        if field_node.type == "one2many"
    }
    if row is not None and column and node.type == "one2many" and name in vals:
        vals[name] = _line_onchange(
            model.env, node, vals[name], row, column, rows_of[name], models.get(relation, {})
        )
    spec = _form_spec(form, models)
    result = (record or model).onchange(vals, [name], spec)
    currency = _currency(model, record, result.get("value", {}))
    for field_name, value in result.get("value", {}).items():
        field_node = form.fields.get(field_name)
        if field_node is None:
            continue
        if field_node.type == "one2many" and _replaced(value, rows_of[field_name]):
            answer["rows"][field_name] = _rows(
                model.env, field_node, value, models, tz=tz, currency=currency
            )
        elif field_node.type == "one2many":
            answer["lines"][field_name] = _lines(
                field_node, value, rows_of[field_name], models, tz=tz, currency=currency
            )
        elif field_node.type == "many2many":
            answer["tags"][field_name] = _tags(model.env, field_node, value)
        else:
            answer["fields"][field_name] = _shown(
                field_node.description, value, tz=tz, currency=currency
            )
    if resolve is not None:
        now = {
            **dict(base_values or {}),
            **expression_values(vals, form),
            **expression_values(result.get("value", {}), form),
        }
        answer["modifiers"] = resolve(now).modifiers
    warning = result.get("warning")
    if warning:
        answer["warning"] = {
            "title": str(warning.get("title") or ""),
            "message": str(warning.get("message") or ""),
        }
    return answer


def _replaced(commands: Any, rows: tuple[dict[int, int], list[int]]) -> bool:
    """Whether an onchange's commands of a one2many hold other lines than the page's rows
    (lines added or removed; their order is the page's, which a drag may have changed)."""
    existing, new = rows
    kept = {c[1] for c in commands if isinstance(c, (list, tuple)) and c and c[0] in (1, 4)}
    created = sum(1 for c in commands if isinstance(c, (list, tuple)) and c and c[0] == 0)
    return kept != set(existing) or created != len(new)


def _rows(
    env: Any,
    node: FieldNode,
    commands: list,
    models: Mapping[str, Mapping[str, Any]],
    *,
    tz: str | None,
    currency: Any,
) -> list[dict[str, Any]]:
    """The rows of a one2many as an onchange's commands give them (see :func:`_replaced`)."""
    relation = str(node.description.get("relation"))
    comodel_fields = models.get(relation, {})
    columns = [c.name for c in node.sublist.columns] if node.sublist else []
    rows: list[dict[str, Any]] = []
    for command in commands:
        if not isinstance(command, (list, tuple)) or not command or command[0] not in (0, 1, 4):
            continue
        line_id = command[1] if command[0] in (1, 4) else None
        values = dict(command[2] or {}) if command[0] in (0, 1) and len(command) > 2 else {}
        missing = [c for c in columns if c not in values]
        if line_id and missing:  # a line kept as it is: its values from the database
            read = env[relation].browse(line_id).read(missing)
            for name, value in (read[0] if read else {}).items():
                if name in missing:
                    values[name] = _as_onchange(comodel_fields.get(name, {}), value)
        cells = {}
        for column in columns:
            shown = _shown(
                {**comodel_fields.get(column, {}), "name": column},
                values.get(column, False),
                tz=tz,
                currency=currency,
            )
            cells[column] = (shown["text"], shown["label"])
        rows.append({"id": line_id, "cells": cells})
    return rows


def _as_onchange(description: Mapping[str, Any], value: Any) -> Any:
    """A value as ``read`` gives it, in ``onchange``'s format (a many2one as a dict)."""
    if description.get("type") == "many2one" and isinstance(value, (list, tuple)) and value:
        return {"id": value[0], "display_name": value[1]}
    return value


def _tags(env: Any, node: FieldNode, commands: Any) -> list[list[Any]]:
    """``[[id, name], ...]`` of a many2many as ``onchange`` answers it."""
    names: dict[int, str] = {}
    for command in commands if isinstance(commands, (list, tuple)) else ():
        if isinstance(command, (list, tuple)) and len(command) > 2 and command[0] == 1:
            names[command[1]] = str((command[2] or {}).get("display_name") or "")
    ids = command_ids(commands)
    missing = [i for i in ids if i not in names]
    if missing:
        relation = str(node.description.get("relation"))
        for record in env[relation].browse(missing):
            names[record.id] = record.display_name
    return [[i, names[i]] for i in ids]


def _currency(model: Any, record: Any, values: Mapping[str, Any]) -> Any:
    if "currency_id" not in model._fields:
        return None
    chosen = values.get("currency_id")
    if isinstance(chosen, dict) and chosen.get("id"):
        return model.env["res.currency"].browse(chosen["id"])
    if record and record.currency_id:
        return record.currency_id
    return model.env.company.currency_id


def _lines(
    node: FieldNode,
    commands: list,
    rows: tuple[dict[int, int], list[int]],
    models: Mapping[str, Mapping[str, Any]],
    *,
    tz: str | None,
    currency: Any,
) -> dict[str, dict[str, dict[str, str]]]:
    """The lines of an answer keyed by their row on the page: an existing line by its id, a
    new line by its rank among the new lines (commands come in the page's order)."""
    existing, new = rows
    comodel_fields = models.get(str(node.description.get("relation")), {})
    result: dict[str, dict[str, dict[str, str]]] = {}
    created = 0
    for command in commands:
        if command[0] == 1:
            row = existing.get(command[1])
        elif command[0] == 0:
            row = new[created] if created < len(new) else None
            created += 1
        else:
            continue
        if row is None:
            continue
        result[str(row)] = {
            column: _shown(
                {**comodel_fields.get(column, {}), "name": column}, value, tz=tz, currency=currency
            )
            for column, value in (command[2] or {}).items()
            if column in comodel_fields
        }
    return result


__all__ = ["command_ids", "expression_values", "form_onchange", "parse_changed"]
