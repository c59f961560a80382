"""The scalar field types (``Boolean``, ``Integer``, ``Float``, ``Monetary``, ``Char``, ``Text``,
``Html``, ``Selection``, ``Date``, ``Datetime``, ``Binary``, ``Json``, ``Id``) over the base
``Field`` (``fields_base``, which documents the value representations and the parameters every
field accepts; importable from here too). Each type converts between the record, cache, column
and read values of its kind and renders the conditions on it that differ from the base's.
"""

from __future__ import annotations

import builtins
import datetime
import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

from psycopg import sql
from psycopg.types.json import Jsonb

from erplite.orm import arguments
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.query import Query
    from erplite.orm.recordset import Recordset
from erplite.orm.fields_base import _SENTINEL, Field, _raise_wrong_value

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


# ---------------------------------------------------------------------------------------------
# Scalar types
# ---------------------------------------------------------------------------------------------


class Boolean(Field):
    type = "boolean"
    column_type = ("bool", "boolean")
    group_operator = "bool_and"

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        return bool(value)

    def convert_to_record(self, value: Any, record: Recordset) -> Any:
        return bool(value)

    def convert_to_read(self, value: Any, record: Recordset, use_display_name: bool = True) -> Any:
        return bool(value)

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        column = SQL.identifier(alias, self.column_name)
        if operator in ("=", "!=") and isinstance(value, bool | type(None)):
            truthy = bool(value) if operator == "=" else not value
            return SQL("%s IS TRUE" if truthy else "%s IS NOT TRUE", column)
        if operator in ("in", "not in"):
            wanted = {bool(v) for v in value}
            if operator == "not in":
                wanted = {True, False} - wanted
            if wanted == {True, False}:
                return SQL("TRUE")
            if not wanted:
                return SQL("FALSE")
            return SQL("%s IS TRUE" if True in wanted else "%s IS NOT TRUE", column)
        return super().condition_to_sql(operator, value, model, alias, query)


class Integer(Field):
    type = "integer"
    column_type = ("int4", "integer")
    group_operator = "sum"

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, float) and not value.is_integer() and validate:
            _raise_wrong_value(self, value)
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            _raise_wrong_value(self, value)
        if validate and not arguments.INT4_MIN <= number <= arguments.INT4_MAX:
            arguments.check_int4(self, number)
        return number

    def convert_to_record(self, value: Any, record: Recordset) -> Any:
        return value or 0

    def convert_to_read(self, value: Any, record: Recordset, use_display_name: bool = True) -> Any:
        return value or 0


class Float(Field):
    type = "float"
    group_operator = "sum"
    digits: Any = None

    @property
    def column_type(self) -> tuple[str, str]:  # type: ignore[override]
        return ("numeric", "numeric") if self.digits is not None else ("float8", "double precision")

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if type(value) is float and self.digits is None:
            return value  # the common case: nothing to convert or round
        if value is None or value is False:
            return None
        try:
            result = float(value)
        except (TypeError, ValueError):
            _raise_wrong_value(self, value)
        digits = self.get_digits()
        if digits is not None:
            result = round(result, digits[1])
        return result

    def get_digits(self) -> tuple[int, int] | None:
        digits = self.digits
        if digits is None or isinstance(digits, str):
            return None
        return tuple(digits)

    def convert_from_column(self, value: Any) -> Any:
        return None if value is None else float(value)

    def convert_to_record(self, value: Any, record: Recordset) -> Any:
        return value or 0.0

    def convert_to_read(self, value: Any, record: Recordset, use_display_name: bool = True) -> Any:
        return value or 0.0


class Monetary(Float):
    """An amount in a currency: the record's ``currency_field`` (default ``currency_id``).

    As in Odoo 17, a value set on known records (``write``, a compute method's assignment) is
    rounded with the currency's ``round()``, so what is cached, stored and read is the amount
    to the currency's precision; ``create`` rounds a value with the currency given (or
    precomputed) in the same row. Without a currency the value is kept as given.
    """

    type = "monetary"
    currency_field: str | None = None
    column_type = ("numeric", "numeric")
    #: a compute method's assignment is converted with ``validate=True``: it rounds
    validate_computed = True

    def get_digits(self) -> tuple[int, int] | None:
        return None

    def get_currency_field(self, model: Recordset) -> str | None:
        """The name of ``model``'s many2one to ``res.currency`` giving the amount's currency."""
        return self.currency_field_in(model._fields)

    def currency_field_in(self, fields: dict[str, Field]) -> str | None:
        """:meth:`get_currency_field` given the model's fields; None when it has none."""
        name = self.currency_field or "currency_id"
        field = fields.get(name)
        if field is None or field.type != "many2one" or field.comodel_name != "res.currency":
            return None
        return name

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        value = super().convert_to_cache(value, record, validate)
        if value and validate and record is not None and record._ids:
            name = self.get_currency_field(record)
            if name is not None:
                currencies = record.sudo()[name] if len(record._ids) == 1 else None
                if currencies is None:
                    currencies = record.sudo().mapped(name)
                if len(currencies) == 1:
                    value = currencies.round(value)
        return value


