"""Cells of an imported file turned into field values (Odoo 17's ``ir.fields.converter``).

``convert_record(model, record, log)`` takes one record extracted by ``load`` (column names
mapped to cells, relations mapped to lists of sub-records) and returns the values for
``create``/``write``. A cell that cannot be converted is reported through ``log(field_name,
ImportValueError)`` and left out, so that every bad cell of a file is reported, not only the
first.

What a cell may hold, per field type:

- integer, float, monetary: a number (``"12"``, ``"12.5"``, or a number read from XLSX);
- boolean: ``1 true yes`` / ``0 false no`` (any case), empty is false;
- date: ``YYYY-MM-DD`` (or a date read from XLSX); datetime: ``YYYY-MM-DD HH:MM:SS`` in the
  user's time zone (context ``tz``), stored in UTC;
- selection: the value or its label (case-insensitive);
- many2one: a name (``name_search`` with ``=``; several matches take the first), an external id
  (column ``x/id``; ``module.name``, or ``name`` in module ``__import__``) or a database id
  (column ``x/.id``);
- many2many: the same, several joined by commas;
- one2many: the sub-records on the record's following rows, each created, or updated when it
  names an existing line by ``id``/``.id``.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from erplite.orm.commands import Command, CommandTuple

if TYPE_CHECKING:
    from erplite.orm.fields import Field, Selection
    from erplite.orm.recordset import Recordset

TRUE_WORDS = frozenset({"1", "true", "yes"})
FALSE_WORDS = frozenset({"0", "false", "no", ""})
IMPORT_MODULE = "__import__"
REFERENCE_KEYS = (None, "id", ".id")


class ImportValueError(ValueError):
    """A cell that cannot be converted: ``message`` says which value and field, ``moreinfo``
    how to write it."""

    def __init__(self, message: str, moreinfo: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.moreinfo = moreinfo


Log = Callable[[str, ImportValueError], None]


def convert_record(model: Recordset, record: dict[str, Any], log: Log) -> dict[str, Any]:
    """The ``create``/``write`` values of one extracted ``record`` of ``model``."""
    values: dict[str, Any] = {}
    for name, cell in record.items():
        if name in REFERENCE_KEYS:
            continue
        field = model._fields[name]
        try:
            if field.type in ("one2many", "many2many"):
                if cell:  # an empty x2many column leaves the relation as it is
                    values[name] = _CONVERTERS[field.type](model, field, cell, log)
            elif field.type == "many2one":
                values[name] = _many2one(model, field, cell) if cell else False
            elif _is_empty(cell):
                values[name] = False
            else:
                converter: Callable[..., Any] = _CONVERTERS.get(field.type, _text)
                values[name] = converter(model, field, cell)
        except ImportValueError as error:
            log(name, error)
    return values


def _is_empty(cell: Any) -> bool:
    return cell is None or cell is False or (isinstance(cell, str) and not cell.strip())


def _text(model: Recordset, field: Field, cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a code typed as a number in a spreadsheet
    return str(cell)


def _integer(model: Recordset, field: Field, cell: Any) -> int:
    if isinstance(cell, bool):
        return int(cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    try:
        return int(str(cell).strip())
    except ValueError:
        raise ImportValueError(
            f"'{cell}' does not seem to be an integer for field '{field.string}'"
        ) from None


def _float(model: Recordset, field: Field, cell: Any) -> float:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    try:
        return float(str(cell).strip())
    except ValueError:
        raise ImportValueError(
            f"'{cell}' does not seem to be a number for field '{field.string}'"
        ) from None


def _boolean(model: Recordset, field: Field, cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return bool(cell)
    word = str(cell).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImportValueError(
        f"Unknown value '{cell}' for boolean field '{field.string}'",
        "Use '1' for yes and '0' for no",
    )


def _date(model: Recordset, field: Field, cell: Any) -> datetime.date:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    try:
        return datetime.datetime.strptime(str(cell).strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ImportValueError(
            f"'{cell}' does not seem to be a valid date for field '{field.string}'",
            "Use the format 'YYYY-MM-DD'",
        ) from None


def _datetime(model: Recordset, field: Field, cell: Any) -> datetime.datetime:
    value: datetime.datetime | None
    if isinstance(cell, datetime.datetime):
        value = cell
    elif isinstance(cell, datetime.date):
        value = datetime.datetime.combine(cell, datetime.time())
    else:
        text = str(cell).strip()
        value = None
        for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                value = datetime.datetime.strptime(text, layout)
                break
            except ValueError:
                continue
        if value is None:
            raise ImportValueError(
                f"'{cell}' does not seem to be a valid datetime for field '{field.string}'",
                "Use the format 'YYYY-MM-DD HH:MM:SS'",
            )
    tz_name = model.env.context.get("tz") or "UTC"
    try:
        zone: datetime.tzinfo = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.timezone.utc
    return value.replace(tzinfo=zone).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _selection(model: Recordset, field: Selection, cell: Any) -> Any:
    text = _text(model, field, cell).strip()
    for value, label in field._selection(model):
        if text == str(value) or text.lower() == str(label).lower():
            return value
    labels = ", ".join(f"'{label}'" for _value, label in field._selection(model))
    raise ImportValueError(
        f"Value '{text}' not found in selection field '{field.string}'",
        f"Possible values: {labels}",
    )


def _reference(field: Field, sub_record: dict[str, Any]) -> tuple[str | None, Any]:
    """Which reference a relation's sub-record gives (name, ``id`` or ``.id``), and the cell."""
    given = [key for key in REFERENCE_KEYS if key in sub_record and not _is_empty(sub_record[key])]
    if len(given) > 1:
        raise ImportValueError(
            f"Ambiguous specification for field '{field.string}', only provide one of name, "
            "external id or database id"
        )
    if not given:
        return None, ""
    return given[0], sub_record[given[0]]


