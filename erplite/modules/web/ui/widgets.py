"""Field widgets of the backoffice: from a posted form value to an ORM value, and back.

Worked example::

    from erplite.modules.web.ui.widgets import FieldInputError, parse_value, input_value

    parse_value({"type": "integer", "string": "Quantity"}, " 12 ")      # 12
    parse_value({"type": "date", "string": "Expiration"}, "2026-02-30")
    # FieldInputError: Expiration: '2026-02-30' is not a valid date (YYYY-MM-DD)
    parse_value({"type": "datetime", "string": "Order Date"}, "2026-05-01T09:30",
                tz="Europe/Brussels")                                   # datetime(2026, 5, 1, 7, 30)
    input_value({"type": "datetime"}, datetime(2026, 5, 1, 7, 30), tz="Europe/Brussels")
    # '2026-05-01T09:30'

A field is described as ``fields_get`` describes it (``type``, ``string``, ``selection``,
``relation``...). :func:`parse_value` turns what a browser posts for one widget (a string, or a
list of strings for many2many tags) into the value ``write()``/``create()`` take, and raises
:class:`FieldInputError` naming the field and the value when the text cannot be one: a bad
date, number or record id is the user's mistake, shown beside the field, never a 500.
Datetimes are typed and shown in the user's time zone and stored in naive UTC, as in Odoo.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Odoo's ``fields.Integer`` range (a PostgreSQL ``int4``).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

_ID_RE = re.compile(r"^[1-9][0-9]{0,17}$")


class FieldInputError(ValueError):
    """A posted value that is not valid for its field: ``field`` is the field's name (when
    known) and ``message`` the text shown beside it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _zone(tz: str | None) -> datetime.tzinfo:
    if not tz:
        return datetime.timezone.utc
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


def _label(field: Mapping[str, Any]) -> str:
    return str(field.get("string") or field.get("name") or "Value")


def _fail(field: Mapping[str, Any], raw: Any, what: str) -> FieldInputError:
    shown = raw if len(str(raw)) <= 40 else f"{str(raw)[:40]}..."
    return FieldInputError(f"{_label(field)}: {shown!r} is not {what}", field.get("name"))


def _number_text(raw: str) -> str:
    """A number as people type it: spaces and thousands commas dropped (``1 234,5`` is not
    guessed: a comma is a thousands separator here, as in the en_US format)."""
    return raw.strip().replace(" ", "").replace("\u00a0", "").replace(",", "")