class Char(Field):
    type = "char"
    size: int | None = None
    trim = True

    @property
    def column_type(self) -> tuple[str, str]:  # type: ignore[override]
        return ("varchar", f"varchar({self.size})" if self.size else "varchar")

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False:
            return None
        if not isinstance(value, str):
            if validate and not isinstance(value, int | float):
                _raise_wrong_value(self, value)
            value = str(value)
        elif "\x00" in value:
            arguments.check_text(self, value)
        if validate and self.size and len(value) > self.size:
            raise arguments.value_error(
                self, value, f"value too long: at most {self.size} characters"
            )
        return value


class Text(Char):
    type = "text"
    column_type = ("text", "text")


class Html(Text):
    """Rich text, sanitised when written (Odoo 17's attributes and defaults).

    ``sanitize`` (``True``): on ``create``/``write`` (and assignment) the value goes through
    :func:`erplite.tools.html_sanitize.html_sanitize` with the field's options
    ``sanitize_tags`` (``True``), ``sanitize_attributes`` (``True``), ``sanitize_style``
    (``False``: only script-bearing declarations go), ``sanitize_form`` (``True``),
    ``sanitize_conditional_comments`` (``True``), ``strip_style`` and ``strip_classes``
    (``False``): scripts, event handlers, ``javascript:`` URLs and CSS expressions never reach
    the database. ``sanitize_overridable`` (``False``): members of
    ``base.group_sanitize_override`` (when a module defines it) store their value as given.
    Values read from the database are returned as stored.
    """

    type = "html"
    sanitize = True
    sanitize_overridable = False
    sanitize_tags = True
    sanitize_attributes = True
    sanitize_style = False
    sanitize_form = True
    sanitize_conditional_comments = True
    strip_style = False
    strip_classes = False

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        value = super().convert_to_cache(value, record, validate)
        if value is None or not validate or not self.sanitize:
            return value
        if (
            self.sanitize_overridable
            and record is not None
            and record.env.user.has_group("base.group_sanitize_override")
        ):
            return value
        # imported when first needed: loading the ORM does not load the sanitiser
        from erplite.tools.html_sanitize import html_sanitize

        return html_sanitize(
            value,
            sanitize_tags=self.sanitize_tags,
            sanitize_attributes=self.sanitize_attributes,
            sanitize_style=self.sanitize_style,
            sanitize_form=self.sanitize_form,
            sanitize_conditional_comments=self.sanitize_conditional_comments,
            strip_style=self.strip_style,
            strip_classes=self.strip_classes,
        )


class Selection(Field):
    type = "selection"
    column_type = ("varchar", "varchar")
    selection: Any = None
    selection_add: Any = None

    def __init__(self, selection: Any = _SENTINEL, string: Any = _SENTINEL, **kwargs: Any):
        if selection is not _SENTINEL:
            kwargs["selection"] = selection
        super().__init__(string, **kwargs)

    def merge_args(self, args: dict[str, Any]) -> dict[str, Any]:
        merged = super().merge_args(args)
        if "selection_add" in args:
            base = list(self.args.get("selection") or [])
            if callable(base) or isinstance(base, str):
                merged["selection"] = base
            else:
                values = [value for value, _label in base]
                for item in args["selection_add"]:
                    if item[0] in values:
                        continue
                    base.append(tuple(item) if len(item) == 2 else item)
                    values.append(item[0])
                merged["selection"] = [tuple(item) for item in base if len(item) == 2]
            merged.pop("selection_add", None)
        return merged

    def get_values(self, model: Recordset) -> list[Any]:
        return [value for value, _label in self._selection(model)]

    def _selection(self, model: Recordset) -> list[Any]:
        selection = self.selection
        values: list[Any]
        if isinstance(selection, str):
            values = getattr(model, selection)()
        elif callable(selection):
            values = selection(model)
        else:
            values = list(selection or [])
        return values

    def literal_value(self, operator: str, value: Any) -> bool:
        """Whether a condition compiles ``value`` as an SQL literal rather than a parameter:
        ``=`` and ``!=`` with a value of a fixed selection. Those values are few and known in
        advance, so the statement's text stays among a few, and PostgreSQL plans a prepared
        statement with the value's own statistics (a parameter's generic plan guesses them)."""
        return operator in ("=", "!=") and value in self._literals()

    def _literals(self) -> dict[str, SQL]:
        """The fixed selection's values and their SQL literals (quoted by psycopg; a "%" is
        doubled, as statements have placeholders); empty for a dynamic selection."""
        return self._literal_sql

    @cached_property
    def _literal_sql(self) -> dict[str, SQL]:
        literals = {}
        if isinstance(self.selection, list | tuple):
            for item in self.selection:
                if isinstance(item[0], str):
                    text = sql.Literal(item[0]).as_string(None).replace("%", "%%")
                    literals[item[0]] = SQL.raw(text)
        return literals

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        if isinstance(value, str) and self.literal_value(operator, value):
            column = SQL.identifier(alias, self.column_name)
            literal = self._literals()[value]
            if operator == "=":
                return SQL("%s = %s", column, literal)
            return SQL("(%s <> %s OR %s IS NULL)", column, literal, column)
        return super().condition_to_sql(operator, value, model, alias, query)

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False:
            return None
        if validate and record is not None:
            if value not in self.get_values(record):
                _raise_wrong_value(self, value)
        return value


