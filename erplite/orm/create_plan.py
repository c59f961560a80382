"""What ``create`` prepares once per model and reuses (``CreateMixin._crud_plan``): the
fields by kind, the INSERT template of each set of columns.
"""

from __future__ import annotations

import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from psycopg import sql

from erplite.orm.fields import Field
from erplite.sql import SQL, BinaryParam

if TYPE_CHECKING:
    from erplite.orm.fields import Monetary

_X2MANY = ("one2many", "many2many")


_KIND_IGNORED, _KIND_COLUMN, _KIND_COLUMN_INVERSE, _KIND_X2MANY, _KIND_INVERSE = range(5)
_INSERT_TEMPLATES: dict[tuple[Any, ...], str] = {}
#: the CTE of the parent inserted with its lines (``CreateMixin._create_with_lines``)
_PARENT_ALIAS = "_new_parent"
#: the flag of the link column in ``_insert_template``'s ``constant``
#: the row value of a line's link to its parent, until the statement gives the parent's id
_LINK = type("_Link", (), {"__repr__": lambda self: "<parent id>", "__slots__": ()})()
_LINK_FLAG = "link"
#: the columns of a model with ``_log_access`` that ``create`` sets to one value for all rows
MAGIC_COLUMNS = frozenset(("create_uid", "create_date", "write_uid", "write_date"))
#: a parameter's place in a template (the value comes with each statement) and the separator
_SLOT = SQL("%s", sql.Placeholder())
_COMMA = SQL(", ")


class _CrudPlan:
    """The fields of a model sorted for create (see ``CreateMixin._crud_plan``)."""

    def __init__(self, fields: dict[str, Field], company_moves: frozenset[str]) -> None:
        self.columns = tuple(
            (name, f)
            for name, f in fields.items()
            if f.store and f.column_type is not None and name != "id"
        )
        # every column None, and a getter of all of them (precompute's transposition)
        self.columns_blank = dict.fromkeys(name for name, _f in self.columns)
        self.columns_getter = itemgetter(*self.columns_blank) if self.columns else None
        # how create takes each field's value (see _create_rows)
        self.kinds = {}
        for name, f in fields.items():
            if f.type in _X2MANY and f.store:
                self.kinds[name] = _KIND_X2MANY
            elif f.store and f.column_type is not None and name != "id":
                self.kinds[name] = _KIND_COLUMN_INVERSE if f.inverse and f.compute else _KIND_COLUMN
            elif f.inverse:
                self.kinds[name] = _KIND_INVERSE
            else:
                self.kinds[name] = _KIND_IGNORED
        self.required = tuple(
            f for name, f in self.columns if f.required and not f.compute and f.type != "boolean"
        )
        self.x2many = tuple(f for f in fields.values() if f.type in _X2MANY and f.store)
        # the fields _precompute_cache sets on every temporary record, in the cache's own dict
        self.overwritten = frozenset(
            f
            for _name, f in self.columns + tuple((f.name, f) for f in self.x2many)
            if not f.depends_context
        )
        # the others: what _forget_temporary takes out for temporary records given back
        self.not_overwritten = tuple(f for f in fields.values() if f not in self.overwritten)
        self.many2one = tuple(f for f in fields.values() if f.type == "many2one" and f.store)
        # those of them with a one2many of their comodel (many2one_inverted)
        self._many2one_inverted: tuple[Field, ...] | None = None
        # names of the columns an INSERT sets -> the columns create caches (cached_columns)
        self._cached_columns: dict[tuple[str, ...], list[tuple[str, Field]]] = {}
        # (amount, currency) column names of the Monetary columns (see _round_monetary_rows)
        self.monetary = tuple(
            (name, currency)
            for name, f in self.columns
            if f.type == "monetary"
            and (currency := cast("Monetary", f).currency_field_in(fields)) is not None
            and fields[currency].store
        )
        self.stored_computed = tuple(f for f in fields.values() if f.store and f.compute)
        self.computed_names = frozenset(name for name, f in fields.items() if f.compute)
        # the fields whose change moves a record to another company (write re-checks rules)
        self.company_moves = company_moves
        # link name -> whether lines through it are created plainly (_creates_plainly)
        self.plain_links: dict[str, bool] = {}
        self.precompute = tuple(
            f
            for f in fields.values()
            if f.precompute and f.store and f.compute and f.column_type is not None
        )
        # keys given -> fields to default; the same without those default_get leaves out
        self.missing: dict[frozenset[str], list[str]] = {}
        self.defaulted: dict[frozenset[str], list[str]] = {}
        # precomputed field -> its first-hop dependencies that are no column (see
        # _precompute_rows), filled on first use (the registry's dependencies are needed)
        self.precompute_late: dict[Field, frozenset[str]] | None = None
        # frozenset of computed names given -> the fields to protect (_protecting_given)
        self.protected: dict[frozenset[str], frozenset[Field]] = {}
        # what depends on any field of a new record (records.modified(all fields, create=True)),
        # as _create_triggers splits it (see CreateMixin._create_finish)
        self.create_triggers: _CreateTriggers | None = None
        # one2many fields of lines created with their parent -> the parent's fields computed
        # before its INSERT, and the computed line fields they read (_early_fields)
        self.early: dict[
            frozenset[Field], tuple[tuple[Field, ...], dict[Field, frozenset[str]]]
        ] = {}

    def many2one_inverted(self, registry: Any) -> tuple[Field, ...]:
        """The stored many2one fields that a one2many of their comodel inverts (a new record
        joins its cached lines), worked out on first use (the registry is set up)."""
        found = self._many2one_inverted
        if found is None:
            inverses = registry.field_inverses
            found = self._many2one_inverted = tuple(f for f in self.many2one if inverses.get(f))
        return found

    def cached_columns(self, columns: list[str]) -> list[tuple[str, Field]]:
        """The ``(name, field)`` create caches for new records inserted with ``columns``:
        every stored column, a computed one only when inserted."""
        key = tuple(columns)
        cached = self._cached_columns.get(key)
        if cached is None:
            inserted = set(columns)
            cached = [(name, f) for name, f in self.columns if not f.compute or name in inserted]
            if len(self._cached_columns) < 1000:
                self._cached_columns[key] = cached
        return cached


