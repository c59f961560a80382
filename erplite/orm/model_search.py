"""search, search_count, search_fetch, search_read, name_search, and ordering.

Every search builds a ``Query`` from the domain (``erplite.orm.domains``), adds the record
rules of the user for reading (compiled into the same SQL, never a list of ids), and the
``ORDER BY`` parsed from the order string: an order string is parsed against the model's fields
and never spliced into SQL.
"""

from __future__ import annotations

import re
from typing import Any

from erplite import api
from erplite.exceptions import InvalidValue
from erplite.orm import arguments, display_name_sql, search_plans
from erplite.orm.display_name_sql import DisplayNameExpression
from erplite.orm.domains import Domain, DomainCondition
from erplite.orm.fields import Field
from erplite.orm.hierarchy import hierarchy_ids
from erplite.orm.model_access import AccessMixin
from erplite.orm.query import Query, make_alias
from erplite.sql import SQL

_UNKNOWN = object()

#: ``Field.convert_from_column``, the identity: columns of fields that keep it are cached as
#: fetched, without a call per value
_PLAIN_FROM_COLUMN = Field.convert_from_column

#: the date granularities an order term may name (``date:month``)
_GRANULARITIES = ("day", "week", "month", "quarter", "year")

_ORDER_TERM = re.compile(
    r"^\s*(?P<path>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(?::(?P<gran>[a-z]+))?"
    r"(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.IGNORECASE,
)