class Date(Field):
    type = "date"
    column_type = ("date", "date")
    group_operator = "max"

    @staticmethod
    def to_date(value: Any) -> datetime.date | None:
        """Odoo's ``fields.Date.to_date``: a date from a date, datetime or ISO string."""
        if not value:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return datetime.datetime.strptime(str(value)[:10], DATE_FORMAT).date()

    @staticmethod
    def to_string(value: Any) -> str | bool:
        return value.strftime(DATE_FORMAT) if value else False

    @staticmethod
    def today(*args: Any) -> datetime.date:
        return datetime.date.today()

    @staticmethod
    def context_today(record: Recordset, timestamp: Any = None) -> datetime.date:
        return datetime.date.today()

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False or value == "":
            return None
        try:
            return self.to_date(value)
        except (TypeError, ValueError):
            _raise_wrong_value(self, value)

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        return super().condition_to_sql(operator, value, model, alias, query)


class Datetime(Field):
    type = "datetime"
    column_type = ("timestamp", "timestamp without time zone")
    group_operator = "max"

    @staticmethod
    def to_datetime(value: Any) -> datetime.datetime | None:
        """A naive UTC datetime from a datetime, date or ``%Y-%m-%d %H:%M:%S`` string."""
        if not value:
            return None
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return value
        if isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time.min)
        text = str(value)
        if len(text) == 10:
            return datetime.datetime.strptime(text, DATE_FORMAT)
        return datetime.datetime.fromisoformat(text.replace("T", " ").rstrip("Z")).replace(
            tzinfo=None
        )

    @staticmethod
    def to_string(value: Any) -> str | bool:
        return value.strftime(DATETIME_FORMAT) if value else False

    @staticmethod
    def now(*args: Any) -> datetime.datetime:
        return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False or value == "":
            return None
        try:
            return self.to_datetime(value)
        except (TypeError, ValueError):
            _raise_wrong_value(self, value)

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        # A bare date compared with a datetime column covers the whole day, as in Odoo.
        if isinstance(value, str) and len(value) == 10 and operator in ("<", "<=", ">", ">="):
            value = value + (" 23:59:59" if operator in (">", "<=") else " 00:00:00")
        elif (
            isinstance(value, datetime.date)
            and not isinstance(value, datetime.datetime)
            and operator in ("<", "<=", ">", ">=")
        ):
            bound = datetime.time.max if operator in (">", "<=") else datetime.time.min
            value = datetime.datetime.combine(value, bound)
        return super().condition_to_sql(operator, value, model, alias, query)


class Binary(Field):
    """Binary content, stored in a ``bytea`` column; read and written as base64 bytes."""

    type = "binary"
    column_type = ("bytea", "bytea")
    prefetch = False
    attachment = False

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, str):
            return value.encode()
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        _raise_wrong_value(self, value)

    def convert_from_column(self, value: Any) -> Any:
        return None if value is None else bytes(value)


class Json(Field):
    type = "json"
    column_type = ("jsonb", "jsonb")

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False:
            return None
        if validate:
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                _raise_wrong_value(self, value)
        return value

    def convert_to_column(self, value: Any) -> Any:
        return None if value is None else Jsonb(value)


class Id(Field):
    """The ``id`` field: the primary key, always there, never written."""

    type = "integer"
    column_type = ("int4", "integer")
    store = True
    readonly = True
    copy = False
    prefetch = False

    def __get__(self, record: Recordset | None, owner: builtins.type[Any] | None = None) -> Any:
        if record is None:
            return self
        if not record._ids:
            return False
        if len(record._ids) != 1:
            record.ensure_one()
        return record._ids[0]

    def __set__(self, records: Recordset, value: Any) -> None:
        raise TypeError("field 'id' cannot be assigned")

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        # 0 stays 0: it is a value in conditions (("id", ">", 0) matches every record), only
        # the empty values are NULL
        if value is None or value is False or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):  # ("id", "=", "é") is the caller's mistake
            _raise_wrong_value(self, value)

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        if operator in ("=", "!=") and isinstance(value, list | tuple):
            operator = "in" if operator == "=" else "not in"
        return super().condition_to_sql(operator, value, model, alias, query)


__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "Binary",
    "Boolean",
    "Char",
    "Date",
    "Datetime",
    "Field",
    "Float",
    "Html",
    "Id",
    "Integer",
    "Json",
    "Monetary",
    "Selection",
    "Text",
]
