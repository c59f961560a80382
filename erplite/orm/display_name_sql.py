"""Display names computed by PostgreSQL, so that a search can bring the names of the records
its many2ones link to in the same statement.

A model whose ``_compute_display_name`` is more than its plain ``_rec_name`` column declares
the same computation as an SQL expression with the classmethod ``_display_name_sql(column)``;
``column("field")`` is the SQL of a stored column of the model, of its ``_inherits`` parent
(an inherited field) or, through a many2one, of the record it links to
(``column("parent_id.name")``). Worked example (``res.partner``)::

    @classmethod
    def _display_name_sql(cls, column):
        # partner.complete_name or partner.name or ""
        return SQL(
            "COALESCE(NULLIF(%s, ''), NULLIF(%s, ''), '')", column("complete_name"), column("name")
        )

The declaration is used only while it is the one of the class that computes the display name
(a module overriding ``_compute_display_name`` without declaring it again switches it off:
see :func:`declared_expression`), and only when the columns it reads have no pending change
in the transaction (:func:`usable`); otherwise the names are computed in Python, as before.
Tests compare each declaration with its Python computation (``tests/orm/test_display_name_sql``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from erplite.orm.query import make_alias
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.fields import Field

#: what a declaration receives: the SQL of a column, by field path
ColumnOf = Callable[[str], SQL]


class DisplayNameExpression:
    """The display name of ``model``'s record at ``alias``: ``expression`` over the table at
    ``alias`` and the ``joins`` it needs (``LEFT JOIN`` clauses); ``fields``: the stored
    fields it reads (a pending change of one of them makes it unusable)."""

    __slots__ = (
        "model_name",
        "table",
        "alias",
        "expression",
        "joins",
        "fields",
        "_model",
        "_aliases",
    )

    def __init__(self, model: Any, alias: str):
        self.model_name: str = model._name
        self.table: str = model._table
        self.alias = alias
        self.joins: list[SQL] = []
        self.fields: list[Field] = []
        self.expression = SQL()
        self._model = model
        self._aliases: set[str] = set()

    def column(self, path: str) -> SQL:
        """The SQL of the stored field at ``path`` (``name``, ``partner_id.name``)."""
        model, alias = self._model, self.alias
        names = path.split(".")
        for index, name in enumerate(names):
            field = model._fields.get(name)
            if field is None:
                raise ValueError(
                    f"{self._model._name}._display_name_sql: {path!r}: {model._name} has no "
                    f"field {name!r}"
                )
            if field.inherited:  # through the _inherits link to the parent's own column
                link, _, _rest = field.related.partition(".")
                alias, model = self._join(model, alias, model._fields[link])
                field = field.inherited_field
            last = index == len(names) - 1
            if not field.store or field.column_type is None or getattr(field, "translate", False):
                raise ValueError(
                    f"{self._model._name}._display_name_sql: {path!r}: {model._name}.{name} "
                    "is not a stored, untranslated column"
                )
            if last:
                self.fields.append(field)
                return SQL.identifier(alias, field.column_name)
            if field.type != "many2one":
                raise ValueError(
                    f"{self._model._name}._display_name_sql: {path!r}: {model._name}.{name} "
                    "is not a many2one"
                )
            self.fields.append(field)
            alias, model = self._join(model, alias, field)
        raise ValueError(f"{self._model._name}._display_name_sql: empty path {path!r}")

    def _join(self, model: Any, alias: str, field: Field) -> tuple[str, Any]:
        """LEFT JOIN the comodel of many2one ``field`` of ``model`` at ``alias`` (once)."""
        comodel = model.env[field.comodel_name]
        target = make_alias(alias, field.name)
        if target not in self._aliases:
            self._aliases.add(target)
            self.fields.append(field)
            self.joins.append(
                SQL(
                    "LEFT JOIN %s AS %s ON %s = %s",
                    SQL.identifier(comodel._table),
                    SQL.identifier(target),
                    SQL.identifier(alias, field.column_name),
                    SQL.identifier(target, "id"),
                )
            )
        return target, comodel

    def subquery(self, foreign_key: SQL) -> SQL:
        """A scalar subquery: the display name of the record whose id is ``foreign_key``."""
        return SQL(
            "(SELECT %s FROM %s AS %s %s WHERE %s = %s)",
            self.expression,
            SQL.identifier(self.table),
            SQL.identifier(self.alias),
            SQL(" ").join(self.joins),
            SQL.identifier(self.alias, "id"),
            foreign_key,
        )


def declared_expression(model: Any, alias: str) -> DisplayNameExpression | None:
    """The display name of ``model`` (a recordset) as SQL at ``alias``, or None when it has
    none: no declaration, a declaration hidden by a later override of
    ``_compute_display_name``, or a display name that depends on the context."""
    cls = type(model)
    display = model._fields.get("display_name")
    if display is None or display.store or display.depends_context:
        return None
    if display.compute != "_compute_display_name":
        return None
    if not _declared_for_compute(cls):
        return None
    result = DisplayNameExpression(model, alias)
    expression = cls._display_name_sql(result.column)
    if expression is None:
        return None
    result.expression = expression
    result._model = None  # kept by the registry: no environment (nor cursor) in it
    return result


def _declared_for_compute(cls: type) -> bool:
    """Whether the class that declares ``_display_name_sql`` is the one that computes the
    display name, or a later one (in the method resolution order)."""
    mro = cls.__mro__
    compute = next((i for i, k in enumerate(mro) if "_compute_display_name" in vars(k)), None)
    declared = next((i for i, k in enumerate(mro) if "_display_name_sql" in vars(k)), None)
    return compute is not None and declared is not None and declared <= compute


def usable(expression: DisplayNameExpression, env: Any) -> bool:
    """Whether the database holds the values ``expression`` reads: no pending write or
    recomputation of its fields in ``env``'s transaction."""
    transaction = env.transaction
    towrite = transaction.towrite
    tocompute = transaction.tocompute
    for field in expression.fields:
        if towrite.get(field.model_name) or tocompute.get(field):
            return False
    return True


def to_display_name(value: Any) -> Any:
    """A fetched display name as the cache keeps it (NULL is ``False``)."""
    return False if value is None else value