class _CreateTriggers:
    """The trigger tree of every field of a model (what ``records.modified(all fields,
    create=True)`` walks) split for records just created (``CreateMixin._create_finish``):

    - ``refresh``: the non-stored computed fields of the records themselves, dropped from
      the cache;
    - the stored computed fields of the records themselves are left out: ``_create_finish``
      marks every stored computed field of a new record whose value was not given, a superset
      of what the walk would mark (a given value protects its field);
    - ``tree``: the rest (other records reached through relations), None when empty;
    - ``protect``: whether ``tree`` reaches fields of the model itself (the values given then
      need protecting while it is walked).
    """

    __slots__ = ("refresh", "tree", "protect", "_without")

    def __init__(self, tree: dict[Any, Any], model_name: str) -> None:
        self.refresh = tuple(f for f in tree.get(None, ()) if not (f.store and f.compute))
        rest = {key: value for key, value in tree.items() if key is not None}
        self.tree: dict[Any, Any] | None = rest or None
        self.protect = _reaches_model(rest, model_name)
        self._without: dict[Field, dict[Any, Any] | None] = {}

    def parent_fields(self, link: Field) -> list[Field] | None:
        """The fields of the parent marked through the one2many ``link`` when ``tree``
        marks nothing else beyond it, else None."""
        subtree = self.tree.get(link) if self.tree is not None else None
        if subtree is None or len(subtree) != 1 or None not in subtree:
            return None
        return cast("list[Field]", subtree[None])

    def without(self, link: Field) -> dict[Any, Any] | None:
        """``tree`` without the branch of the one2many ``link`` (None when nothing is left)."""
        if link not in self._without:
            rest = {key: value for key, value in (self.tree or {}).items() if key is not link}
            self._without[link] = rest or None
        return self._without[link]