def parse_value(field: Mapping[str, Any], raw: Any, *, tz: str | None = None) -> Any:
    """The ORM value of ``raw``, what the browser posted for ``field``'s widget.

    An empty text is ``False`` (``0`` for numbers, as Odoo's widgets write them); a boolean
    checkbox posts its value only when ticked, so ``None`` is ``False``.

    :raises FieldInputError: the text is not a value of the field's type (naming the field's
        label and the text), a selection value is not one of the field's, an id is not a
        positive integer.
    """
    kind = field.get("type")
    if kind == "boolean":
        return raw not in (None, "", "0", "false", "False", "off")
    if kind == "many2many":
        values = raw if isinstance(raw, (list, tuple)) else ([] if raw in (None, "") else [raw])
        ids = []
        for value in values:
            text = str(value).strip()
            if not _ID_RE.match(text):
                raise _fail(field, value, "a record id")
            ids.append(int(text))
        return ids
    text = "" if raw is None else str(raw)
    if kind in ("char", "text", "html"):
        if kind == "char":
            text = text.strip()
            size = field.get("size")
            if size and len(text) > size:
                raise FieldInputError(
                    f"{_label(field)}: at most {size} characters ({len(text)} given)",
                    field.get("name"),
                )
        return text if text != "" else False
    stripped = text.strip()
    if kind == "integer":
        if not stripped:
            return 0
        number = _number_text(stripped)
        if not re.fullmatch(r"[+-]?[0-9]+", number):
            raise _fail(field, stripped, "a whole number")
        value = int(number)
        if not INT_MIN <= value <= INT_MAX:
            raise _fail(field, stripped, f"between {INT_MIN} and {INT_MAX}")
        return value
    if kind in ("float", "monetary"):
        if not stripped:
            return 0.0
        number = _number_text(stripped)
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", number):
            raise _fail(field, stripped, "a number")
        value = float(number)
        if not math.isfinite(value):
            raise _fail(field, stripped, "a finite number")
        return value
    if kind == "date":
        if not stripped:
            return False
        try:
            return datetime.date.fromisoformat(stripped)
        except ValueError:
            raise _fail(field, stripped, "a valid date (YYYY-MM-DD)") from None
    if kind == "datetime":
        if not stripped:
            return False
        try:
            local = datetime.datetime.fromisoformat(stripped.replace(" ", "T"))
        except ValueError:
            raise _fail(field, stripped, "a valid date and time (YYYY-MM-DD HH:MM)") from None
        if local.tzinfo is None:
            local = local.replace(tzinfo=_zone(tz))
        return local.astimezone(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    if kind == "selection":
        if not stripped:
            return False
        allowed = {str(key) for key, _label_ in field.get("selection") or ()}
        if stripped not in allowed:
            raise _fail(field, stripped, "one of the choices")
        return stripped
    if kind == "many2one":
        if not stripped:
            return False
        if not _ID_RE.match(stripped):
            raise _fail(field, stripped, "a record id")
        return int(stripped)
    raise FieldInputError(f"{_label(field)}: this field cannot be edited here", field.get("name"))


def input_value(field: Mapping[str, Any], value: Any, *, tz: str | None = None) -> str:
    """The text an ``<input>`` of ``field``'s widget shows for ``value`` (an ORM value)."""
    kind = field.get("type")
    if value is False or value is None:
        return ""
    if kind == "datetime" and isinstance(value, datetime.datetime):
        local = value.replace(tzinfo=datetime.timezone.utc).astimezone(_zone(tz))
        return local.strftime("%Y-%m-%dT%H:%M")
    if kind == "date" and isinstance(value, datetime.date):
        return value.isoformat()
    if kind == "many2one":
        return str(value.id) if hasattr(value, "id") else str(value)
    if kind in ("float", "monetary") and isinstance(value, (int, float)):
        digits = field.get("digits")
        places = digits[1] if isinstance(digits, (list, tuple)) and len(digits) == 2 else 2
        return f"{value:.{places}f}"
    return str(value)


def display_value(
    field: Mapping[str, Any],
    value: Any,
    *,
    tz: str | None = None,
    currency: Any = None,
) -> str:
    """``value`` as a read-only widget shows it (a list cell, a read-only form field)."""
    kind = field.get("type")
    if kind == "boolean":
        return "Yes" if value else "No"
    if value is False or value is None:
        return ""
    if kind == "datetime" and isinstance(value, datetime.datetime):
        local = value.replace(tzinfo=datetime.timezone.utc).astimezone(_zone(tz))
        return local.strftime("%Y-%m-%d %H:%M")
    if kind == "selection":
        return str(dict(field.get("selection") or ()).get(value, value))
    if kind == "many2one":
        return str(value.display_name) if hasattr(value, "display_name") else str(value)
    if kind in ("many2many", "one2many"):
        return ", ".join(str(record.display_name) for record in value)
    if kind == "monetary" and isinstance(value, (int, float)):
        return format_amount(value, currency)
    if kind == "float" and isinstance(value, (int, float)):
        return f"{value:,.2f}"
    if kind == "integer" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def display_formatter(
    field: Mapping[str, Any], *, tz: str | None = None
) -> Callable[[Any, Any], str]:
    """A function ``(value, currency) -> text`` giving what :func:`display_value` gives for
    ``field``, with the field's type, selection and zone looked up once: a list page formats
    80 rows of each column with one (``currency`` matters only to monetary fields)."""
    kind = field.get("type")
    if kind == "boolean":

        def boolean(value: Any, currency: Any = None) -> str:
            return "Yes" if value else "No"

        return boolean
    if kind in ("char", "text", "date"):

        def text(value: Any, currency: Any = None) -> str:
            return "" if value is False or value is None else str(value)

        return text
    if kind == "selection":
        labels = {key: str(label) for key, label in field.get("selection") or ()}

        def selection(value: Any, currency: Any = None) -> str:
            if value is False or value is None:
                return ""
            label = labels.get(value)
            return label if label is not None else str(value)

        return selection
    if kind == "float":

        def number(value: Any, currency: Any = None) -> str:
            if value is False or value is None:
                return ""
            return f"{value:,.2f}" if isinstance(value, (int, float)) else str(value)

        return number
    if kind == "monetary":

        def monetary(value: Any, currency: Any = None) -> str:
            if value is False or value is None:
                return ""
            if isinstance(value, (int, float)):
                return format_amount(value, currency)
            return str(value)

        return monetary

    def other(value: Any, currency: Any = None) -> str:
        return display_value(field, value, tz=tz, currency=currency)

    return other


def format_amount(amount: float, currency: Any = None) -> str:
    """``amount`` with thousands separators, the currency's decimals and symbol."""
    places = 2
    symbol, position = "", "after"
    if currency:
        places = currency.decimal_places if currency.decimal_places is not False else 2
        symbol, position = currency.symbol or "", currency.position or "after"
    text = f"{amount:,.{places}f}"
    if not symbol:
        return text
    return f"{symbol}\u00a0{text}" if position == "before" else f"{text}\u00a0{symbol}"


__all__ = [
    "FieldInputError",
    "display_formatter",
    "display_value",
    "format_amount",
    "input_value",
    "parse_value",
]
