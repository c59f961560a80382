"""One statement for a record and its lines (a mixin of ``BaseModel``).

``create`` on an order given with its ``Command.create`` lines inserts the order and the lines
in one statement (a data-modifying CTE) when nothing can observe the difference: the lines'
model creates plainly (``create`` and its steps not overridden, no ``_inherits``, no parent
store, no precomputed field depending on the link) and each order has lines of one model only.

The order's stored computed fields that depend on its lines only (a total: ``line_ids.subtotal``)
are computed before that statement, on temporary records holding the order's and the lines'
rows, and inserted with it, as Odoo 17 computes ``precompute`` fields: no UPDATE follows
(``_early_fields``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from erplite.orm.commands import Command, normalize_commands
from erplite.orm.create_plan import _LINK, _PARENT_ALIAS
from erplite.orm.model_access import AccessMixin
from erplite.orm.model_create import CreateMixin
from erplite.sql import SQL

if TYPE_CHECKING:
    from typing_extensions import Self

    from erplite.orm.fields import Field


class CreateLinesMixin(AccessMixin):
    """A record and its lines in one statement."""

    __slots__ = ()

    def _fusable_lines(self, relational: list[dict[Field, Any]]) -> list[Any] | None:
        """``[(one2many field, comodel, lines' values)]`` when the single record to create gets
        lines through ``Command.create`` only, of comodels that create them the plain way (see
        ``_creates_plainly``), as the superuser: the record and its lines then go in one
        statement (``_create_with_lines``). None otherwise."""
        x2many = relational[0]
        env = self.env
        if (
            not x2many
            or not env.su
            or self._parent_store
            or type(self)._create is not CreateMixin._create
        ):
            return None
        result = []
        inactive = env._active_test_off  # the environment of One2many.write_commands
        for field, value in x2many.items():
            if field.type != "one2many":
                return None
            commands = normalize_commands(value, field)
            if not commands or any(command[0] != Command.CREATE for command in commands):
                return None
            comodel = inactive[field.comodel_name]
            if not comodel._creates_plainly(field.inverse_name):
                return None
            result.append((field, comodel, [dict(command[2] or {}) for command in commands]))
        return result

    def _creates_plainly(self, link_name: str) -> bool:
        """Whether lines of this model linked through the many2one ``link_name`` can be inserted
        by their parent's statement: ``create`` and its steps are not overridden, no
        ``_inherits`` or parent store, and no ``precompute`` field depends on ``link_name``
        (its value is only known once the parent is inserted)."""
        known = self._crud_plan().plain_links
        result = known.get(link_name)
        if result is not None:
            return result
        field = self._fields.get(link_name)
        result = (
            field is not None
            and field.type == "many2one"
            and field.store
            and field.column_type is not None
            and not self._inherits
            and not self._parent_store
            and type(self)._create_steps_plain
            and not any(
                path and path[0] is field
                for f in self._fields.values()
                if f.precompute and f.store and f.compute
                for path in self.env.registry.field_depends_paths(f)
            )
        )
        known[link_name] = result
        return result

    def _early_fields(
        self, links: frozenset[Field]
    ) -> tuple[tuple[Field, ...], dict[Field, frozenset[str]]]:
        """The stored computed fields of this model that a new record created with its lines
        through the one2many fields ``links`` gets computed before its INSERT
        (``_create_with_lines``), and per link the computed fields of the lines they read
        (each line must have them precomputed). A field qualifies when it depends on these
        lines and on nothing else than them and the record's own plain columns: every
        dependency is a link, a link followed by a stored column of its comodel (plain, or
        ``precompute``), or a stored column of the record that is not computed; and so do the
        other stored fields its method computes. Worked out once per set of links."""
        plan = self._crud_plan()
        known = plan.early.get(links)
        if known is not None:
            return known
        registry = self.env.registry
        reads: dict[Field, set[str]] = {link: set() for link in links}

        def qualifies(field: Field) -> bool:
            paths = registry.field_depends_paths(field)
            if (
                field.column_type is None
                or field.depends_context
                or field.related
                or not any(path and path[0] in links for path in paths)
            ):
                return False
            for path in paths:
                first = path[0] if path else None
                if first in links and len(path) <= 2:
                    if len(path) == 2:
                        dep = path[1]
                        if not dep.store or dep.column_type is None:
                            return False
                        if dep.compute:
                            if not dep.precompute:
                                return False
                            reads[first].add(dep.name)
                elif not (
                    len(path) == 1
                    and first is not None
                    and first.store
                    and first.column_type is not None
                    and not first.compute
                ):
                    return False
            return True

        early = []
        for field in plan.stored_computed:
            companions = registry.field_computed.get(field, [field])
            if all(qualifies(f) for f in companions if f.store):
                early.append(field)
        result = (tuple(early), {link: frozenset(names) for link, names in reads.items()})
        plan.early[links] = result
        return result

    def _compute_early(
        self,
        row: dict[str, Any],
        given: set[str],
        lines: list[tuple[Field, Any, Field, list[dict[str, Any]], list[set[str]]]],
    ) -> None:
        """Compute the fields of ``_early_fields`` not in ``given`` for the record of ``row``
        created with ``lines`` (``[(link, comodel, link's inverse, line rows, names given per
        line)]``): the lines' ``precompute`` fields first, then these fields, on temporary
        records (``NewId``) holding the rows, the order's and its lines' (one set of them for
        both computations). Their values go in ``row`` and count as given; the lines' go in
        their rows and count as given for them (``CreateMixin._precompute_rows``)."""
        fields, reads = self._early_fields(frozenset(link for link, *_rest in lines))
        fields = tuple(f for f in fields if f.name not in given)
        if not fields:
            for _link, comodel, _inverse, line_rows, lines_given in lines:
                comodel._precompute_rows(line_rows, lines_given)
            return
        env = self.env
        cache = env.transaction.cache
        # temporary ids lent by the cache: see Cache.give_back_temporary
        parent_id = cache.take_temporary(self._name, 1)[0]
        temporaries = []
        try:
            self._precompute_cache([row], [0], (parent_id,))
            for link, comodel, inverse, line_rows, lines_given in lines:
                line_ids = cache.take_temporary(comodel._name, len(line_rows))
                temporaries.append((comodel, line_ids))
                comodel._precompute_cache(line_rows, list(range(len(line_rows))), line_ids)
                cache.update(line_ids, inverse, [parent_id] * len(line_ids), env)
                cache.set_value(parent_id, link, line_ids, env)
                comodel._precompute_rows(line_rows, lines_given, line_ids)
                names = reads[link]
                if names and not all(map(names.issubset, lines_given)):
                    return  # a line lacks a value the fields read: computed after the INSERT
            self.browse((parent_id,))._compute_temporary(fields)
            for field in fields:
                row[field.name] = cache.get_value(parent_id, field, env, default=None)
                given.add(field.name)
        finally:
            self._forget_temporary(fields, (parent_id,), lent=True)
            for comodel, line_ids in temporaries:
                comodel._forget_temporary(comodel._crud_plan().precompute, line_ids, lent=True)
        if self._crud_plan().monetary:
            self._round_monetary_rows([row])

    def _create_with_lines(
        self, row: dict[str, Any], lines: list[Any], given: set[str] | None = None
    ) -> Self:
        """INSERT the record of ``row`` and its lines (``_fusable_lines``) in one statement:
        ``WITH parent AS (INSERT ... RETURNING id), lines AS (INSERT ... SELECT parent.id,
        ... FROM parent, unnest(...) RETURNING id) SELECT ...``; then fill the caches and
        finish the lines' creation as ``create`` would have, the parent's x2many first. The
        fields of ``_early_fields`` not in ``given`` (the names given for ``row``) are computed
        before, inserted with ``row`` and added to ``given``."""
        env = self.env
        early_lines = []
        created = []
        for field, comodel, vals_list in lines:
            link = comodel._fields[field.inverse_name]
            for vals in vals_list:
                vals[link.name] = _LINK
            line_rows, relational, inverses, lines_given = comodel._create_rows(vals_list, link)
            early_lines.append((field, comodel, link, line_rows, lines_given))
            created.append((relational, inverses))
        if given is not None:
            self._compute_early(row, given, early_lines)
        else:
            for _field, comodel, _link, line_rows, lines_given in early_lines:
                comodel._precompute_rows(line_rows, lines_given)
        parts = []
        for index, (
            (_field, comodel, link, line_rows, lines_given),
            (relational, inverses),
        ) in enumerate(zip(early_lines, created)):
            statement, values, columns = comodel._insert_statement(line_rows, link)
            alias = SQL.identifier(f"_new_lines_{index}")
            parts.append(
                (
                    comodel,
                    link,
                    alias,
                    statement,
                    values,
                    columns,
                    relational,
                    inverses,
                    lines_given,
                )
            )
        parent_statement, parent_values, parent_columns = self._insert_statement([row])
        parent = SQL.identifier(_PARENT_ALIAS).text
        ctes = [f"WITH {parent} AS ({parent_statement.text})"]
        results = [f" SELECT (SELECT id FROM {parent})"]
        params = list(parent_statement.params)
        for _comodel, _link, alias, statement, *_rest in parts:
            ctes.append(f"{alias.text} AS ({statement.text})")
            results.append(f"ARRAY(SELECT id FROM {alias.text} ORDER BY id)")
            params.extend(statement.params)
        self._execute_write(SQL.raw(", ".join(ctes) + ", ".join(results), params))
        found = env.cr.fetchone()
        parent_id = found[0]
        records = self._create_cache((parent_id,), parent_values, parent_columns)
        cache = env.transaction.cache
        for field in self._crud_plan().x2many:
            cache.update(records._ids, field, [()], env)
        # the new lines must not mark again what was given, or computed from them before the
        # INSERT (Odoo 17 creates the lines inside the protection of the values given too)
        with self._protecting_given(records, [given]) if given else contextlib.nullcontext():
            for (o2m, *_rest), part, line_ids in zip(lines, parts, found[1:]):
                comodel, link, _alias, _stmt, values, columns, relational, inverses, lines_given = (
                    part
                )
                if len(line_ids) != len(values):
                    raise RuntimeError(
                        f"{comodel._name}: {len(values)} lines sent, {len(line_ids)} inserted"
                    )
                for vals in values:
                    vals[link.name] = parent_id
                new_lines = comodel._create_cache(tuple(line_ids), values, columns)
                comodel._create_x2many(new_lines, relational)
                comodel._create_finish(new_lines, inverses, lines_given, (o2m, parent_id))
        return records
