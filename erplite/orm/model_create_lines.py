"""One statement for a record and its lines (a mixin of ``BaseModel``).

``create`` on an order given with its ``Command.create`` lines inserts the order and the lines
in one statement (a data-modifying CTE) when nothing can observe the difference: the lines'
model creates plainly (``create`` and its steps not overridden, no ``_inherits``, no parent
store, no precomputed field depending on the link) and each order has lines of one model only.
"""

from __future__ import annotations

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

    def _create_with_lines(self, row: dict[str, Any], lines: list[Any]) -> Self:
        """INSERT the record of ``row`` and its lines (``_fusable_lines``) in one statement:
        ``WITH parent AS (INSERT ... RETURNING id), lines AS (INSERT ... SELECT parent.id,
        ... FROM parent, unnest(...) RETURNING id) SELECT ...``; then fill the caches and
        finish the lines' creation as ``create`` would have, the parent's x2many first."""
        env = self.env
        parts = []
        for index, (field, comodel, vals_list) in enumerate(lines):
            link = comodel._fields[field.inverse_name]
            for vals in vals_list:
                vals[link.name] = _LINK
            line_rows, relational, inverses, given = comodel._create_rows(vals_list, link)
            comodel._precompute_rows(line_rows, given)
            statement, values, columns = comodel._insert_statement(line_rows, link)
            alias = SQL.identifier(f"_new_lines_{index}")
            parts.append(
                (comodel, link, alias, statement, values, columns, relational, inverses, given)
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
        for part, line_ids in zip(parts, found[1:]):
            comodel, link, _alias, _statement, values, columns, relational, inverses, given = part
            if len(line_ids) != len(values):
                raise RuntimeError(
                    f"{comodel._name}: {len(values)} lines sent, {len(line_ids)} inserted"
                )
            for vals in values:
                vals[link.name] = parent_id
            new_lines = comodel._create_cache(tuple(line_ids), values, columns)
            comodel._create_x2many(new_lines, relational)
            comodel._create_finish(new_lines, inverses, given)
        return records
