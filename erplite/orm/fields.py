"""Field descriptors: the base ``Field`` and the scalar field types.

A field object lives on a model class. It converts values between four representations:

* the *record* value a developer reads (``False`` for empty, ``datetime.date`` for a Date, a
  recordset for a relation);
* the *cache* value kept in the transaction cache (``None`` for empty, an id or a tuple of ids
  for relations);
* the *column* value sent to PostgreSQL as a query parameter;
* the *read* value of ``read()``/RPC (``(id, display_name)`` for a many2one).

Parameters every field accepts (Odoo 17's names and meanings):

``string`` label; ``help`` tooltip; ``required`` NOT NULL and checked at create; ``readonly``
(for views only); ``default`` a value or a callable taking the empty recordset; ``index``
``True``/``'btree'``/``'trigram'``; ``copy`` copied by ``copy()``; ``store`` stored in a column;
``compute`` method name computing the value; ``inverse`` method name writing it back;
``search`` method name turning a domain leaf on a non-stored field into a domain;
``related`` dotted path the value is read from; ``compute_sudo`` compute as superuser;
``precompute`` compute before the INSERT; ``groups`` comma-separated xml ids restricting access
(``!`` negates); ``tracking``; ``check_company``; ``depends``/``depends_context`` (usually from
``@api.depends``); ``prefetch``; ``group_operator``/``aggregator`` for read_group.
"""

from __future__ import annotations

import builtins
import datetime
import json
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from psycopg import sql
from psycopg.types.json import Jsonb

from erplite.orm import arguments
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.query import Query
    from erplite.orm.recordset import Recordset

_SENTINEL = object()

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _raise_wrong_value(field: Field, value: Any) -> NoReturn:
    raise arguments.value_error(field, value)


