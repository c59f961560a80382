"""Sending the pending writes, and forgetting cached values (a mixin of ``BaseModel``).

``write`` only fills the cache and the transaction's pending writes (``towrite``); the flush
recomputes what is pending for the fields it sends, then sends one UPDATE per set of columns
whatever the number of records. A flush happens before any query that could read what is
pending (``Cursor.execute`` asks the transaction), at commit, and when asked
(``flush_model``, ``env.flush_all()``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from erplite.orm.arrays import array_param
from erplite.orm.fields import Field
from erplite.orm.model_access import AccessMixin
from erplite.sql import SQL

if TYPE_CHECKING:
    from typing import TypeAlias

    from erplite.orm.recordset import IdType

    #: a record's pending write: its id and the cache values of its columns
    _Pending: TypeAlias = "tuple[IdType, dict[str, Any]]"

#: ``Field.convert_to_column``, the identity: such columns are sent as cached
_PLAIN_TO_COLUMN = Field.convert_to_column


class FlushMixin(AccessMixin):
    """The flush and cache invalidation of ``BaseModel``."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------------
    # flushing and invalidation
    # ------------------------------------------------------------------------------------------
    def flush_model(self, fnames: Iterable[str] | None = None) -> None:
        """Recompute and write the pending values of this model."""
        env = self.env
        transaction = env.transaction
        wanted = None if fnames is None else set(fnames)
        for field in list(transaction.tocompute):
            if field.model_name == self._name and (wanted is None or field.name in wanted):
                self._recompute_field(field)
        towrite = transaction.towrite.get(self._name)
        if towrite and (
            wanted is None or any(not wanted.isdisjoint(vals) for vals in towrite.values())
        ):
            self._flush_towrite()

    def flush_recordset(self, fnames: Iterable[str] | None = None) -> None:
        self.flush_model(fnames)

    def invalidate_model(self, fnames: Iterable[str] | None = None, flush: bool = True) -> None:
        """Forget the cached values of this model (after flushing them, by default)."""
        if flush:
            self.flush_model(fnames)
        names = self._fields if fnames is None else fnames
        self.env.transaction.cache.invalidate([(self._fields[n], None) for n in names])
        self._read_changed(None, None if fnames is None else names)

    def invalidate_recordset(self, fnames: Iterable[str] | None = None, flush: bool = True) -> None:
        if flush:
            self.flush_recordset(fnames)
        names = self._fields if fnames is None else fnames
        self.env.transaction.cache.invalidate([(self._fields[n], self._ids) for n in names])
        self._read_changed(self._ids, None if fnames is None else names)

    def _flush_towrite(self) -> None:
        """Send the pending writes of this model: one UPDATE per set of columns, whatever
        the number of records and of distinct values, all in one statement."""
        statement = _one_statement(self._flush_statements())
        if statement is not None:
            self._execute_write(statement)

    def _flush_models_towrite(self, model_names: Iterable[str]) -> None:
        """Send the pending writes of the models ``model_names`` of ``self.env`` (the flush of
        ``env.flush_all``; ``self`` is any model): those of the models that keep the ORM's
        own ``_flush_towrite`` go in one statement (each UPDATE a data-modifying CTE of it:
        one round trip however many models and sets of columns), then each other model's
        through its own ``_flush_towrite``.

        One statement gives the result of its UPDATEs sent one after the other: they change
        different rows (a record is pending once; two models of one table are not combined),
        none reads what another writes, and foreign keys are checked at its end as they are
        at the end of each."""
        env = self.env
        towrite = env.transaction.towrite
        statements: list[SQL] = []
        tables: set[str] = set()
        own: list[str] = []
        for name in model_names:
            if not towrite.get(name):
                continue
            model = env[name]
            if (
                type(model)._flush_towrite is FlushMixin._flush_towrite
                and model._table not in tables
            ):
                tables.add(model._table)
                statements.extend(model._flush_statements())
            else:
                own.append(name)
        statement = _one_statement(statements)
        if statement is not None:
            self._execute_write(statement)
        for name in own:
            if towrite.get(name):
                env[name]._flush_towrite()

    def _flush_statements(self) -> list[SQL]:
        """Take the pending writes of this model out of the transaction and return their
        UPDATEs, one per set of columns (``_flush_towrite`` sends them)."""
        transaction = self.env.transaction
        towrite = transaction.towrite.pop(self._name, None)
        if not towrite:
            return []
        statements = []
        table = SQL.identifier(self._table)
        for names, items in _by_columns(towrite).items():
            fields = [self._fields[name] for name in names]
            first = items[0][1]
            ids = [record_id for record_id, _vals in items]
            self._read_changed(ids, names)
            if all(vals == first for _id, vals in items):
                assignments = SQL(", ").join(
                    SQL(
                        "%s = %s", SQL.identifier(f.column_name), f.convert_to_column(first[f.name])
                    )
                    for f in fields
                )
                statement = SQL(
                    "UPDATE %s SET %s WHERE id = ANY(%s)",
                    table,
                    assignments,
                    array_param(ids, "int4"),
                )
            else:
                statement = self._update_by_arrays(table, fields, items, ids)
            statements.append(statement)
        return statements

    def _update_by_arrays(
        self, table: SQL, fields: list[Field], items: list[_Pending], ids: list[IdType]
    ) -> SQL:
        """The UPDATE of ``items`` holding different values: the columns with one value for
        all records are one parameter, the others arrays (in binary) unnested along the ids."""
        arrays = [array_param(ids, "int4")]
        value_names: list[SQL] = []
        assignments: list[SQL] = []
        for field in fields:
            name = field.name
            if type(field).convert_to_column is _PLAIN_TO_COLUMN:
                column = [vals[name] for _id, vals in items]
            else:
                column = [field.convert_to_column(vals[name]) for _id, vals in items]
            target = SQL.identifier(field.column_name)
            udt = cast("tuple[str, str]", field.column_type)[0]  # a stored column
            first_value = column[0]
            if (
                isinstance(first_value, str | int | float | datetime.date | type(None))
                and column.count(first_value) == len(column)  # counted in C
                and len(set(map(type, column))) == 1
            ):
                assignments.append(SQL(f"%s = %s::{udt}", target, first_value))
                continue
            alias = f"v_{field.column_name}"
            arrays.append(array_param(column, udt))
            value_names.append(SQL.identifier(alias))
            assignments.append(SQL("%s = %s", target, SQL.identifier("v", alias)))
        return SQL(
            "UPDATE %s SET %s FROM unnest(%s) AS v(v_id, %s) WHERE %s = v.v_id",
            table,
            SQL(", ").join(assignments),
            SQL(", ").join(arrays),
            SQL(", ").join(value_names),
            SQL.identifier(self._table, "id"),
        )

    def _execute_write(self, statement: SQL) -> None:
        """Execute an INSERT/UPDATE/DELETE, turning integrity errors into ``ValidationError``."""
        import psycopg

        try:
            self.env.cr.execute(statement, flush=False)
        except psycopg.errors.IntegrityError as error:
            raise self.env.registry.integrity_error_to_validation(error) from error


def _one_statement(statements: list[SQL]) -> SQL | None:
    """``statements`` (INSERT/UPDATE/DELETE without RETURNING) as one: the last one after the
    others as data-modifying CTEs (PostgreSQL runs each of them exactly once)."""
    if len(statements) <= 1:
        return statements[0] if statements else None
    ctes = SQL(", ").join(
        SQL("%s AS (%s)", SQL.identifier(f"_flush_{index}"), statement)
        for index, statement in enumerate(statements[:-1])
    )
    return SQL("WITH %s %s", ctes, statements[-1])


def _by_columns(towrite: dict[IdType, dict[str, Any]]) -> dict[tuple[str, ...], list[_Pending]]:
    """The pending writes grouped by the set of columns they write (sorted names)."""
    by_columns: dict[tuple[str, ...], list[_Pending]] = {}
    canonical: dict[tuple[str, ...], tuple[str, ...]] = {}  # names in writing order -> sorted
    for record_id, vals in towrite.items():
        key = tuple(vals)
        names = canonical.get(key)
        if names is None:
            names = canonical[key] = tuple(sorted(key))
        items = by_columns.get(names)
        if items is None:
            by_columns[names] = [(record_id, vals)]
        else:
            items.append((record_id, vals))
    return by_columns
