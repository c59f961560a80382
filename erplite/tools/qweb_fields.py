"""QWeb's ``t-field`` for records of the ORM: a field's value formatted by its type, as Odoo
17's ``ir.qweb.field.*`` converters do (a smaller set, without their HTML wrappers).

Worked example::

    >>> QWeb(loader, field_renderer=format_field).render("sale.report", {"o": order})
    # <span t-field="o.amount_total"/>              -> '1,250.00 €' (the order's currency)
    # <span t-field="o.date_order"/>                -> '2026-05-01 11:30' (the user's tz)
    # <span t-field="o.date_order" t-options-widget="'date'"/>   -> '2026-05-01'
    # <span t-field="o.partner_id"/>                -> 'Azure Interior'
    # <span t-field="o.amount_total" t-options="{'display_currency': o.company_id.currency_id}"/>

By type (or the ``widget`` option): ``monetary`` with the currency's decimals, symbol and
position (``display_currency``, else the field's ``currency_field``, else ``currency_id``, else
the company's); ``float`` with the field's digits or ``precision``; ``integer`` with thousands
separators; ``float_time`` as ``HH:MM``; ``date`` and ``datetime`` (in the context's ``tz``;
``widget='date'`` shows a datetime's date) with ``format`` a ``strftime`` pattern;
``many2one`` its display name; ``many2many``/``one2many`` the display names joined;
``selection`` its label; ``boolean`` ``Yes``/``No``; ``text`` escaped with line breaks kept;
``html`` as markup (html fields are sanitised when written); anything else as text. An empty
value gives ``None`` (the template's body is shown instead). The record is read as the
rendering environment's user: the ORM's rights apply.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

__all__ = ["format_field"]

_DATE = "%Y-%m-%d"
_DATETIME = "%Y-%m-%d %H:%M"


def format_field(record: Any, name: str, options: Mapping[str, Any]) -> Any:
    """The text (or markup) ``t-field="record.name"`` shows with ``options``."""
    if not record:
        return None
    record.ensure_one()
    field = record._fields[name]
    value = record[name]
    widget = str(options.get("widget") or field.type)
    if widget == "boolean" or field.type == "boolean":
        return "Yes" if value else "No"
    if value is False or value is None:
        return None
    if widget == "monetary" or field.type == "monetary":
        return _amount(float(value), _currency(record, field, options))
    if widget == "float_time":
        hours, minutes = divmod(round(abs(float(value)) * 60), 60)
        return f"{'-' if value < 0 else ''}{hours:02d}:{minutes:02d}"
    if field.type == "float":
        digits = getattr(field, "digits", None)
        places = options.get("precision")
        if places is None:
            places = digits[1] if isinstance(digits, tuple) and len(digits) == 2 else 2
        return f"{float(value):,.{int(places)}f}"
    if field.type == "integer":
        return f"{int(value):,}"
    if field.type in ("date", "datetime"):
        return _moment(record, value, widget, options)
    if field.type == "many2one":
        return value.sudo().display_name
    if field.type in ("many2many", "one2many"):
        return ", ".join(str(line.display_name) for line in value.sudo())
    if field.type == "selection":
        labels = dict(record.fields_get([name], ["selection"])[name].get("selection") or ())
        return str(labels.get(value, value))
    if field.type == "html":
        return Markup(str(value))
    if field.type == "text":
        return Markup("<br/>").join(escape(line) for line in str(value).split("\n"))
    return str(value)


def _currency(record: Any, field: Any, options: Mapping[str, Any]) -> Any:
    chosen = options.get("display_currency")
    if chosen:
        return chosen
    name = getattr(field, "currency_field", None) or "currency_id"
    if name in record._fields and record[name]:
        return record[name]
    return record.env.company.currency_id


def _amount(amount: float, currency: Any) -> str:
    places, symbol, position = 2, "", "after"
    if currency:
        places = currency.decimal_places if currency.decimal_places is not False else 2
        symbol, position = currency.symbol or "", currency.position or "after"
    text = f"{amount:,.{places}f}"
    if not symbol:
        return text
    return f"{symbol}\u00a0{text}" if position == "before" else f"{text}\u00a0{symbol}"


def _moment(record: Any, value: Any, widget: str, options: Mapping[str, Any]) -> str:
    pattern = options.get("format")
    if isinstance(value, datetime.datetime):
        tz_name = options.get("tz") or record.env.context.get("tz") or "UTC"
        try:
            zone = zoneinfo.ZoneInfo(str(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        local = value.replace(tzinfo=datetime.timezone.utc).astimezone(zone)
        if widget == "date":
            return local.date().strftime(str(pattern or _DATE))
        return local.strftime(str(pattern or _DATETIME))
    return value.strftime(str(pattern or _DATE))
