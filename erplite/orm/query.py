"""The query builder: one SELECT over a model's table, its joins, conditions and order.

``Query`` knows nothing of domains or fields; the domain compiler and the models add SQL
fragments (``erplite.sql.SQL``) to it. Aliases are derived from relation paths
(``sale_order__partner_id``), shortened with a hash past PostgreSQL's 63-byte limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from erplite.sql import SQL
from erplite.sql import quote_identifier as _quote

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

    @classmethod
    def planned(
        cls,
        env: Any,
        table: str,
        where: SQL,
        joins: Mapping[str, tuple[str, str, SQL]],
        order: SQL | None,
        limit: int | None,
        offset: int | None,
    ) -> Query:
        """A query of parts compiled before (a search plan's, see ``erplite.orm.search_plans``):
        the condition ``where`` on ``table`` and its ``joins`` (aliases as :attr:`joins`
        gave them), ordered by ``order``."""
        query = cls(env, table)
        query._where.append(where)
        query._joins = dict(joins)
        query.order = order
        query.limit = limit
        query.offset = offset
        return query

    # -- reading -------------------------------------------------------------------------------
    @property
    def conditions(self) -> tuple[SQL, ...]:
        """The conditions of the WHERE clause, in order (ANDed)."""
        return tuple(self._where)

    @property
    def joins(self) -> dict[str, tuple[str, str, SQL]]:
        """The joins, by alias: ``(kind, table, condition)`` (a copy)."""
        return dict(self._joins)

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
    # (text and parameters are assembled directly: a statement is rendered for every search)
    def _from_parts(self, params: list[Any]) -> str:
        text = f"{_quote(self.table)} AS {_quote(self.alias)}"
        for alias, (kind, table, condition) in self._joins.items():
            text += f" {kind} {_quote(table)} AS {_quote(alias)} ON {condition.text}"
            params.extend(condition.params)
        return text

    def _where_parts(self, params: list[Any]) -> str:
        if self.is_false:
            return "FALSE"
        if not self._where:
            return "TRUE"
        for condition in self._where:
            params.extend(condition.params)
        if len(self._where) == 1:
            return self._where[0].text
        return " AND ".join([condition.text for condition in self._where])

    @property
    def from_clause(self) -> SQL:
        params: list[Any] = []
        return SQL.raw(self._from_parts(params), params)

    @property
    def where_clause(self) -> SQL:
        params: list[Any] = []
        return SQL.raw(self._where_parts(params), params)

    def select(self, *columns: SQL) -> SQL:
        """The whole SELECT statement; columns default to the id."""
        params: list[Any] = []
        if columns:
            for column in columns:
                params.extend(column.params)
            selected = ", ".join([column.text for column in columns])
        else:
            selected = f"{_quote(self.alias)}.{_quote('id')}"
        text = (
            f"SELECT {selected} FROM {self._from_parts(params)} WHERE {self._where_parts(params)}"
        )
        for keyword, clause in (("GROUP BY", self.group_by), ("HAVING", self.having)):
            if clause is not None:
                text += f" {keyword} {clause.text}"
                params.extend(clause.params)
        if self.order is not None:
            text += f" ORDER BY {self.order.text}"
            params.extend(self.order.params)
        limit = self.limit
        if type(limit) is int and limit >= 0:
            # the number in the text, not a parameter: PostgreSQL plans a prepared statement
            # with LIMIT $1 anew at every execution (its generic plan cannot know the limit,
            # so it keeps choosing custom plans); with the number, the plan is kept
            text += " LIMIT " + str(limit)
        elif limit is not None:
            text += " LIMIT %s"
            params.append(limit)
        if self.offset:
            text += " OFFSET %s"
            params.append(self.offset)
        return SQL.raw(text, params)

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
        """The statement counting the rows of the query; a limited query is counted in a
        subquery without its ORDER BY (which rows a limit keeps does not change how many)."""
        if self.limit is None and not self.offset:
            return SQL("SELECT COUNT(*) FROM %s WHERE %s", self.from_clause, self.where_clause)
        saved, self.order = self.order, None
        try:
            return SQL("SELECT COUNT(*) FROM (%s) AS t", self.select(SQL("1")))
        finally:
            self.order = saved

    def __repr__(self) -> str:
        return f"<Query {self.table} {self.alias}>"
