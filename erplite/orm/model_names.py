"""Record names (a mixin of ``BaseModel``): ``display_name`` computed from ``_rec_name``, the
domain a search on it becomes (``_rec_names_search``), ``name_get``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from erplite import api
from erplite.orm.recordset import Recordset
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.display_name_sql import ColumnOf


class NamesMixin(Recordset):
    """``display_name``'s compute and search methods, and ``name_get``."""

    __slots__ = ()

    @api.depends(lambda self: (self._rec_name,) if self._rec_name else ())
    def _compute_display_name(self) -> None:
        rec_name = self._rec_name
        for record in self:
            if rec_name:
                value = record[rec_name]
                field = self._fields[rec_name]
                if field.relational:
                    value = value.display_name
                record.display_name = value or False
            else:
                record.display_name = f"{self._name},{record.id}"

    @classmethod
    def _has_default_display_name(cls) -> bool:
        """Whether the display name is computed by :meth:`_compute_display_name` above (the
        value of ``_rec_name``), not by an override: searches may then read it from a join."""
        return cls._compute_display_name is NamesMixin._compute_display_name

    @classmethod
    def _display_name_sql(cls, column: ColumnOf) -> SQL | None:
        """:meth:`_compute_display_name` as an SQL expression over ``column(path)`` (see
        ``erplite.orm.display_name_sql``), or None when SQL cannot compute it. A model that
        overrides ``_compute_display_name`` declares it again, or its names are computed in
        Python. Here: the plain text of ``_rec_name``, its own column or its ``_inherits``
        parent's, ``''`` being ``False`` as above."""
        rec_name = cls._rec_name
        field = cls._fields.get(rec_name) if rec_name else None
        if field is not None and field.inherited:
            field = field.inherited_field
        if (
            rec_name is None
            or field is None
            or field.type not in ("char", "text")
            or not field.store
            or field.column_type is None
            or getattr(field, "translate", False)
        ):
            return None
        return SQL("NULLIF(%s, '')", column(rec_name))

    def _search_display_name(self, operator: str, value: Any) -> list[Any]:
        """The domain of a search on ``display_name``, as Odoo 17: over the fields of
        ``_rec_names_search`` (any of them for a positive operator, all for a negative one),
        else over the record name; ``like ''`` matches everything."""
        names = list(self._rec_names_search or [self._rec_name_search_field()])
        negative = operator in ("!=", "not like", "not ilike", "not in")
        if operator.endswith("like") and not value and "=" not in operator:
            return [(0, "=", 1)] if negative else [(1, "=", 1)]
        domains: list[list[Any]] = [[(name, operator, value)] for name in names]
        combined = domains[0]
        for domain in domains[1:]:
            combined = ["&" if negative else "|", *combined, *domain]
        return combined

    @classmethod
    def _rec_name_search_field(cls) -> str:
        return cls._rec_name or "id"

    def name_get(self) -> list[tuple[int, str]]:
        return [(record.id, record.display_name) for record in self]