def _reaches_model(tree: dict[Any, Any], model_name: str) -> bool:
    """Whether a trigger tree marks a field of ``model_name`` anywhere."""
    for key, value in tree.items():
        if key is None:
            if any(f.model_name == model_name for f in value):
                return True
        elif _reaches_model(value, model_name):
            return True
    return False


def _insert_template(table: str, fields: list[Field], constant: tuple[Any, ...] | None) -> str:
    """The text of the INSERT of ``fields`` into ``table``, built once per shape: one row
    (``constant`` is None: ``VALUES (%s, ...)``), or several rows where the columns flagged
    in ``constant`` are one parameter each and the others arrays unnested together (their
    parameters come after the constants'; without arrays, the last one is the row count). A
    column flagged ``_LINK_FLAG`` takes the id of the CTE ``_PARENT_ALIAS`` (no parameter)."""
    key = (table, tuple(fields), constant)  # a field's column never changes
    template = _INSERT_TEMPLATES.get(key)
    if template is not None:
        return template

    table_sql = _identifier(table)
    names = _COMMA.join([_identifier(f.column_name) for f in fields])
    statement: SQL
    if constant is None:
        values = _COMMA.join([_SLOT] * len(fields))
        statement = SQL("INSERT INTO %s (%s) VALUES (%s) RETURNING id", table_sql, names, values)
    else:
        selected: list[SQL] = []
        arrays: list[SQL] = []
        aliases: list[SQL] = []
        sources = SQL()
        for f, is_constant in zip(fields, constant):
            if is_constant == _LINK_FLAG:
                selected.append(_identifier(_PARENT_ALIAS, "id"))
                sources = SQL("%s, ", _identifier(_PARENT_ALIAS))
            elif is_constant:
                selected.append(SQL("%s::%s", _SLOT, _udt(f)))
            else:
                alias = f"c{len(arrays)}"
                selected.append(_identifier("u", alias))
                aliases.append(_identifier(alias))
                arrays.append(SQL("%s::%s[]", _SLOT, _udt(f)))
        if arrays:
            statement = SQL(
                "INSERT INTO %s (%s) SELECT %s FROM %sunnest(%s) AS u(%s) RETURNING id",
                table_sql,
                names,
                _COMMA.join(selected),
                sources,
                _COMMA.join(arrays),
                _COMMA.join(aliases),
            )
        else:
            statement = SQL(
                "INSERT INTO %s (%s) SELECT %s FROM %sgenerate_series(1, %s) RETURNING id",
                table_sql,
                names,
                _COMMA.join(selected),
                sources,
                _SLOT,
            )
    template = statement.text
    if len(_INSERT_TEMPLATES) < 10000:
        _INSERT_TEMPLATES[key] = template
    return template


def _fragment(template: str, params: list[Any]) -> SQL:
    """``SQL(template, *params)`` for a template of ``_insert_template``, without parsing it
    again when no parameter goes in binary (``%b``)."""
    if BinaryParam in map(type, params):
        return SQL(template, *params)
    return SQL.raw(template, params)


def _is_constant(column: list[Any]) -> bool:
    """Whether every value of ``column`` is the same plain value (sent once, not as an array)."""
    first = column[0]
    if not isinstance(first, str | int | float | datetime.date | type(None)):
        return False
    # equal values (counted in C), all of one type (1 == 1.0 == True must not mix)
    return column.count(first) == len(column) and len(set(map(type, column))) == 1


def _udt(field: Field) -> sql.SQL:
    """The type name of a stored field's column (``int4``, ``varchar``...): a constant of the
    field's class."""
    return sql.SQL(cast("tuple[str, str]", field.column_type)[0])


def _identifier(*names: str) -> SQL:
    """``SQL.identifier(*names)`` for a template sent with parameters: psycopg reads a ``%``
    as the start of a placeholder, so a percent sign in a name is doubled."""
    fragment = SQL.identifier(*names)
    if "%" not in fragment.text:
        return fragment
    return SQL.raw(fragment.text.replace("%", "%%"))
