"""Writing and deleting records (a mixin of ``BaseModel``).

``write`` only updates the cache and the transaction's pending writes; they are sent by the
flush (``model_flush``), one UPDATE per set of columns. It marks the stored computed fields
that depend on the change (``model_triggers``), validates ``@api.constrains`` and goes through
the access gate (``model_access``). ``record.field = value`` is a ``write``, except inside the
field's compute method, where it only fills the cache. ``unlink`` deletes in one statement
per model after the ``@api.ondelete`` checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from erplite.exceptions import UserError, ValidationError
from erplite.orm import arguments
from erplite.orm.arrays import array_param
from erplite.orm.commands import Command, normalize_commands
from erplite.orm.fields import Field
from erplite.orm.model_access import AccessMixin
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.commands import CommandTuple
    from erplite.orm.fields_relational import Many2many, One2many
    from erplite.orm.recordset import IdType, Recordset

_X2MANY = ("one2many", "many2many")


class WriteMixin(AccessMixin):
    """``write``, ``unlink``, ``copy`` and field assignment of ``BaseModel``."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------------
    # write
    # ------------------------------------------------------------------------------------------
    def write(self, vals: dict[str, Any]) -> bool:
        """Update ``self`` with ``vals``; sent to the database by the next flush."""
        if not self._ids:
            return True
        if not isinstance(vals, dict):
            raise arguments.values_error(self, "write", vals, "a dict")
        self._check_access("write")
        env = self.env
        fields = [self._field_or_error(name) for name in vals]
        if not env.su:
            self._check_field_access(list(vals), "write")
            if self._protected_names:
                self._check_protected_write(vals)
            self._check_rules("write")
            if not self._crud_plan().company_moves.isdisjoint(vals) and self._has_rules("write"):
                # records moved to another company: the rules must hold for the new values
                # too, as create checks them on its new rows; a refusal undoes the write
                with env.cr.savepoint():
                    self._write_fields(vals, fields)
                    self._check_rules("write")
                return True
        return self._write_fields(vals, fields)

    def _write_fields(self, vals: dict[str, Any], fields: list[Field]) -> bool:
        """The body of ``write`` once access rights, field groups and rules are checked:
        ``fields`` are the fields of ``vals``' keys."""
        env = self.env
        self._read_changed(self._ids, vals)
        towrite = env.transaction.towrite[self._name]
        columns, x2many, inverse = self._write_sort(vals, fields)
        relational = [f.name for f, _v in columns if f.relational] + [f.name for f, _c in x2many]
        if relational:
            self.modified(relational, before=True)
        self._write_columns(columns, towrite)
        if not towrite:
            env.transaction.towrite.pop(self._name, None)
        with self._protecting_given(self, [set(vals)] * len(self._ids)):
            for field, commands in x2many:
                cast("One2many | Many2many", field).write_commands(self, commands)
            if inverse:
                self._run_inverses(inverse)
            if self._parent_store and self._parent_name in vals:
                # moving nodes: their paths and their descendants' follow the new parents
                self._parent_store_update(check_recursion=True)
            self.modified([f.name for f in fields])
        self._validate_fields([f.name for f in fields])
        if self._check_company_auto:
            self._check_company(list(vals))
        return True

    def _write_sort(
        self, vals: dict[str, Any], fields: list[Field]
    ) -> tuple[list[tuple[Field, Any]], list[tuple[Field, list[CommandTuple]]], dict[Field, Any]]:
        """``vals`` sorted by how ``write`` takes them: the columns (with their cache values),
        the x2many commands, the values of fields with an inverse method; refuses ``id``, a
        missing required value and a computed field without inverse."""
        columns: list[tuple[Field, Any]] = []
        x2many: list[tuple[Field, list[CommandTuple]]] = []
        inverse: dict[Field, Any] = {}
        for field in fields:
            value = vals[field.name]
            if field.name == "id":
                raise arguments.field_error(self, "id", "in write(): ids cannot be written")
            if field.type in _X2MANY and field.store:
                x2many.append((field, normalize_commands(value, field)))
            elif field.store and field.column_type is not None:
                cache_value = field.convert_to_cache(value, self)
                if field.required and cache_value is None and field.type != "boolean":
                    raise ValidationError(
                        f'Missing required value for the field "{field.string}" '
                        f"({self._name}.{field.name})"
                    )
                columns.append((field, cache_value))
                if field.inverse and field.compute:
                    inverse[field] = value
            elif field.inverse:
                inverse[field] = value
            else:
                raise UserError(
                    f"Field {self._name}.{field.name} is computed and cannot be written"
                )
        return columns, x2many, inverse

    def _write_columns(
        self, columns: list[tuple[Field, Any]], towrite: dict[IdType, dict[str, Any]]
    ) -> None:
        """Put the new values of ``columns`` in cache and in the pending writes (with the
        magic columns), and keep the cached one2many values in step."""
        env = self.env
        cache = env.transaction.cache
        for field, cache_value in columns:
            if field.type == "many2one":
                self._update_inverse_caches(self, field, [cache_value] * len(self._ids))
            cache.update(self._ids, field, [cache_value] * len(self._ids), env)
            for record_id in self._ids:
                towrite[record_id][field.name] = cache_value
            if field.compute:
                env.remove_to_compute(field, self._ids)
        if self._log_access and columns:
            now = self._now()
            for name, value in (("write_uid", env.uid), ("write_date", now)):
                field = self._fields[name]
                cache.update(self._ids, field, [value] * len(self._ids), env)
                for record_id in self._ids:
                    towrite[record_id][name] = value

    def _run_inverses(self, values: dict[Field, Any]) -> None:
        """Call the inverse methods of non-stored fields given in ``values``."""
        env = self.env
        cache = env.transaction.cache
        by_method: dict[Any, list[Field]] = defaultdict(list)
        for field, value in values.items():
            cache_value = field.convert_to_cache(value, self)
            cache.update(self._ids, field, [cache_value] * len(self._ids), env)
            by_method[field.inverse if not field.related else ("related", field)].append(field)
        for key, fields in by_method.items():
            with env.protecting(fields, self):
                if isinstance(key, tuple):
                    self._inverse_related_values(key[1])
                elif callable(key):
                    key(self)
                else:
                    getattr(self, key)()

    def _set_field_value(self, field: Any, value: Any) -> None:
        """``record.field = value``: inside its compute method, only the cache (and the
        pending write of a stored field) is set; anywhere else it is a ``write``."""
        env = self.env
        transaction = env.transaction
        protected = transaction.protected.get(field)
        ids = self._ids
        if (
            protected
            and len(ids) == 1
            and field.stored_column
            and field.type != "many2many"
            and not field.depends_context
            and type(ids[0]) is int
            and ids[0] in protected
        ):
            # the common case, a compute method assigning a stored column on one record:
            # the cache, the pending write, out of the records to compute
            record_id = ids[0]
            cache_value = field.convert_to_cache(value, self, validate=field.validate_computed)
            transaction.cache._data[field][record_id] = cache_value
            transaction.towrite[self._name][record_id][field.name] = cache_value
            pending = transaction.tocompute.get(field)
            if pending is not None:
                pending.discard(record_id)
                if not pending:
                    del transaction.tocompute[field]
            return
        if protected and (
            ids[0] in protected
            if len(ids) == 1
            else all(record_id in protected for record_id in ids)
        ):
            cache_value = field.convert_to_cache(value, self, validate=field.validate_computed)
            if field.store and field.type == "many2many" and isinstance(ids[0], int):
                # a stored computed many2many: its relation rows follow the computed value
                env.remove_to_compute(field, ids)
                field.write_commands(self, [(6, 0, list(cache_value or ()))])
                return
            if len(ids) == 1:
                transaction.cache.set_value(ids[0], field, cache_value, env)
            else:
                transaction.cache.update(ids, field, [cache_value] * len(ids), env)
            stored = field.stored_column
            new = not isinstance(ids[0], int)
            if new and field.store:
                # temporary records (``onchange``, precompute): the cache only, nothing to write
                env.remove_to_compute(field, ids)
            elif stored:
                towrite = transaction.towrite[self._name]
                name = field.name
                for record_id in ids:
                    towrite[record_id][name] = cache_value
                pending = transaction.tocompute.get(field)
                if pending is not None:
                    pending.difference_update(ids)
                    if not pending:
                        del transaction.tocompute[field]
            return
        if ids and not isinstance(ids[0], int):
            # a temporary record of ``onchange``: its values live in the cache only
            self._onchange_assign(field, value)
            return
        self.write({field.name: value})

    # ------------------------------------------------------------------------------------------
    # unlink
    # ------------------------------------------------------------------------------------------
    def unlink(self) -> bool:
        """Delete ``self``; ``@api.ondelete`` checks run first, database cascades apply."""
        if not self._ids:
            return True
        self._check_access("unlink")
        self._check_rules("unlink")
        env = self.env
        # while a module is uninstalled (a flag of the transaction, never of the context a
        # client sends), only the checks declared with at_uninstall=True run, as in Odoo
        uninstalling = getattr(env.transaction, "module_uninstall", False)
        for method in self._ondelete_methods:
            if uninstalling and not getattr(getattr(type(self), method), "_ondelete", True):
                continue
            getattr(self, method)()
        # nothing pending on the records to delete is worth computing or writing
        transaction = env.transaction
        for field in list(transaction.tocompute):
            if field.model_name == self._name:
                env.remove_to_compute(field, self._ids)
        pending = transaction.towrite.get(self._name)
        if pending:
            for record_id in self._ids:
                pending.pop(record_id, None)
        env.flush_all()
        # mark what depends on the records (a total over lines): recomputed once they are gone
        with env.protecting(list(self._fields.values()), self):
            self.modified(self._fields, before=True)
        table = SQL.identifier(self._table)
        if "ir.model.data" in env.registry.models and self._name != "ir.model.data":
            # the records and their external ids in one statement
            self._execute_write(
                SQL(
                    "WITH deleted AS (DELETE FROM %s WHERE id = ANY(%s) RETURNING id) "
                    "DELETE FROM ir_model_data WHERE model = %s AND res_id IN (SELECT id FROM deleted)",
                    table,
                    array_param(self._ids, "int4"),
                    self._name,
                )
            )
        else:
            self._execute_write(
                SQL("DELETE FROM %s WHERE id = ANY(%s)", table, array_param(self._ids, "int4"))
            )
        # the database cascaded deletions and nullified references: forget every cached value,
        # and the read checks made on the former data
        env.transaction.cache.invalidate()
        env.transaction.read_checks.clear()
        return True

    def copy_data(self, default: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        default = dict(default or {})
        result = []
        for record in self:
            vals = {}
            for name, field in self._fields.items():
                if name in default or name == "id" or not field.copy or field.inherited:
                    continue
                if name in ("create_uid", "create_date", "write_uid", "write_date", "parent_path"):
                    continue
                value = record[name]
                if field.type == "one2many":
                    vals[name] = [Command.create(line.copy_data()[0]) for line in value]
                else:
                    vals[name] = field.convert_to_write(value, record)
            for fk in self._inherits.values():
                vals.pop(fk, None)
                parent_vals = record[fk].copy_data()[0]
                for pname, pvalue in parent_vals.items():
                    if pname in self._fields and pname not in default:
                        vals[pname] = pvalue
            vals.update(default)
            result.append(vals)
        return result

    def copy(self, default: dict[str, Any] | None = None) -> Any:
        """Duplicate the record; fields with ``copy=False`` take their default."""
        self.ensure_one()
        return self.create(self.copy_data(default)[0])

    def _validate_fields(self, field_names: Iterable[str], excluded: Iterable[str] = ()) -> None:
        """Run the ``@api.constrains`` methods concerned by ``field_names``."""
        methods = []
        excluded = set(excluded)
        for name in field_names:
            if name in excluded:
                continue
            for method in self._constraint_methods.get(name, ()):
                if method not in methods:
                    methods.append(method)
        for method in methods:
            getattr(self, method)()

    # hierarchy -----------------------------------------------------------------------------
    def _check_recursion(self, parent: str | None = None) -> bool:
        """Odoo 17's check for hierarchies: ``False`` if following ``parent`` (default
        ``_parent_name``) from a record of ``self`` comes back to a record already seen."""
        parent = parent or self._parent_name
        for record in self.sudo():
            seen = {record.id}
            current = record[parent]
            while current:
                if current.id in seen:
                    return False
                seen.add(current.id)
                current = current[parent]
        return True

    def _parent_store_update(self, check_recursion: bool = False) -> None:
        """Set ``parent_path`` of ``self`` (and their descendants) from their parents; with
        ``check_recursion``, refuse a node becoming its own ancestor (``UserError``)."""
        parent = self._parent_name
        table = SQL.identifier(self._table)
        self.env.flush_all()
        cr = self.env.cr
        if check_recursion:
            cr.execute(
                SQL(
                    "SELECT node.id FROM %s node JOIN %s up ON up.id = node.%s "
                    "WHERE node.id = ANY(%s) AND ('/' || up.parent_path) LIKE ('%%/' || node.id || '/%%')",
                    table,
                    table,
                    SQL.identifier(parent),
                    list(self._ids),
                ),
                flush=False,
            )
            if cr.fetchone() is not None:
                raise UserError("Recursion Detected.")
        cr.execute(
            SQL(
                """
            WITH RECURSIVE tree(id, path) AS (
                SELECT node.id, concat(coalesce(up.parent_path, ''), node.id, '/')
                FROM %s node LEFT JOIN %s up ON up.id = node.%s
                WHERE node.id = ANY(%s)
                UNION ALL
                SELECT child.id, concat(tree.path, child.id, '/')
                FROM %s child JOIN tree ON child.%s = tree.id
                WHERE NOT child.id = ANY(%s)
            )
            UPDATE %s SET parent_path = tree.path FROM tree WHERE %s.id = tree.id
            RETURNING %s.id, tree.path
            """,
                table,
                table,
                SQL.identifier(parent),
                list(self._ids),
                table,
                SQL.identifier(parent),
                list(self._ids),
                table,
                table,
                table,
            ),
            flush=False,
        )
        field = self._fields["parent_path"]
        cache = self.env.transaction.cache
        for record_id, path in cr.fetchall():
            cache.set_value(record_id, field, path, self.env)

    def _update_inverse_caches(
        self, records: Recordset, field: Field, new_values: list[Any], created: bool = False
    ) -> None:
        """Keep cached one2many values in step with a many2one change of ``records``."""
        env = self.env
        cache = env.transaction.cache
        for inverse in env.registry.field_inverses.get(field, ()):
            if inverse.domain or inverse.context:
                cache.invalidate([(inverse, None)])
            elif created:
                # new records: appended to their parents' cached lines, once per parent
                _append_lines(cache._field_dict(inverse, env), records._ids, new_values)
            else:
                self._move_lines(records, field, inverse, new_values)

    def _move_lines(
        self, records: Recordset, field: Field, inverse: Field, new_values: list[Any]
    ) -> None:
        """Move ``records`` from the cached lines (``inverse``) of their old parents to those
        of their new ones (``new_values`` of the many2one ``field``)."""
        env = self.env
        cache = env.transaction.cache
        for record_id, new in zip(records._ids, new_values):
            old = cache.get_value(record_id, field, env, default=_UNKNOWN)
            if old is _UNKNOWN:
                cache.invalidate([(inverse, None)])
                return
            if old == new:
                continue
            if old is not None:
                lines = cache.get_value(old, inverse, env, default=None)
                if lines is not None and record_id in lines:
                    cache.set_value(old, inverse, tuple(i for i in lines if i != record_id), env)
            if new is not None:
                lines = cache.get_value(new, inverse, env, default=None)
                if lines is not None and record_id not in lines:
                    cache.set_value(new, inverse, lines + (record_id,), env)


_UNKNOWN = object()


def _append_lines(data: dict[Any, Any], ids: tuple[int, ...], parent_ids: list[Any]) -> None:
    """Append the new records ``ids`` to the cached lines ``data`` of their parents
    (``parent_ids``, in the same order), once per parent."""
    added: dict[Any, list[int]] = {}
    for record_id, new in zip(ids, parent_ids):
        if new is not None and new in data:
            added.setdefault(new, []).append(record_id)
    for parent, new_ids in added.items():
        lines = data[parent]
        if lines is not None:
            known = set(lines)
            data[parent] = lines + tuple(i for i in new_ids if i not in known)