class Field:
    """Base class of every field type; see the module docstring for the parameters."""

    type: str = ""
    column_type: tuple[str, str] | None = None  # (udt name, SQL type), None when not stored
    relational = False
    group_operator: str | None = None
    _default_args: dict[str, Any] = {}

    # defaults of the attributes; overridden by the arguments given to the constructor
    string: str | None = None
    help: str | None = None
    required = False
    readonly = False
    default: Any = None
    index: Any = None
    copy = True
    store = True
    compute: Any = None
    inverse: Any = None
    search: Any = None
    related: str | None = None
    compute_sudo = True
    precompute = False
    groups: str | None = None
    tracking: Any = None
    check_company = False
    depends: tuple[str, ...] | None = None
    depends_context: tuple[str, ...] = ()
    prefetch = True
    translate = False
    inherited = False  # an _inherits field delegating to the parent
    _cache_direct: int | None = None  # set at the first read: see __get__
    if TYPE_CHECKING:
        # Attributes of some field types only (``fields_relational``, ``Char``), declared
        # here for the code that reads them on any field after testing ``field.relational``
        # or ``field.type``: there is no such attribute on the other types.
        comodel_name: str
        inverse_name: str
        relation: str
        column1: str
        column2: str
        domain: Any
        context: Any
        size: int | None
    manual = False
    #: whether a compute method's assignment is converted with ``validate=True`` (it is
    #: trusted, hence not, unless the conversion does more than check: Monetary rounds)
    validate_computed = False

    def __init__(self, string: Any = _SENTINEL, **kwargs: Any) -> None:
        if string is not _SENTINEL:
            kwargs["string"] = string
        self.args: dict[str, Any] = kwargs
        self.name: str = ""
        self.model_name: str = ""
        self._setup_done = False
        #: the parent's field an ``_inherits`` field delegates to (an instance attribute: a
        #: class attribute holding a field would be a descriptor to the type checker)
        self.inherited_field: Field | None = None

    # -- class building -------------------------------------------------------------------------
    def __set_name__(self, owner: builtins.type[Any], name: str) -> None:
        self.name = name

    def new(self, **extra: Any) -> Field:
        """A copy of this definition with ``extra`` arguments, for a registry's model class."""
        args = dict(self.args)
        args.update(extra)
        return type(self)(**args)

    def merge_args(self, args: dict[str, Any]) -> dict[str, Any]:
        """Combine the arguments of an overriding definition with this one's (``_inherit``)."""
        merged = dict(self.args)
        merged.update(args)
        return merged

    def setup_attrs(self, model_class: builtins.type[Recordset], name: str) -> None:
        """Set the attributes from the arguments, once the model class is known."""
        self.name = name
        self.model_name = model_class._name
        args = dict(self._default_args)
        args.update(self.args)
        if "group_operator" not in args and "aggregator" in args:
            args["group_operator"] = args.pop("aggregator")
        if args.get("related"):
            args.setdefault("store", False)
            args.setdefault("copy", False)
            args.setdefault("readonly", True)
            args.setdefault("compute_sudo", True)
        if args.get("compute"):
            args.setdefault("store", False)
            # as Odoo: a computed field is not copied, unless stored and editable
            # (readonly=False), like a line's price proposed by its product
            if not (args["store"] and not args.get("readonly", True)):
                args.setdefault("copy", False)
            args.setdefault("readonly", not args.get("inverse"))
            args.setdefault("compute_sudo", bool(args.get("store")))
        if name == "state":
            # as Odoo's _get_attrs: a copied document starts over in its default state
            args.setdefault("copy", False)
        for key, value in args.items():
            setattr(self, key, value)
        if isinstance(self.depends, list):
            self.depends = tuple(self.depends)
        if self.string is None:
            self.string = name.replace("_", " ").title() if name != "id" else "ID"
            if name.endswith("_id") and self.type == "many2one":
                self.string = self.string[:-3]
            elif name.endswith("_ids") and self.type in ("one2many", "many2many"):
                self.string = self.string[:-4]
        if self.compute and callable(self.compute):
            self.compute = (
                self.compute.__name__ if hasattr(self.compute, "__name__") else self.compute
            )

    @property
    def column_name(self) -> str:
        return self.name

    @cached_property
    def stored_column(self) -> bool:
        """Whether the field's value lives in a column of its model's table (asked once the
        field is set up: ``store`` and ``column_type`` do not change afterwards)."""
        return bool(self.store and self.column_type is not None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name}.{self.name})"

    # -- conversions ----------------------------------------------------------------------------
    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        """Turn a value given by a developer or a client into the cache representation."""
        return value

    def convert_to_record(self, value: Any, record: Recordset) -> Any:
        """Turn a cache value into what ``record.field`` returns."""
        return False if value is None else value

    def convert_to_read(self, value: Any, record: Recordset, use_display_name: bool = True) -> Any:
        """Turn a record value into what ``read()`` returns."""
        return False if value is None else value

    def convert_to_write(self, value: Any, record: Recordset) -> Any:
        """Turn a record value into something ``write()`` accepts (``copy``, defaults)."""
        return self.convert_to_read(value, record, use_display_name=False)

    def convert_to_column(self, value: Any) -> Any:
        """Turn a cache value into a query parameter."""
        return value

    def convert_from_column(self, value: Any) -> Any:
        """Turn a value fetched from PostgreSQL into the cache representation."""
        return value

    def null(self, record: Recordset) -> Any:
        """The cache value of an empty field."""
        return None

    def column_sql_type(self) -> str:
        assert self.column_type is not None
        return self.column_type[1]

    # -- descriptor -----------------------------------------------------------------------------
    def __get__(self, record: Recordset | None, owner: builtins.type[Any] | None = None) -> Any:
        if record is None:
            return self
        ids = record._ids
        if len(ids) == 1:
            # the fast path: a plain field already in cache (no access check, no context
            # key, no pending recomputation to run first: a stored computed field takes it
            # while none of its records is to compute)
            direct = self._cache_direct
            if direct is None:
                direct = self._cache_direct = (
                    0
                    if self.groups or self.depends_context
                    else (2 if self.store and self.compute else 1)
                )
            if direct == 1 or (direct == 2 and self not in record.env.transaction.tocompute):
                data = record.env.cache._data.get(self)
                if data is not None:
                    value = data.get(ids[0], _SENTINEL)
                    if value is not _SENTINEL:
                        return self.convert_to_record(value, record)
            return self.convert_to_record(record._get_cache_value(self), record)
        if not ids:
            return self.convert_to_record(self.null(record), record)
        if self.relational:
            # on several records, a relational field gives the union of their values (Odoo)
            return record._mapped_field(self.name)
        return record.ensure_one()

    def __set__(self, records: Recordset, value: Any) -> None:
        records._set_field_value(self, value)

    # -- default --------------------------------------------------------------------------------
    def get_default(self, model: Recordset) -> Any:
        default = self.default
        if callable(default):
            return default(model)
        return default

    # -- domain to SQL --------------------------------------------------------------------------
    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        """SQL for ``(self.name, operator, value)`` on table ``alias`` (a stored field).

        Implements Odoo 17's NULL semantics: ``= False`` is ``IS NULL``, a negative operator
        also matches NULL, ``in`` with ``False`` among the values matches NULL too.
        """
        column = SQL.identifier(alias, self.column_name)
        if operator in ("in", "not in"):
            return self._in_to_sql(column, operator, value)
        if operator in ("=", "!=") and (value is False or value is None):
            return SQL("%s IS NULL" if operator == "=" else "%s IS NOT NULL", column)
        if operator in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
            return self._like_to_sql(column, operator, value)
        if operator in ("=", "!=", "<", "<=", ">", ">="):
            param = self.convert_to_column(self.convert_to_cache(value, model, validate=False))
            condition = SQL(f"%s {operator} %s", column, param)
            if operator == "!=":
                return SQL("(%s OR %s IS NULL)", condition, column)
            return condition
        raise arguments.term_error((self.name, operator, value), "Invalid operator")

    def _in_to_sql(self, column: SQL, operator: str, value: Any) -> SQL:
        values = [v for v in value if v is not False and v is not None]
        check_null = len(values) < len(value)
        params = [
            self.convert_to_column(self.convert_to_cache(v, None, validate=False)) for v in values
        ]
        if operator == "in":
            base = SQL("%s = ANY(%s)", column, params) if params else SQL("FALSE")
            return SQL("(%s OR %s IS NULL)", base, column) if check_null else base
        base = SQL("%s <> ALL(%s)", column, params) if params else SQL("TRUE")
        if check_null:
            return SQL("(%s AND %s IS NOT NULL)", base, column)
        return SQL("(%s OR %s IS NULL)", base, column)

    def _like_to_sql(self, column: SQL, operator: str, value: Any) -> SQL:
        sql_operator = {"=like": "LIKE", "=ilike": "ILIKE"}.get(operator, operator.upper())
        wildcard = operator in ("like", "ilike", "not like", "not ilike")
        text = "" if value is False or value is None else str(value)
        if "\x00" in text:
            arguments.check_text(self, text)
        # as Odoo 17: the value is a LIKE pattern itself ("%" and "_" are wildcards there too)
        pattern = f"%{text}%" if wildcard else text
        condition = SQL(f"%s::text {sql_operator} %s", column, pattern)
        negative = operator.startswith("not")
        if (wildcard and not text) or (negative and text):
            return SQL("(%s OR %s IS NULL)", condition, column)
        return condition

    def order_to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        return SQL.identifier(alias, self.column_name)


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
        try:
            return int(value) if value else None
        except (TypeError, ValueError, OverflowError):  # ("id", "=", "é") is the caller's mistake
            _raise_wrong_value(self, value)

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        if operator in ("=", "!=") and isinstance(value, list | tuple):
            operator = "in" if operator == "=" else "not in"
        return super().condition_to_sql(operator, value, model, alias, query)