class SearchMixin(AccessMixin):
    __slots__ = ()

    # ------------------------------------------------------------------------------------------
    # query building
    # ------------------------------------------------------------------------------------------
    def _search(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> Query:
        """The query of the records matching ``domain`` that the user may read.

        :raises InvalidArgument: (a ``ValueError``) a malformed domain, offset, limit or order,
            a value of the domain that does not fit its field (see ``erplite.orm.arguments``).
        """
        if type(offset) is not int or offset < 0:
            offset = arguments.check_offset(offset)
        if limit is not None and (type(limit) is not int or limit < 0):
            limit = arguments.check_limit(limit)
        if order is not None and type(order) is not str:
            order = arguments.check_order(order)
        self._check_access("read")
        try:
            if not self.env.transaction.is_dirty():
                query = search_plans.plans(self.env).query(self, domain, offset, limit, order)
                if query is not None:
                    return query
            return self._search_compiled(domain, offset, limit, order)
        except InvalidValue as exc:  # a value of a domain term: the domain is the argument
            raise arguments.domain_value_error(exc) from None

    def _search_compiled(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> Query:
        """``_search`` from scratch: parse, optimise and compile ``domain``, add the rules."""
        env = self.env
        query = Query(env, self._table)
        tree = Domain(domain)
        active = self._active_name
        if (
            active
            and env.context.get("active_test", True)
            and active not in _top_level_fields(tree)
        ):
            tree = tree & DomainCondition(active, "=", True)
        tree = tree.optimize(self)
        if env.transaction.is_dirty():
            self._flush_search(tree, order)
        if tree.is_false():
            query.is_false = True
        elif not tree.is_true():
            if not env.su:
                self._check_field_access(_domain_field_names(tree), "read")
            query.add_where(tree.to_sql(self, query.alias, query))
        self._apply_rules(query, "read")
        if order is not None or limit is not None or offset:
            query.order = self._order_to_sql(order or self._order, query, query.alias)
        query.limit = limit
        query.offset = offset or None
        return query

    def _flush_search(self, tree: Domain, order: str | None) -> None:
        """Flush what a search on ``tree`` ordered by ``order`` reads: the fields of this
        model it names (sub-searches through relations flush their own model), or everything
        when record rules apply, as they may read any field."""
        env = self.env
        if not env.su:
            env.flush_all()
            return
        names = set(tree.field_names())
        for part in (order or "").split(","):
            fname = part.strip().split(" ", 1)[0].split(":", 1)[0]
            fname, _, sub = fname.partition(".")
            field = self._fields.get(fname)
            if field is None:
                continue
            names.add(fname)
            if field.type == "many2one":
                env[field.comodel_name].flush_model()
        self.flush_model(names)

    @api.model
    def search(
        self,
        domain: Any,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        count: bool = False,
    ) -> Any:
        """The records matching ``domain``, ordered by ``order`` (default ``_order``)."""
        if count:
            return self.search_count(domain, limit=limit)
        query = self._search(domain, offset, limit, order or self._order)
        if query.is_false:
            return self.browse()
        self.env.cr.execute(query.select(), flush=False)
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def search_count(self, domain: Any, limit: int | None = None) -> int:
        query = self._search(domain, limit=limit)
        if query.is_false:
            return 0
        self.env.cr.execute(query.count(), flush=False)
        count: int = self.env.cr.fetchone()[0]
        return count

    @api.model
    def search_fetch(
        self,
        domain: Any,
        field_names: list[str],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> Any:
        """``search`` that loads ``field_names`` into the cache in the same query."""
        return self._search_fetch(domain, field_names, offset, limit, order)

    def _search_fetch(
        self,
        domain: Any,
        field_names: list[str],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        display_names: tuple[Any, ...] = (),
    ) -> Any:
        """``search_fetch``; the many2one fields of ``display_names`` also bring the record
        name their display name is made of (see ``_joinable_display_name``), so that reading
        them with display names costs no query: through a scalar subquery of the kept rows
        when the search is limited and does not join the comodel already, else a LEFT JOIN."""
        fields = [self._field_or_error(name) for name in field_names]
        columns = [f for f in fields if f.store and f.column_type is not None and f.name != "id"]
        if not self.env.su and columns:
            self._check_field_access([f.name for f in columns], "read")
        query = self._search(domain, offset, limit, order or self._order)
        if query.is_false:
            return self.browse()
        env = self.env
        selected = [
            SQL.identifier(query.alias, "id"),
            *[SQL.identifier(query.alias, f.column_name) for f in columns],
        ]
        joined = []
        declared = []
        for field, name_field in display_names:
            if isinstance(name_field, DisplayNameExpression):
                declared.append((field, name_field))
                continue
            comodel = env[field.comodel_name]
            alias = query.make_alias(query.alias, field.name)
            if query.limit is not None and alias not in query.joins:
                # a scalar subquery, which PostgreSQL evaluates for the rows kept after the
                # sort and the limit only, where a join would match every row before them
                selected.append(
                    SQL(
                        "(SELECT %s FROM %s AS %s WHERE %s = %s)",
                        SQL.identifier(alias, name_field.column_name),
                        SQL.identifier(comodel._table),
                        SQL.identifier(alias),
                        SQL.identifier(alias, "id"),
                        SQL.identifier(query.alias, field.column_name),
                    )
                )
            else:  # the join is there already (a condition or the order uses it), or no limit
                alias = query.left_join(
                    query.alias, field.column_name, comodel._table, "id", field.name
                )
                selected.append(SQL.identifier(alias, name_field.column_name))
            joined.append((columns.index(field) + 1, name_field))
        # the declared SQL display names (scalar subqueries with their own joins) after the
        # plain names, when the columns they read hold no pending change (the search flushed)
        expressions = []
        for field, expression in declared:
            if display_name_sql.usable(expression, env):
                selected.append(expression.subquery(SQL.identifier(query.alias, field.column_name)))
                expressions.append((columns.index(field) + 1, expression))
        env.cr.execute(query.select(*selected), flush=False)
        rows = env.cr.fetchall()
        ids = [row[0] for row in rows]
        cache = env.transaction.cache
        for index, field in enumerate(columns, 1):
            if type(field).convert_from_column is _PLAIN_FROM_COLUMN:  # the value as fetched
                values = [row[index] for row in rows]
            else:
                values = [field.convert_from_column(row[index]) for row in rows]
            cache.insert_missing(ids, field, values, env)
        for offset_, (fk_index, name_field) in enumerate(joined, len(columns) + 1):
            pairs = {row[fk_index]: row[offset_] for row in rows if row[fk_index] is not None}
            names = [name_field.convert_from_column(name) for name in pairs.values()]
            cache.insert_missing(pairs, name_field, names, env)
            # the display name is that plain name (see _joinable_display_name): known as well,
            # unless it is being computed right now
            su_env = env(su=True)
            display_field = su_env[name_field.model_name]._fields["display_name"]
            if display_field not in env.transaction.protected:
                # from the cache, which keeps a name written but not yet flushed
                known = cache._field_dict(name_field, env)
                cache.insert_missing(
                    pairs, display_field, [known[i] or False for i in pairs], su_env
                )
        first = len(columns) + 1 + len(joined)
        for offset_, (fk_index, expression) in enumerate(expressions, first):
            su_env = env(su=True)
            display_field = su_env[expression.model_name]._fields["display_name"]
            if display_field not in env.transaction.protected:
                pairs = {row[fk_index]: row[offset_] for row in rows if row[fk_index] is not None}
                cache.insert_missing(
                    pairs,
                    display_field,
                    [display_name_sql.to_display_name(name) for name in pairs.values()],
                    su_env,
                )
        self._note_search_passed(ids)
        return self.browse(ids)

    def _joinable_display_name(self, field: Any) -> Any:
        """The field of the comodel of many2one ``field`` whose value is the display name
        (its plain stored ``_rec_name``, when the comodel keeps Odoo's default
        ``_compute_display_name``), or None. Known once per field (fields belong to one
        registry, whose classes do not change)."""
        joins = self.env.registry.display_name_joins
        known = joins.get(field, _UNKNOWN)
        if known is _UNKNOWN:
            known = joins[field] = self._find_display_name_field(field)
        return known

    def _many2one_display_names(self, names: list[str]) -> tuple[Any, ...]:
        """The ``display_names`` argument of :meth:`_search_fetch` for the many2ones among
        ``names`` whose display name SQL gives: a plain name, or a declared expression."""
        display_names = []
        for name in names:
            field = self._fields[name]
            if field.type == "many2one":
                name_field = self._joinable_display_name(field)
                if name_field is None:
                    name_field = self._display_name_expression(field)
                if name_field is not None:
                    display_names.append((field, name_field))
        return tuple(display_names)

    def _display_name_expression(self, field: Any) -> DisplayNameExpression | None:
        """The display name of the comodel of many2one ``field`` as SQL (its declared
        ``_display_name_sql``), to select next to ``field`` of this model's table, or None.
        Known once per field, as :meth:`_joinable_display_name`."""
        joins = self.env.registry.display_name_joins
        key = (field, "sql")
        known = joins.get(key, _UNKNOWN)
        if known is _UNKNOWN:
            alias = make_alias(self._table, f"{field.name}__display")
            known = joins[key] = display_name_sql.declared_expression(
                self.env[field.comodel_name], alias
            )
        return known if isinstance(known, DisplayNameExpression) else None

    def _find_display_name_field(self, field: Any) -> Any:
        comodel = self.env[field.comodel_name]
        if not comodel._has_default_display_name():
            return None
        display = comodel._fields.get("display_name")
        name_field = comodel._fields.get(comodel._rec_name) if comodel._rec_name else None
        if display is None or display.depends_context or name_field is None:
            return None
        if (
            not name_field.store
            or name_field.column_type is None
            or name_field.relational
            or name_field.groups
            or name_field.inherited
            or name_field.compute
            or getattr(name_field, "translate", False)
            or name_field.type not in ("char", "text")
        ):
            return None
        return name_field

    @api.model
    def search_read(
        self,
        domain: Any = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        load: str = "_classic_read",
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """``search`` then ``read``: two queries at most (plus display names of many2ones)."""
        names = self._read_field_names(fields)
        stored = [
            n for n in names if self._fields[n].store and self._fields[n].column_type is not None
        ]
        display_names: tuple[Any, ...] = ()
        if load and load != "_classic_write":
            # the display names of many2ones come in the same query
            display_names = self._many2one_display_names(stored)
        records = self._search_fetch(
            domain or [],
            stored,
            offset=offset,
            limit=limit,
            order=order or self._order,
            display_names=display_names,
        )
        if not records:
            return []
        if self.env.transaction.is_dirty():
            # pending computations may concern these records
            records = records._read_into_cache(names)
        else:
            # the stored columns came with the search; what remains is computed on the fly
            unfetched = [name for name in names if name not in stored and name != "id"]
            if unfetched:
                records = records._read_into_cache(unfetched)
        result: list[dict[str, Any]] = records._read_format(names, load)
        return result

    @api.model
    def name_search(
        self,
        name: str = "",
        args: list[Any] | None = None,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[tuple[int, str]]:
        """``(id, display_name)`` of the records whose name matches ``name``."""
        domain = list(args or [])
        if not (name == "" and operator in ("like", "ilike")):
            # through display_name's search, as Odoo 17: _rec_names_search applies
            domain = [*domain, ("display_name", operator, name)]
        field_names = [self._rec_name] if self._rec_name else []
        records = self.search_fetch(domain, field_names, limit=limit)
        return [(record.id, record.display_name) for record in records.sudo()]

    # ------------------------------------------------------------------------------------------
    # order
    # ------------------------------------------------------------------------------------------
    def _order_to_sql(
        self,
        order: str,
        query: Query,
        alias: str,
        reverse: bool = False,
        raw: bool = False,
        _seen: frozenset[Field] = frozenset(),
    ) -> SQL:
        """Parse ``order`` (``"name desc, id"``) into SQL; unknown fields are refused.

        A many2one orders by its comodel's ``_order`` (through a LEFT JOIN); a many2one met
        again while expanding those orders is skipped, as Odoo does, so that a model ordered
        by its own parent does not recurse forever."""
        terms = []
        for part in order.split(",") if order.strip() else ():
            match = _ORDER_TERM.match(part)
            if not match:
                raise arguments.order_error(self, order)
            path, direction = match["path"], (match["dir"] or "asc").upper()
            nulls = match["nulls"]
            if reverse:
                direction = "DESC" if direction == "ASC" else "ASC"
            fname, _, sub = path.partition(".")
            field = self._fields.get(fname)
            if field is None:
                raise arguments.field_error(self, fname, f"in order {order!r}")
            if not self.env.su and field.groups:
                self._check_field_access([fname], "read")
            if field.type == "many2one" and (sub or not match["gran"]):
                if field in _seen:
                    continue
                comodel = self.env[field.comodel_name]
                comodel_order = sub or comodel._order
                column = SQL.identifier(alias, field.column_name)
                if comodel_order.strip().lower() == "id":
                    term = SQL(f"%s {direction}", column)
                    terms.append(SQL(f"%s NULLS {nulls.upper()}", term) if nulls else term)
                    continue
                if nulls:
                    terms.append(
                        SQL("%s IS NOT NULL" if nulls.lower() == "first" else "%s IS NULL", column)
                    )
                join_alias = query.left_join(alias, field.column_name, comodel._table, "id", fname)
                sql = comodel._order_to_sql(
                    comodel_order,
                    query,
                    join_alias,
                    reverse=direction == "DESC",
                    _seen=_seen | {field},
                )
                if sql:
                    terms.append(sql)
                continue
            if sub:
                raise arguments.order_error(self, order, f"{fname} is not a many2one")
            if not field.store or field.column_type is None:
                if field.related:
                    # order by the stored field the related path leads to
                    related_order = f"{field.related} {direction.lower()}"
                    if "." in field.related and field.related.count(".") == 1:
                        terms.append(self._order_to_sql(related_order, query, alias))
                        continue
                raise arguments.order_error(self, order, f"{fname} is not stored")
            column = SQL.identifier(alias, field.column_name)
            if match["gran"]:
                if field.type not in ("date", "datetime"):
                    raise arguments.order_error(
                        self, order, f"a granularity needs a date field, not {fname}"
                    )
                granularity = match["gran"].lower()
                if granularity not in _GRANULARITIES:
                    raise arguments.order_error(
                        self, order, f"invalid date granularity {granularity!r}"
                    )
                column = SQL(f"date_trunc('{granularity}', %s)", column)
            term = SQL(f"%s {direction}", column)
            if nulls:
                term = SQL(f"%s NULLS {nulls.upper()}", term)
            terms.append(term)
        if not terms:
            return SQL() if _seen else SQL.identifier(alias, "id")
        return SQL(", ").join(terms)

    # ------------------------------------------------------------------------------------------
    # hierarchies
    # ------------------------------------------------------------------------------------------
    def _hierarchy_to_sql(
        self, field: Field, operator: str, value: Any, alias: str, query: Query
    ) -> SQL:
        """``child_of`` / ``parent_of`` in SQL: ``parent_path`` prefixes when the model keeps
        a parent store, a recursive CTE otherwise."""
        if (
            field.type == "many2one"
            and field.comodel_name != self._name
            or field.type in ("one2many", "many2many")
        ):
            comodel = self.env[field.comodel_name]
            sub = Domain([("id", operator, value)]).optimize(comodel)
            return DomainCondition(field.name, "any", sub, _checked=True).to_sql(self, alias, query)
        model = self
        parent = model._parent_name if field.name == "id" else field.name
        if parent not in model._fields:
            raise arguments.hierarchy_error(model, parent, operator)
        ids = hierarchy_ids(model, value)
        if not ids:
            return SQL("FALSE")
        parent = model._parent_name
        table = SQL.identifier(model._table)
        column = SQL.identifier(alias, "id")
        if field.name != "id":
            # ("parent_id", "child_of", x) on the model itself: the records of the hierarchy
            # along that field, as Odoo's child_of_domain(parent=left)
            parent = field.name
        if model._parent_store:
            if operator == "child_of":
                paths = SQL(
                    "SELECT p.parent_path || '%%' FROM %s p WHERE p.id = ANY(%s)", table, ids
                )
                node = SQL(
                    "SELECT n.id FROM %s n WHERE n.parent_path LIKE ANY(ARRAY(%s))", table, paths
                )
            else:
                node = SQL(
                    "SELECT unnest(string_to_array(rtrim(p.parent_path, '/'), '/'))::int4 "
                    "FROM %s p WHERE p.id = ANY(%s)",
                    table,
                    ids,
                )
            return SQL("%s IN (%s)", column, node)
        parent_col = SQL.identifier(parent)
        if operator == "child_of":
            tree = SQL(
                "WITH RECURSIVE tree(id) AS (SELECT id FROM %s WHERE id = ANY(%s) "
                "UNION SELECT c.id FROM %s c JOIN tree ON c.%s = tree.id) SELECT id FROM tree",
                table,
                ids,
                table,
                parent_col,
            )
        else:
            tree = SQL(
                "WITH RECURSIVE tree(id, up) AS (SELECT id, %s FROM %s WHERE id = ANY(%s) "
                "UNION SELECT p.id, p.%s FROM %s p JOIN tree ON p.id = tree.up) SELECT id FROM tree",
                parent_col,
                table,
                ids,
                parent_col,
                table,
            )
        return SQL("%s IN (%s)", column, tree)


def _top_level_fields(tree: Domain) -> set[str]:
    from erplite.orm.domains import DomainAnd, DomainCondition

    if isinstance(tree, DomainCondition):
        return {tree.field_expr.split(".", 1)[0]}
    if isinstance(tree, DomainAnd):
        names = set()
        for child in tree.children:
            if isinstance(child, DomainCondition):
                names.add(child.field_expr.split(".", 1)[0])
        return names
    return tree.field_names()


def _domain_field_names(tree: Domain) -> list[str]:
    return sorted(tree.field_names())
