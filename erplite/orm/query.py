"""The query builder: one SELECT over a model's table, its joins, conditions and order.

``Query`` knows nothing of domains or fields; the domain compiler and the models add SQL
fragments (``erplite.sql.SQL``) to it. Aliases are derived from relation paths
(``sale_order__partner_id``), shortened with a hash past PostgreSQL's 63-byte limit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from erplite.sql import SQL

_MAX_ALIAS = 63


def make_alias(alias: str, link: str) -> str:
    """The alias of the table reached from ``alias`` through ``link``."""
    name = f"{alias}__{link}"
    if len(name) > _MAX_ALIAS:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: _MAX_ALIAS - 9]}_{digest}"
    return name


class Query:
    """A SELECT on ``table`` AS ``alias``, built up by the ORM."""

    def __init__(self, env: Any, table: str, alias: str | None = None):
        self.env = env
        self.table = table
        self.alias = alias or table
        self._joins: dict[str, tuple[str, str, SQL]] = {}  # alias -> (kind, table, condition)
        self._where: list[SQL] = []
        self.order: SQL | None = None
        self.limit: int | None = None
        self.offset: int | None = None
        self.group_by: SQL | None = None
        self.having: SQL | None = None
        self.is_false = False

    # -- building ------------------------------------------------------------------------------
    def make_alias(self, alias: str, link: str) -> str:
        return make_alias(alias, link)

    def add_where(self, condition: SQL) -> None:
        self._where.append(condition)

    def _add_join(
        self, kind: str, lhs_alias: str, lhs_column: str, table: str, rhs_column: str, link: str
    ) -> str:
        alias = make_alias(lhs_alias, link)
        if alias not in self._joins:
            condition = SQL(
                "%s = %s", SQL.identifier(lhs_alias, lhs_column), SQL.identifier(alias, rhs_column)
            )
            self._joins[alias] = (kind, table, condition)
        return alias

    def join(self, lhs_alias: str, lhs_column: str, table: str, rhs_column: str, link: str) -> str:
        """INNER JOIN ``table`` on ``lhs_alias.lhs_column = alias.rhs_column``; its alias."""
        return self._add_join("JOIN", lhs_alias, lhs_column, table, rhs_column, link)

    def left_join(
        self, lhs_alias: str, lhs_column: str, table: str, rhs_column: str, link: str
    ) -> str:
        return self._add_join("LEFT JOIN", lhs_alias, lhs_column, table, rhs_column, link)

    # -- rendering -----------------------------------------------------------------------------
    @property
    def from_clause(self) -> SQL:
        parts = [SQL("%s AS %s", SQL.identifier(self.table), SQL.identifier(self.alias))]
        for alias, (kind, table, condition) in self._joins.items():
            parts.append(
                SQL(
                    f"{kind} %s AS %s ON %s",
                    SQL.identifier(table),
                    SQL.identifier(alias),
                    condition,
                )
            )
        return SQL(" ").join(parts)

    @property
    def where_clause(self) -> SQL:
        if self.is_false:
            return SQL("FALSE")
        if not self._where:
            return SQL("TRUE")
        return SQL(" AND ").join(self._where)

    def select(self, *columns: SQL) -> SQL:
        """The whole SELECT statement; columns default to the id."""
        if not columns:
            columns = (SQL.identifier(self.alias, "id"),)
        parts = [
            SQL(
                "SELECT %s FROM %s WHERE %s",
                SQL(", ").join(columns),
                self.from_clause,
                self.where_clause,
            )
        ]
        if self.group_by is not None:
            parts.append(SQL("GROUP BY %s", self.group_by))
        if self.having is not None:
            parts.append(SQL("HAVING %s", self.having))
        if self.order is not None:
            parts.append(SQL("ORDER BY %s", self.order))
        if self.limit is not None:
            parts.append(SQL("LIMIT %s", self.limit))
        if self.offset:
            parts.append(SQL("OFFSET %s", self.offset))
        return SQL(" ").join(parts)

    def subselect(self, column: str = "id") -> SQL:
        """A SELECT of one column for use in ``IN (...)``; ordering is dropped unless limited."""
        if self.limit is None and not self.offset:
            saved, self.order = self.order, None
            try:
                return self.select(SQL.identifier(self.alias, column))
            finally:
                self.order = saved
        return self.select(SQL.identifier(self.alias, column))

    def count(self) -> SQL:
        if self.limit is None and not self.offset:
            return SQL("SELECT COUNT(*) FROM %s WHERE %s", self.from_clause, self.where_clause)
        return SQL("SELECT COUNT(*) FROM (%s) AS t", self.subselect())

    def __repr__(self) -> str:
        return f"<Query {self.table} {self.alias}>"