def record_id_for(model: Recordset, field: Field, kind: str | None, cell: Any) -> int:
    """The id of the ``field.comodel_name`` record a cell names (``kind`` None: by name)."""
    comodel = model.env[field.comodel_name]
    text = _text(model, field, cell).strip()
    if kind == ".id":
        try:
            record_id = int(text)
        except ValueError:
            raise ImportValueError(
                f"Invalid database id '{text}' for the field '{field.string}'"
            ) from None
        if not comodel.search([("id", "=", record_id)], limit=1):
            raise ImportValueError(
                f"No matching record found for database id '{text}' in field '{field.string}'"
            )
        return record_id
    if kind == "id":
        xmlid = text if "." in text else f"{IMPORT_MODULE}.{text}"
        found: tuple[str | None, int | None]
        found = model.env["ir.model.data"].sudo()._xmlid_to_res_model_res_id(xmlid)
        model_name, target_id = found
        if not target_id or model_name != comodel._name or not comodel.browse(target_id).exists():
            raise ImportValueError(
                f"No matching record found for external id '{text}' in field '{field.string}'"
            )
        return target_id
    matches = comodel.name_search(text, operator="=", limit=1)
    if not matches:
        raise ImportValueError(
            f"No matching record found for name '{text}' in field '{field.string}'"
        )
    return matches[0][0]


def _many2one(model: Recordset, field: Field, sub_records: list[dict[str, Any]]) -> int | bool:
    kind, cell = _reference(field, sub_records[0])
    if _is_empty(cell):
        return False
    return record_id_for(model, field, kind, cell)


def _many2many(
    model: Recordset, field: Field, sub_records: list[dict[str, Any]], log: Log
) -> list[CommandTuple]:
    ids: list[int] = []
    for sub_record in sub_records:
        kind, cell = _reference(field, sub_record)
        for part in _text(model, field, cell).split(","):
            if part.strip():
                ids.append(record_id_for(model, field, kind, part.strip()))
    return [Command.set(ids)]


def _one2many(
    model: Recordset, field: Field, sub_records: list[dict[str, Any]], log: Log
) -> list[CommandTuple]:
    comodel = model.env[field.comodel_name]

    def sub_log(name: str, error: ImportValueError) -> None:
        log(field.name, error)  # reported on the one2many's column of the record

    commands: list[CommandTuple] = []
    for sub_record in sub_records:
        references = {key: cell for key, cell in sub_record.items() if key in ("id", ".id")}
        kind, cell = _reference(field, references)
        values = convert_record(comodel, sub_record, sub_log)
        if kind:
            line_id = record_id_for(model, field, kind, cell)
            commands += [Command.link(line_id), Command.update(line_id, values)]
        else:
            commands.append(Command.create(values))
    return commands


_CONVERTERS: dict[str, Callable[..., Any]] = {
    "char": _text,
    "text": _text,
    "html": _text,
    "integer": _integer,
    "float": _float,
    "monetary": _float,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "selection": _selection,
    "many2many": _many2many,
    "one2many": _one2many,
}
