"""read_group and _read_group: aggregates grouped by fields, in one SQL query.

``_read_group(domain, groupby, aggregates)`` is Odoo 17's internal form: it returns tuples of
the group values (records for many2ones, the period start for dates) followed by the aggregate
values. ``read_group(domain, fields, groupby, ...)`` is the public dict form, with
``__count``, ``__domain``, ``lazy`` and ``orderby``; grouped lazily by a field declaring
``group_expand``, it also answers the groups that method names and that hold no record (with
a count of 0), in the method's order, as Odoo 17 does for kanban columns. Group-by specs are ``field``,
``date_field:day|week|month|quarter|year`` and ``many2one.field`` (one hop, joined); aggregate
specs ``field:sum|avg|min|max|count|count_distinct|array_agg|bool_and|bool_or`` and
``__count``. The query has the same domain and record rules as ``search``.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from dateutil.relativedelta import relativedelta

from erplite import api
from erplite.orm import arguments
from erplite.orm.model_access import AccessMixin
from erplite.orm.query import Query
from erplite.orm.recordset import Recordset
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.fields import Field

AGGREGATES = {
    "sum": "SUM(%s)",
    "avg": "AVG(%s)",
    "min": "MIN(%s)",
    "max": "MAX(%s)",
    "count": "COUNT(%s)",
    "count_distinct": "COUNT(DISTINCT %s)",
    "array_agg": "ARRAY_AGG(%s)",
    "bool_and": "BOOL_AND(%s)",
    "bool_or": "BOOL_OR(%s)",
}
GRANULARITIES = ("day", "week", "month", "quarter", "year")
#: the field types grouped by periods, whose groups carry a ``__range``
_DATES = ("date", "datetime")
_ORDER_TERM = re.compile(
    r"^\s*(?P<name>[a-z_][a-z0-9_.:]*)(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.IGNORECASE,
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class ReadGroupMixin(AccessMixin):
    __slots__ = ()

    def _groupby_sql(self, spec: str, query: Query) -> tuple[SQL, Field, str | None]:
        """SQL of a group-by spec, the field it reads and its date granularity."""
        path, _, granularity = spec.partition(":")
        fname, _, sub = path.partition(".")
        field = self._fields.get(fname)
        if field is None:
            raise arguments.field_error(self, fname, f"in groupby {spec!r}")
        if not self.env.su and field.groups:
            self._check_field_access([fname], "read")
        alias, field = self._column_of(field, query, query.alias)
        if sub:
            if field.type != "many2one":
                raise arguments.groupby_error(self, spec, f"{fname} is not a many2one")
            comodel = self.env[field.comodel_name]
            alias = query.left_join(alias, field.column_name, comodel._table, "id", fname)
            field = comodel._fields.get(sub)
            if field is None:
                raise arguments.field_error(comodel, sub, f"in groupby {spec!r}")
            alias, field = comodel._column_of(field, query, alias)
        if not field.store or field.column_type is None:
            raise arguments.groupby_error(self, spec, f"{path} is not stored")
        column = SQL.identifier(alias, field.column_name)
        if field.type in ("date", "datetime"):
            granularity = granularity or "month"
            if granularity not in GRANULARITIES:
                raise arguments.groupby_error(
                    self, spec, f"invalid date granularity {granularity!r}"
                )
            return SQL(f"date_trunc('{granularity}', %s::timestamp)", column), field, granularity
        if granularity:
            raise arguments.groupby_error(
                self, spec, f"granularity {granularity!r} only applies to date fields"
            )
        return column, field, None

    def _column_of(self, field: Field, query: Query, alias: str) -> tuple[str, Field]:
        """The table alias and the stored field holding ``field``'s column: a field of an
        ``_inherits`` parent is read from the parent's table, joined (as Odoo)."""
        model: Recordset = self
        while field.inherited and field.inherited_field is not None:
            fk = cast(str, field.related).split(".", 1)[0]
            parent = self.env[field.inherited_field.model_name]
            alias = query.left_join(alias, model._fields[fk].column_name, parent._table, "id", fk)
            model, field = parent, field.inherited_field
        return alias, field

    def _aggregate_sql(self, spec: str, query: Query) -> tuple[SQL, Field | None]:
        if spec == "__count":
            return SQL("COUNT(*)"), None
        fname, _, function = spec.partition(":")
        field = self._fields.get(fname)
        if field is None:
            raise arguments.field_error(self, fname, f"in aggregate {spec!r}")
        if not self.env.su and field.groups:
            self._check_field_access([fname], "read")
        alias, field = self._column_of(field, query, query.alias)
        operator = function or field.group_operator
        if operator is None or operator not in AGGREGATES:
            raise arguments.aggregate_error(self, spec, f"invalid aggregate function {operator!r}")
        if not field.store or field.column_type is None:
            raise arguments.aggregate_error(self, spec, f"{fname} is not stored")
        column = SQL.identifier(alias, field.column_name)
        return SQL(AGGREGATES[operator], column), field

    @api.model
    def _read_group(
        self,
        domain: Any,
        groupby: Sequence[str] = (),
        aggregates: Sequence[str] = (),
        having: Any = (),
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[tuple[Any, ...]]:
        """Group the records of ``domain``: one tuple per group, group values then aggregates."""
        offset = arguments.check_offset(offset)
        limit = arguments.check_limit(limit)
        order = arguments.check_order(order)
        if self.env.transaction.is_dirty():
            self.env.flush_all()  # the groups and aggregates read any field, joined models too
        query = self._search(domain)
        groups = [self._groupby_sql(spec, query) for spec in groupby]
        aggs = [self._aggregate_sql(spec, query) for spec in aggregates]
        if query.is_false:
            return []
        columns = [sql for sql, _f, _g in groups] + [sql for sql, _f in aggs]
        joined = set(query._joins)
        query.order = self._read_group_order(order, groupby, groups, aggregates, aggs, query)
        if groups:
            # many2one groups are ordered by their comodel's _order, through joins whose
            # columns PostgreSQL accepts once their table's id is grouped too (it is
            # determined by the group's value); the join may be the domain's own
            many2one_joins = {
                query.make_alias(query.alias, spec.split(":", 1)[0])
                for spec in groupby
                if getattr(self._fields.get(spec.split(":", 1)[0]), "type", None) == "many2one"
            }
            extra = [
                SQL.identifier(alias, "id")
                for alias in query._joins
                if alias not in joined or alias in many2one_joins
            ]
            query.group_by = SQL(", ").join([*(sql for sql, _f, _g in groups), *extra])
        query.limit = limit
        query.offset = offset or None
        if not columns:
            columns = [SQL("COUNT(*)")]
        positions = (
            self._read_group_positions(order, groupby, aggregates)
            if groups and limit is None and not offset
            else None
        )
        if positions is None:
            statement = query.select(*columns)
        else:
            # group first, then order the groups: PostgreSQL, asked for groups in the order
            # of their keys, sorts every row before aggregating (it cannot tell how few the
            # groups are: a month of a date, a country of a partner); a materialized WITH is
            # aggregated as it likes (hashing, as a rule) and only the groups are sorted.
            # Not with a limit: the sorted aggregation may stop after the groups it needs
            query.order = None
            inner = query.select(*columns)
            names = ", ".join(f"c{index}" for index in range(len(columns)))
            statement = SQL.raw(
                f'WITH "groups"({names}) AS MATERIALIZED ({inner.text})'
                f' SELECT * FROM "groups" ORDER BY {", ".join(positions)}',
                list(inner.params),
            )
        self.env.cr.execute(statement, flush=False)
        return self._read_group_values(self.env.cr.fetchall(), groups, aggs)

    def _read_group_positions(
        self, order: str | None, groupby: Sequence[str], aggregates: Sequence[str]
    ) -> list[str] | None:
        """The terms of ``_read_group``'s order by the positions of its columns (``"1 ASC"``),
        when each term is a group or an aggregate of the result; None when a term orders by
        something else (a many2one group by its comodel's ``_order``, ``__count``)."""
        terms = []
        for part in (order or ", ".join(groupby)).split(","):
            match = _ORDER_TERM.match(part)
            if not match:
                return None
            name = match["name"]
            if name in groupby:
                field = self._fields.get(name.split(":", 1)[0])
                if field is not None and field.type == "many2one":
                    return None
                index = list(groupby).index(name)
            elif name in aggregates:
                index = len(groupby) + list(aggregates).index(name)
            else:
                return None
            nulls = f" NULLS {match['nulls'].upper()}" if match["nulls"] else ""
            terms.append(f"{index + 1} {(match['dir'] or 'asc').upper()}{nulls}")
        return terms

    def _read_group_values(
        self,
        rows: list[tuple[Any, ...]],
        groups: list[tuple[SQL, Field, str | None]],
        aggs: list[tuple[SQL, Field | None]],
    ) -> list[tuple[Any, ...]]:
        """The rows of ``_read_group``'s query as values: a group's value as a record value
        (a many2one as a recordset), an aggregate as a number."""
        result: list[tuple[Any, ...]] = []
        for row in rows:
            values = []
            for (_sql, field, granularity), value in zip(groups, row):
                values.append(self._group_value(field, granularity, value))
            for (_sql, agg_field), value in zip(aggs, row[len(groups) :]):
                if isinstance(value, decimal.Decimal) or (
                    agg_field is not None
                    and agg_field.type in ("float", "monetary")
                    and value is not None
                ):
                    # numeric results (AVG of integers, sums of numeric columns) are floats, as
                    # Odoo's cursor makes them: a Decimal would not go through RPC
                    value = float(value)
                values.append(value)
            result.append(tuple(values))
        return result

    def _group_value(self, field: Field, granularity: str | None, value: Any) -> Any:
        if field.type == "many2one":
            return (
                self.env[field.comodel_name].browse(value)
                if value
                else self.env[field.comodel_name]
            )
        if granularity:
            if value is None:
                return False
            return value.date() if field.type == "date" else value
        if value is None:
            return False
        return field.convert_to_record(field.convert_from_column(value), self)

    def _read_group_order(
        self,
        order: str | None,
        groupby: Sequence[str],
        groups: list[tuple[SQL, Field, str | None]],
        aggregates: Sequence[str],
        aggs: list[tuple[SQL, Field | None]],
        query: Query,
    ) -> SQL | None:
        if not order:
            # by the group-bys themselves (Odoo's default)
            order = ", ".join(groupby)
            if not order:
                return None
        terms = []
        for part in order.split(","):
            # each term is parsed in full: anything but "spec [asc|desc] [nulls first|last]"
            # is refused, never passed on
            match = _ORDER_TERM.match(part)
            if not match:
                raise arguments.order_error(self, order)
            name = match["name"]
            direction = (match["dir"] or "asc").upper()
            if match["nulls"]:
                direction = f"{direction} NULLS {match['nulls'].upper()}"
            if name in groupby:
                sql, field, _granularity = groups[list(groupby).index(name)]
                if field.type == "many2one" and "." not in name and ":" not in name:
                    # by the comodel's _order, as search orders a many2one
                    nulls = f" nulls {match['nulls']}" if match["nulls"] else ""
                    terms.append(
                        self._order_to_sql(
                            f"{name} {match['dir'] or 'asc'}{nulls}", query, query.alias
                        )
                    )
                    continue
            elif name in aggregates:
                sql = aggs[list(aggregates).index(name)][0]
            elif name == "__count":
                sql = SQL("COUNT(*)")
            else:
                raise arguments.order_error(self, order, f"{name} is not grouped nor aggregated")
            terms.append(SQL(f"%s {direction}", sql))
        return SQL(", ").join(terms)

    @api.model
    def read_group(
        self,
        domain: Any,
        fields: list[str],
        groupby: list[str] | str,
        offset: int = 0,
        limit: int | None = None,
        orderby: str | bool = False,
        lazy: bool = True,
    ) -> list[dict[str, Any]]:
        """Odoo 17's ``read_group``: one dict per group with aggregates, ``__count`` (or
        ``<groupby>_count`` when lazy) and the ``__domain`` of the group."""
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
        remaining = groupby[1:]  # what a lazy group unfolds by
        if lazy and groupby:
            groupby = groupby[:1]
        aggregates, names = self._read_group_aggregates(fields, groupby)
        order = self._read_group_orderby(orderby, groupby, aggregates, names) if orderby else None
        rows = self._read_group(
            domain, groupby, [*aggregates, "__count"], offset=offset, limit=limit, order=order
        )
        self._read_group_display_names(groupby, rows)
        date_specs = {spec for spec in groupby if self._read_group_field_type(spec) in _DATES}
        result = []
        base_domain = list(domain or [])
        for row in rows:
            group: dict[str, Any] = {}
            group_domain = list(base_domain)
            for index, spec in enumerate(groupby):
                value = row[index]
                group[spec], condition = self._read_group_format(spec, value)
                group_domain = [*group_domain, *condition] if group_domain else list(condition)
                if spec in date_specs:
                    # Odoo 17: the period of each date group, as server-format strings
                    # (False for the group of records without a date)
                    group.setdefault("__range", {})[spec] = _period_range(condition)
            for index, name in enumerate(names):
                group[name] = row[len(groupby) + index]
            count = row[-1]
            if lazy and groupby:
                group[f"{groupby[0].split(':')[0]}_count"] = count
                group["__context"] = {"group_by": remaining}
            else:
                group["__count"] = count
            group["__domain"] = group_domain
            result.append(group)
        if lazy and groupby:
            result = self._read_group_fill_results(
                base_domain,
                groupby[0],
                names,
                result,
                orderby if isinstance(orderby, str) else None,
                remaining,
            )
        return result

    def _read_group_fill_results(
        self,
        domain: list[Any],
        groupby: str,
        aggregates: list[str],
        groups: list[dict[str, Any]],
        order: str | None = None,
        remaining: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """``groups`` with the empty groups of the field's ``group_expand`` method added, in
        the order the method gives (groups it leaves out follow). A group-by through a
        relation or by a date period is left as it is."""
        name = groupby.split(":")[0]
        field = self._fields.get(name)
        if field is None or ":" in groupby or not field.group_expand:
            return groups
        expand = field.group_expand
        method = getattr(self, expand) if isinstance(expand, str) else expand.__get__(self)

        def key_of(group: dict[str, Any]) -> Any:
            value = group[groupby]
            return value[0] if isinstance(value, tuple) else value

        present = [key_of(group) for group in groups if group[groupby]]
        if field.relational:  # the method orders the comodel's records as the comodel does
            comodel = self.env[field.comodel_name]
            comodel_order = comodel._order
            if order and order.strip().lower() == f"{name} desc":
                comodel_order = _reverse_order(comodel_order)
            wanted: list[Any] = list(method(comodel.browse(present), domain, comodel_order))
        else:
            wanted = list(method(present, domain, order))
        found = {key_of(group): group for group in groups}
        filled = []
        for value in wanted:
            key = value.id if hasattr(value, "_ids") else value
            if key in found:
                filled.append(found.pop(key))
                continue
            shown, condition = self._read_group_format(groupby, value)
            empty: dict[str, Any] = {groupby: shown, f"{name}_count": 0}
            empty.update(dict.fromkeys(aggregates, False))
            empty["__context"] = {"group_by": list(remaining or [])}
            empty["__domain"] = [*domain, *condition]
            filled.append(empty)
        filled.extend(found.values())
        return filled

    def _read_group_aggregates(
        self, fields: list[str], groupby: list[str]
    ) -> tuple[list[str], list[str]]:
        """The aggregates (``name:operator``) of ``read_group``'s ``fields`` and the names
        they are answered under: the grouped fields, ``id`` and the fields without a stored
        column or an aggregate operator are left out."""
        aggregates: list[str] = []
        names: list[str] = []
        grouped_names = {spec.split(":")[0] for spec in groupby}
        for spec in fields or []:
            if spec == "__count":
                continue
            name, _, func = spec.partition(":")
            alias = name
            if "(" in func:  # "alias:sum(field)"
                func, _, rest = func.partition("(")
                name = rest.rstrip(")")
            if name in grouped_names or name == "id" and not func:
                continue
            field = self._fields.get(name)
            if field is None:
                raise arguments.field_error(self, name, "in fields")
            while field.inherited and field.inherited_field is not None:
                field = field.inherited_field  # an _inherits field: its parent's column
            operator = func or field.group_operator
            if not operator or not field.store or field.column_type is None:
                continue
            aggregates.append(f"{name}:{operator}")
            names.append(alias)
        return aggregates, names

    def _read_group_orderby(
        self, orderby: str | bool, groupby: list[str], aggregates: list[str], names: list[str]
    ) -> str:
        """``read_group``'s ``orderby`` in ``_read_group``'s terms: an aggregate by its spec,
        a group by its group-by spec; anything else is refused."""
        order_terms = []
        for part in str(orderby).split(","):
            words = part.split()
            if not words:
                continue
            name = words[0]
            rest = " ".join(words[1:])
            if name in names:
                name = aggregates[names.index(name)]
            elif name not in groupby and name != "__count":
                matches = [g for g in groupby if g.split(":")[0] == name]
                if not matches:
                    raise arguments.order_error(
                        self, orderby, f"{name} is not grouped nor aggregated"
                    )
                name = matches[0]
            order_terms.append(f"{name} {rest}".strip())
        return ", ".join(order_terms)

    def _read_group_display_names(self, groupby: list[str], rows: list[tuple[Any, ...]]) -> None:
        for index in range(len(groupby)):
            records = [row[index] for row in rows if hasattr(row[index], "_ids") and row[index]]
            if records:
                batch = records[0].browse([r.id for r in records]).sudo()
                batch._ensure_cached(batch._fields["display_name"])

    def _read_group_field_type(self, spec: str) -> str | None:
        """The type of the field a group-by spec reads (``date`` for ``day:month``)."""
        model = self
        field = None
        for name in spec.partition(":")[0].split("."):
            field = model._fields.get(name)
            if field is None:
                return None
            if field.relational:
                model = self.env[field.comodel_name]
        return field.type if field is not None else None

    def _read_group_format(self, spec: str, value: Any) -> tuple[Any, list[Any]]:
        path, _, granularity = spec.partition(":")
        if hasattr(value, "_ids"):
            if not value:
                return False, [(path, "=", False)]
            return (value.id, value.sudo().display_name), [(path, "=", value.id)]
        if isinstance(value, datetime.date):
            granularity = granularity or "month"
            start = value
            step = {
                "day": relativedelta(days=1),
                "week": relativedelta(weeks=1),
                "month": relativedelta(months=1),
                "quarter": relativedelta(months=3),
                "year": relativedelta(years=1),
            }[granularity]
            end = start + step
            fmt = "%Y-%m-%d" if not isinstance(start, datetime.datetime) else "%Y-%m-%d %H:%M:%S"
            return _period_label(start, granularity), [
                "&",
                (path, ">=", start.strftime(fmt)),
                (path, "<", end.strftime(fmt)),
            ]
        if value is False:
            return False, [(path, "=", False)]
        return value, [(path, "=", value)]


def _reverse_order(order: str) -> str:
    """``order`` with each term's direction flipped (``"sequence, id desc"`` → ``"sequence
    desc, id"``)."""
    terms = []
    for term in order.split(","):
        name, _, direction = term.strip().partition(" ")
        terms.append(name if direction.strip().lower() == "desc" else f"{name} desc")
    return ", ".join(terms)


def _period_range(condition: list[Any]) -> dict[str, str] | bool:
    """``{"from": start, "to": end}`` of a date group's condition (``[&, >= start, < end]``),
    False for the group of empty dates (``[= False]``)."""
    if len(condition) != 3:
        return False
    return {"from": condition[1][2], "to": condition[2][2]}


def _period_label(start: datetime.date, granularity: str) -> str:
    if granularity == "day":
        return start.strftime("%d %b %Y")
    if granularity == "week":
        return f"W{start.isocalendar()[1]} {start.isocalendar()[0]}"
    if granularity == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)
