"""The base of every field descriptor: ``Field`` (the scalar types are in ``fields``, the
relational ones in ``fields_relational``).

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
``@api.depends``); ``prefetch``; ``group_operator``/``aggregator`` for read_group;
``group_expand`` the name of a model method ``(groups, domain, order)`` returning every group
``read_group`` shows when grouping lazily by the field, empty ones included (a recordset of the
comodel for a many2one, a list of values otherwise), as Odoo 17's kanban columns of stages.
"""

from __future__ import annotations

import builtins
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from erplite.orm import arguments
from erplite.orm.read_checks import EVERY_ID
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.query import Query
    from erplite.orm.recordset import Recordset
_SENTINEL = object()


def _raise_wrong_value(field: Field, value: Any) -> NoReturn:
    raise arguments.value_error(field, value)


class Field:
    """Base class of every field type; see the module docstring for the parameters."""

    type: str = ""
    column_type: tuple[str, str] | None = None  # (udt name, SQL type), None when not stored
    relational = False
    group_operator: str | None = None
    #: the model method giving every group of the field (see the module's docstring)
    group_expand: Any = None
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
    #: whether the type keeps ``Field.convert_to_record`` (set per class: __init_subclass__)
    _plain_to_record = True
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain_to_record = cls.convert_to_record is Field.convert_to_record

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
            # the fast path: a plain field already in cache (no field group, no context
            # key, no pending recomputation to run first: a stored computed field takes it
            # while none of its records is to compute), of a record whose read checks the
            # user passed in this transaction (see erplite.orm.read_checks)
            direct = self._cache_direct
            if direct is None:
                direct = self._cache_direct = (
                    0
                    if self.groups or self.depends_context
                    else (2 if self.store and self.compute else 1)
                )
            env = record.env
            if direct == 1 or (direct == 2 and self not in env.transaction.tocompute):
                try:  # a miss is once per fetched batch: cheaper than two dict.get calls
                    value = env.cache._data[self][ids[0]]
                except KeyError:
                    pass
                else:
                    if (
                        env.su
                        or (passed := env._read_passed.get(record._name, ())) is EVERY_ID
                        or ids[0] in passed
                    ):
                        if self._plain_to_record:  # Field.convert_to_record, inlined
                            return False if value is None else value
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
