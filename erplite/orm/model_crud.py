"""create, write, unlink, read, copy and their helpers.

``create`` inserts all records of one call in one statement (``INSERT ... SELECT FROM
unnest(arrays)``) and fills the cache with what it inserted. ``write`` only updates the cache
and the transaction's pending writes; they are sent by the flush, one UPDATE per set of
columns. Both mark the stored computed fields that depend on the change, validate
``@api.constrains`` and go through the security layer (access rights, record rules, field
groups) unless the environment is a superuser one.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from erplite import api
from erplite.exceptions import UserError, ValidationError
from erplite.orm.commands import Command, normalize_commands
from erplite.orm.fields import Field
from erplite.orm.model_compute import ComputeMixin
from erplite.sql import SQL, BinaryParam

_X2MANY = ("one2many", "many2many")
#: the plain ``convert_to_read`` (``None`` -> ``False``), inlined by ``_read_format``
_BASE_CONVERT_TO_READ = Field.convert_to_read


class CrudMixin(ComputeMixin):
    # ------------------------------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------------------------------
    def _field_or_error(self, name: str) -> Any:
        field = self._fields.get(name)
        if field is None:
            raise ValueError(f"Invalid field {name!r} on model {self._name!r}")
        return field

    def _now(self) -> datetime.datetime:
        transaction = self.env.transaction
        now = getattr(transaction, "now", None)
        if now is None:
            now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
            transaction.now = now
        return now

    # ------------------------------------------------------------------------------------------
    # defaults
    # ------------------------------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]:
        """Default values of ``fields_list``: ``default_<name>`` context keys, then field
        defaults, then (for ``_inherits`` fields) the parent model's ``default_get``; values
        are in ``write()`` format."""
        result: dict[str, Any] = {}
        context = self.env.context
        from_context = (
            {key[8:]: value for key, value in context.items() if key.startswith("default_")}
            if context
            else {}
        )
        parent_names: dict[str, list[str]] = defaultdict(list)
        for name in fields_list:
            field = self._field_or_error(name)
            if name in from_context:
                result[name] = from_context[name]
            elif field.default is not None:
                value = field.get_default(self)
                if hasattr(value, "_ids") and field.relational:
                    value = value.id if field.type == "many2one" else [Command.set(value.ids)]
                result[name] = value
            elif field.inherited and field.inherited_field is not None:
                parent_names[field.inherited_field.model_name].append(field.inherited_field.name)
        for model_name, names in parent_names.items():
            result.update(self.env[model_name].default_get(names))
        return result

    def _add_missing_default_values(self, vals: dict) -> dict:
        """``vals`` completed with ``default_get`` of every field it lacks, as Odoo does (so
        an overridden ``default_get`` applies); fields inherited from a parent whose link is
        given keep the parent's values."""
        # which fields lack depends on the keys given only: worked out once per set of keys
        plan = self._crud_plan()
        key = frozenset(vals)
        missing = plan.missing.get(key)
        if missing is None:
            missing = self._missing_default_names(vals)
            if len(plan.missing) < 1000:
                plan.missing[key] = missing
        defaults = self.default_get(missing) if missing else {}
        for name, value in defaults.items():
            field = self._fields[name]
            if (
                field.type == "many2many"
                and value
                and isinstance(value, list | tuple)
                and isinstance(value[0], int)
            ):
                defaults[name] = [Command.set(value)]
            elif (
                field.type == "one2many"
                and value
                and isinstance(value, list | tuple)
                and isinstance(value[0], dict)
            ):
                defaults[name] = [Command.create(line) for line in value]
        return {**defaults, **vals}

    def _missing_default_names(self, vals: dict) -> list[str]:
        """The fields ``vals`` lacks that take a default (see ``_add_missing_default_values``)."""
        avoid: set[str] = set()

        def collect(model: Any) -> None:
            for parent_model, fk in model._inherits.items():
                if fk in vals:
                    avoid.add(parent_model)
                else:
                    collect(self.env[parent_model])

        collect(self)
        missing = []
        for name, field in self._fields.items():
            if name in vals:
                continue
            origin = field
            while origin.inherited and origin.inherited_field is not None:
                origin = origin.inherited_field
                if origin.model_name in avoid:
                    break
            else:
                missing.append(name)
        return missing

    def _crud_plan(self) -> _CrudPlan:
        """What create needs to know of this model's fields, worked out once per class."""
        cls = type(self)
        plan = cls.__dict__.get("_crud_plan_cache")
        if plan is None:
            plan = _CrudPlan(self._fields)
            cls._crud_plan_cache = plan
        return plan

    # ------------------------------------------------------------------------------------------
    # create
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list: list[dict] | dict) -> Any:
        """Create records from a dict or a list of dicts; return them as a recordset."""
        if isinstance(vals_list, dict):
            vals_list = [vals_list]
        if not vals_list:
            return self.browse()
        self._check_access("create")
        env = self.env
        names: set[str] = set()
        for vals in vals_list:
            if not isinstance(vals, dict):
                raise ValueError(f"create() on {self._name} expects dicts, got {vals!r}")
            names.update(vals)
        for name in names:
            self._field_or_error(name)
        if not env.su:
            from erplite import security

            names = {name for vals in vals_list for name in vals}
            security.check_field_access(self, names, "write")
            if security.has_rules(self, "create"):
                # the rules are checked on the inserted rows: a refusal must undo everything
                # the creation did, even when the caller catches the error
                with env.cr.savepoint():
                    records = self._create_records(vals_list)
                    records._check_rules("create")
                return records
        return self._create_records(vals_list)

    def _create_records(self, vals_list: list[dict]) -> Any:
        """The body of ``create`` once access rights and field groups are checked."""
        env = self.env
        vals_list = [self._add_missing_default_values(vals) for vals in vals_list]
        vals_list = self._create_parents(vals_list)

        rows: list[dict] = []
        relational: list[dict] = []
        inverses: list[dict] = []
        given: list[set] = []
        plan = self._crud_plan()
        required = plan.required
        for vals in vals_list:
            row: dict[str, Any] = {}
            x2many: dict[Any, Any] = {}
            inverse: dict[Any, Any] = {}
            for name, value in vals.items():
                field = self._fields[name]
                if field.type in _X2MANY and field.store:
                    x2many[field] = value  # computed ones too: the value given wins
                elif field.store and field.column_type is not None and name != "id":
                    row[name] = field.convert_to_cache(value, self)
                    if field.inverse and field.compute:
                        inverse[field] = value
                elif field.inverse:
                    inverse[field] = value
            for field in required:
                if row.get(field.name) is None:
                    raise ValidationError(
                        f'Missing required value for the field "{field.string}" '
                        f"({self._name}.{field.name})"
                    )
            rows.append(row)
            relational.append(x2many)
            inverses.append(inverse)
            given.append(set(vals))

        self._precompute_rows(rows, given)
        records = self._create(rows)
        cache = env.transaction.cache
        # new records have no lines yet: reading them must not query
        for field in plan.x2many:
            cache.update(records._ids, field, [()] * len(records._ids), env)
        x2many_groups: dict[Any, list] = defaultdict(list)
        for record, x2many in zip(records, relational):
            for field, value in x2many.items():
                x2many_groups[field].append((record, normalize_commands(value, field)))
        for field, items in x2many_groups.items():
            for record, commands in items:
                field.write_commands(record, commands)
        for record, inverse in zip(records, inverses):
            if inverse:
                record._run_inverses(inverse)

        # stored computed fields of the new records, unless their value was given
        for field in plan.stored_computed:
            ids = [rid for rid, names in zip(records._ids, given) if field.name not in names]
            if ids:
                env.add_to_compute(field, ids)
        # values given for computed fields win over their computation: protect them (and the
        # fields computed by the same method) while the dependents are marked, as Odoo does
        with self._protecting_given(records, given):
            records.modified(self._fields, create=True)
        names = set().union(*given) if given else set()
        records._validate_fields(names)
        if self._check_company_auto:
            records._check_company()
        return records

    def _precompute_rows(self, rows: list[dict], given: list[set]) -> None:
        """Fill ``rows`` with the stored computed fields marked ``precompute`` that were not
        given, so that the INSERT carries them (Odoo's ``precompute``): they are computed on
        temporary records (``NewId``) whose cache holds the rows' values, and count as given
        afterwards (no recomputation, no UPDATE)."""
        fields = [
            f
            for f in self._fields.values()
            if f.precompute and f.store and f.compute and f.column_type is not None
        ]
        # a row is precomputed unless its value for a first-hop dependency is not a column
        # yet (x2many commands, inverse fields): it is then computed after the INSERT
        late = {
            name for name, f in self._fields.items() if not (f.store and f.column_type is not None)
        }
        registry = self.env.registry
        wanted = {
            field: {
                index
                for index, names in enumerate(given)
                if field.name not in names
                and not any(
                    path[0].name in late and path[0].name in names
                    for path in registry.field_depends_paths(field)
                )
            }
            for field in fields
        }
        todo = sorted(set().union(*wanted.values())) if wanted else []
        if not todo:
            return
        env = self.env
        cache = env.transaction.cache
        new_ids = tuple(NewId() for _index in todo)
        records = self.browse(new_ids)
        for field in self._fields.values():
            if field.store and field.column_type is not None and field.name != "id":
                cache.update(new_ids, field, [rows[i].get(field.name) for i in todo], env)
            elif field.store and field.type in _X2MANY:
                cache.update(new_ids, field, [()] * len(new_ids), env)
        for field in fields:
            env.add_to_compute(field, [nid for nid, i in zip(new_ids, todo) if i in wanted[field]])
        try:
            for field in fields:
                records._recompute_field(field, ids=new_ids)
            for nid, index in zip(new_ids, todo):
                for field in fields:
                    if index in wanted[field]:
                        rows[index][field.name] = cache.get_value(nid, field, env, default=None)
                        given[index].add(field.name)
        finally:
            for field in fields:
                env.remove_to_compute(field, new_ids)
            pending = env.transaction.towrite.get(self._name)
            if pending is not None:
                for nid in new_ids:
                    pending.pop(nid, None)
                if not pending:
                    env.transaction.towrite.pop(self._name, None)
            cache.invalidate([(field, new_ids) for field in self._fields.values()])

    def _protecting_given(
        self, records: Any, given: list[set]
    ) -> contextlib.AbstractContextManager:
        """Protect, on each record of ``records``, the computed fields whose value was given
        (``given[i]`` for the i-th record) and the fields computed with them."""
        computed = self.env.registry.field_computed
        groups: dict[frozenset, list[int]] = defaultdict(list)
        for record_id, names in zip(records._ids, given):
            fields = frozenset(
                companion
                for name in names
                if self._fields[name].compute
                for companion in computed.get(self._fields[name], [self._fields[name]])
            )
            if fields:
                groups[fields].append(record_id)
        stack = contextlib.ExitStack()
        for fields, ids in groups.items():
            stack.enter_context(self.env.protecting(fields, self.browse(ids)))
        return stack

    def _create_parents(self, vals_list: list[dict]) -> list[dict]:
        """``_inherits``: create the parent records first, with the fields they own."""
        if not self._inherits:
            return vals_list
        result = [dict(vals) for vals in vals_list]
        for parent_model, fk in self._inherits.items():
            todo: list[tuple[dict, dict]] = []
            for vals in result:
                parent_vals = {}
                for name in list(vals):
                    field = self._fields[name]
                    if field.inherited and field.related.split(".", 1)[0] == fk:
                        parent_vals[name] = vals.pop(name)
                if vals.get(fk):
                    if parent_vals:
                        self.env[parent_model].browse(vals[fk]).write(parent_vals)
                else:
                    todo.append((vals, parent_vals))
            if todo:
                parents = self.env[parent_model].create([pv for _vals, pv in todo])
                for (vals, _pv), parent_id in zip(todo, parents._ids):
                    vals[fk] = parent_id
        return result

    def _create(self, rows: list[dict]) -> Any:
        """INSERT ``rows`` (cache-format values of stored columns) in one statement; fill the
        cache with every stored column of the new records."""
        env = self.env
        now = self._now()
        plan = self._crud_plan()
        given = set().union(*rows)
        columns = [name for name, field in plan.columns if not field.compute or name in given]
        magic = {}
        if self._log_access:
            magic = {
                "create_uid": env.uid,
                "write_uid": env.uid,
                "create_date": now,
                "write_date": now,
            }
        values = [dict((name, None) for name in columns) | row | magic for row in rows]
        columns = [
            name for name in columns if any(v[name] is not None for v in values) or name in magic
        ]
        fields = [self._fields[name] for name in columns]
        table = SQL.identifier(self._table)
        if not fields:
            statement = SQL("INSERT INTO %s DEFAULT VALUES RETURNING id", table)
            if len(rows) > 1:
                statement = SQL(
                    "INSERT INTO %s (id) SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                    "FROM generate_series(1, %s) RETURNING id",
                    table,
                    self._table,
                    len(rows),
                )
        elif len(rows) == 1:
            params = [f.convert_to_column(values[0][f.name]) for f in fields]
            statement = SQL(_insert_template(self._table, fields, None), *params)
        else:
            # a column with one value for every row (the magic columns, a parent id...) is one
            # parameter; the others are arrays, sent in binary, unnested together
            constants = []
            arrays = []
            flags = []
            for f in fields:
                column = [f.convert_to_column(v[f.name]) for v in values]
                constant = _is_constant(column)
                flags.append(constant)
                if constant:
                    constants.append(column[0])
                else:
                    arrays.append(BinaryParam(column))
            params = constants + arrays if arrays else [*constants, len(rows)]
            statement = SQL(_insert_template(self._table, fields, tuple(flags)), *params)
        self._execute_write(statement)
        ids = tuple(row[0] for row in env.cr.fetchall())
        records = self.browse(ids)
        cache = env.transaction.cache
        in_columns = set(columns)
        for name, field in plan.columns:
            if field.compute and name not in in_columns:
                continue
            cache.update(ids, field, [v.get(name) for v in values], env)
        for field in plan.many2one:
            if env.registry.field_inverses.get(field):
                self._update_inverse_caches(
                    records, field, [v.get(field.name) for v in values], created=True
                )
        if self._parent_store:
            records._parent_store_update()
        return records

    def _update_inverse_caches(
        self, records: Any, field: Any, new_values: list, created: bool = False
    ) -> None:
        """Keep cached one2many values in step with a many2one change of ``records``."""
        env = self.env
        cache = env.transaction.cache
        for inverse in env.registry.field_inverses.get(field, ()):
            if inverse.domain or inverse.context:
                cache.invalidate([(inverse, None)])
                continue
            for record_id, new in zip(records._ids, new_values):
                if not created:
                    old = cache.get_value(record_id, field, env, default=_UNKNOWN)
                    if old is _UNKNOWN:
                        cache.invalidate([(inverse, None)])
                        break
                    if old == new:
                        continue
                    if old is not None:
                        lines = cache.get_value(old, inverse, env, default=None)
                        if lines is not None and record_id in lines:
                            cache.set_value(
                                old, inverse, tuple(i for i in lines if i != record_id), env
                            )
                if new is not None:
                    lines = cache.get_value(new, inverse, env, default=None)
                    if lines is not None and record_id not in lines:
                        cache.set_value(new, inverse, lines + (record_id,), env)

    # ------------------------------------------------------------------------------------------
    # write
    # ------------------------------------------------------------------------------------------
    def write(self, vals: dict) -> bool:
        """Update ``self`` with ``vals``; sent to the database by the next flush."""
        if not self._ids:
            return True
        if not isinstance(vals, dict):
            raise ValueError(f"write() on {self._name} expects a dict, got {vals!r}")
        self._check_access("write")
        env = self.env
        fields = [self._field_or_error(name) for name in vals]
        if not env.su:
            from erplite import security

            security.check_field_access(self, list(vals), "write")
            self._check_rules("write")
        cache = env.transaction.cache
        towrite = env.transaction.towrite[self._name]

        columns = []
        x2many = []
        inverse: dict[Any, Any] = {}
        for field in fields:
            value = vals[field.name]
            if field.name == "id":
                raise ValueError(f"Field 'id' of {self._name} cannot be written")
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

        relational = [f.name for f, _v in columns if f.relational] + [f.name for f, _c in x2many]
        if relational:
            self.modified(relational, before=True)
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
        if not towrite:
            env.transaction.towrite.pop(self._name, None)
        with self._protecting_given(self, [set(vals)] * len(self._ids)):
            for field, commands in x2many:
                field.write_commands(self, commands)
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

    def _run_inverses(self, values: dict) -> None:
        """Call the inverse methods of non-stored fields given in ``values``."""
        env = self.env
        cache = env.transaction.cache
        by_method: dict[Any, list] = defaultdict(list)
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
                    list(self._ids),
                    self._name,
                )
            )
        else:
            self._execute_write(SQL("DELETE FROM %s WHERE id = ANY(%s)", table, list(self._ids)))
        # the database cascaded deletions and nullified references: forget every cached value
        env.transaction.cache.invalidate()
        return True

    # ------------------------------------------------------------------------------------------
    # read
    # ------------------------------------------------------------------------------------------
    def read(self, fields: list[str] | None = None, load: str = "_classic_read") -> list[dict]:
        """The values of ``fields`` (all readable fields by default) as dicts; a many2one is
        ``(id, display_name)`` unless ``load`` is falsy or ``'_classic_write'``."""
        self._check_access("read")
        names = self._read_field_names(fields)
        if not self._ids:
            return []
        if not self.env.su:
            # Values already in the transaction cache (loaded by sudo() or by another user)
            # are not fetched again, so the fetch cannot filter them: check the record rules
            # of those records here, as Odoo's read() does.
            self._cached_records(names)._check_rules("read")
        self._read_into_cache(names)
        return self._read_format(names, load)

    def _cached_records(self, names: list[str]) -> Any:
        """The records of ``self`` whose stored columns among ``names`` are all cached."""
        env = self.env
        cache = env.transaction.cache
        columns = [
            self._fields[n]
            for n in names
            if n != "id" and self._fields[n].store and self._fields[n].column_type is not None
        ]
        return self.browse(
            [i for i in self._ids if all(cache.contains(i, field, env) for field in columns)]
        )

    def _read_field_names(self, fields: list[str] | None) -> list[str]:
        from erplite import security

        env = self.env
        if fields:
            for name in fields:
                self._field_or_error(name)
            if not env.su:
                security.check_field_access(self, fields, "read")
            names = list(fields)
        else:
            names = [
                name
                for name, field in self._fields.items()
                if env.su or not field.groups or security.field_accessible(env, field)
            ]
        if "id" not in names:
            names.insert(0, "id")
        return names

    def _read_into_cache(self, names: list[str]) -> None:
        columns = [
            self._fields[n]
            for n in names
            if self._fields[n].store and self._fields[n].column_type is not None and n != "id"
        ]
        env = self.env
        cache = env.transaction.cache
        records = self
        if columns:
            for field in columns:
                if field.compute:
                    records._ensure_cached(field)
            ids = set(self._ids)
            lacking: set = set()
            for field in columns:
                lacking |= ids - cache._field_dict(field, env).keys()
            missing = [i for i in self._ids if i in lacking] if lacking else []
            if missing:
                fetched = self.browse(missing)._fetch_fields(
                    list(dict.fromkeys(columns + self._prefetch_fields(columns[0])))
                )
                lost = [i for i in missing if i not in set(fetched)]
                if lost:
                    self._raise_missing_or_forbidden(lost, "read")
        for name in names:
            field = self._fields[name]
            if name != "id" and field not in columns:
                records._ensure_cached(field)

    def _read_format(self, names: list[str], load: str = "_classic_read") -> list[dict]:
        env = self.env
        cache = env.transaction.cache
        use_display_name = bool(load) and load != "_classic_write"
        if use_display_name:
            self._prefetch_display_names(names)
        ids = self._ids
        result = [{"id": record_id} for record_id in ids]
        records = None
        # field by field, over the cache's dict of each (the same values as one
        # convert_to_read per record and field, without the per-record overhead)
        for name in names:
            if name == "id":
                continue
            field = self._fields[name]
            data = cache._field_dict(field, env)
            convert = field.convert_to_read
            if type(field).convert_to_read is _BASE_CONVERT_TO_READ:
                for values, record_id in zip(result, ids, strict=True):
                    value = data.get(record_id)
                    values[name] = False if value is None else value
                continue
            if field.type == "many2one" and use_display_name:
                su_env = env(su=True)
                display_field = su_env[field.comodel_name]._fields["display_name"]
                display = cache._field_dict(display_field, su_env)
                for index, record_id in enumerate(ids):
                    value = data.get(record_id)
                    if value is None:
                        result[index][name] = False
                        continue
                    label = display.get(value)
                    if isinstance(label, str):
                        result[index][name] = (value, label)
                        continue
                    if records is None:
                        records = list(self)
                    result[index][name] = convert(value, records[index], True)
                continue
            if records is None:
                records = list(self)
            x2many = field.type in _X2MANY
            for values, record_id, record in zip(result, ids, records, strict=True):
                value = data.get(record_id)
                if value is None and x2many:
                    value = ()
                values[name] = convert(value, record, use_display_name)
        return result

    def _prefetch_display_names(self, names: list[str]) -> None:
        """Compute the display names of every many2one value to read, one batch per comodel.

        A comodel whose display name is its plain record name (``_joinable_display_name``)
        takes it from the cached names, as its ``_compute_display_name`` would."""
        env = self.env
        cache = env.transaction.cache
        targets: dict[str, set] = defaultdict(set)
        plain_names: dict[str, Any] = {}
        for name in names:
            field = self._fields[name]
            if field.type == "many2one":
                for value in cache.get_values(self._ids, field, env):
                    if value:
                        targets[field.comodel_name].add(value)
                if field.comodel_name not in plain_names:
                    plain_names[field.comodel_name] = self._joinable_display_name(field)
        if not targets:
            return
        su_env = env(su=True)
        for comodel, ids in targets.items():
            records = su_env[comodel].browse(sorted(ids))
            display_field = records._fields["display_name"]
            name_field = plain_names.get(comodel)
            if name_field is not None and display_field not in env.transaction.protected:
                display = cache._field_dict(display_field, su_env)
                record_names = cache._field_dict(name_field, su_env)
                for record_id in records._ids:
                    if record_id not in display and record_id in record_names:
                        display[record_id] = display_field.convert_to_cache(
                            record_names[record_id] or False, records, validate=False
                        )
            records._ensure_cached(display_field)

    # ------------------------------------------------------------------------------------------
    # misc public methods
    # ------------------------------------------------------------------------------------------
    def exists(self) -> Any:
        """The records of ``self`` that are still in the database."""
        if not self._ids:
            return self
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = ANY(%s)", SQL.identifier(self._table), list(self._ids)
            ),
            flush=False,
        )
        found = {row[0] for row in self.env.cr.fetchall()}
        return self.browse([i for i in self._ids if i in found])

    def copy_data(self, default: dict | None = None) -> list[dict]:
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

    def copy(self, default: dict | None = None) -> Any:
        """Duplicate the record; fields with ``copy=False`` take their default."""
        self.ensure_one()
        return self.create(self.copy_data(default)[0])

    @api.model
    def name_create(self, name: str) -> tuple[int, str] | bool:
        if not self._rec_name:
            return False
        record = self.create({self._rec_name: name})
        return record.id, record.display_name

    @api.model
    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict:
        """The definitions of the fields the user may see, as Odoo's ``fields_get``."""
        from erplite import security

        env = self.env
        result = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            if field.groups and not env.su and not security.field_accessible(env, field):
                continue
            description = {
                "type": field.type,
                "string": field.string,
                "help": field.help or "",
                "required": bool(field.required),
                "readonly": bool(field.readonly),
                "store": bool(field.store),
                "searchable": bool(field.store or field.search or field.related),
                "sortable": bool(field.store and field.column_type is not None),
                "groupable": bool(field.store and field.column_type is not None),
                "manual": False,
                "depends": list(field.depends or ()),
                "company_dependent": False,
                "name": name,
            }
            if field.relational:
                description["relation"] = field.comodel_name
                description["domain"] = field.domain if isinstance(field.domain, list) else []
                description["context"] = field.context if isinstance(field.context, dict) else {}
            if field.type == "one2many":
                description["relation_field"] = field.inverse_name
            if field.type == "selection":
                description["selection"] = [list(item) for item in field._selection(self)]
            if field.type == "char" and getattr(field, "size", None):
                description["size"] = field.size
            if attributes:
                description = {k: v for k, v in description.items() if k in attributes}
            result[name] = description
        return result

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
        # Company consistency is checked by create() and write(), as in Odoo, not here: this
        # also runs after recomputations, where reading company_id could recompute it again.

    # hierarchy -----------------------------------------------------------------------------
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

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        """Whether the user's access rights allow ``operation`` on this model."""
        if self.env.su:
            return True
        from erplite import security

        return security.check_model_access(self.env, self._name, operation, raise_exception)

    def check_access_rule(self, operation: str) -> None:
        """Raise ``AccessError`` if a record rule refuses ``operation`` on ``self``."""
        self._check_rules(operation)

    def _filter_access_rules(self, operation: str) -> Any:
        """The records of ``self`` the record rules allow for ``operation``."""
        if self.env.su or not self._ids:
            return self
        from erplite import security
        from erplite.orm.query import Query

        query = Query(self.env, self._table)
        condition = security.rule_sql(self, operation, query.alias, query)
        if condition is None:
            return self
        self.env.flush_all()
        query.add_where(SQL("%s = ANY(%s)", SQL.identifier(query.alias, "id"), list(self._ids)))
        query.add_where(condition)
        self.env.cr.execute(query.select(), flush=False)
        allowed = {row[0] for row in self.env.cr.fetchall()}
        return self.browse([i for i in self._ids if i in allowed])

    def check_access(self, operation: str) -> None:
        """Odoo 18's combined check: access rights, then record rules."""
        self.check_access_rights(operation)
        self.check_access_rule(operation)


_UNKNOWN = object()


class _CrudPlan:
    """The fields of a model sorted for create (see ``CrudMixin._crud_plan``)."""

    def __init__(self, fields: dict):
        self.columns = tuple(
            (name, f)
            for name, f in fields.items()
            if f.store and f.column_type is not None and name != "id"
        )
        self.required = tuple(
            f for name, f in self.columns if f.required and not f.compute and f.type != "boolean"
        )
        self.x2many = tuple(f for f in fields.values() if f.type in _X2MANY and f.store)
        self.many2one = tuple(f for f in fields.values() if f.type == "many2one" and f.store)
        self.stored_computed = tuple(f for f in fields.values() if f.store and f.compute)
        self.missing: dict[frozenset, list[str]] = {}  # keys given -> fields to default


_INSERT_TEMPLATES: dict[tuple, str] = {}


def _insert_template(table: str, fields: list, constant: tuple | None) -> str:
    """The text of the INSERT of ``fields`` into ``table``, built once per shape: one row
    (``constant`` is None: ``VALUES (%s, ...)``), or several rows where the columns flagged
    in ``constant`` are one parameter each and the others arrays unnested together (their
    parameters come after the constants'; without arrays, the last one is the row count)."""
    key = (table, tuple((f.column_name, f.column_type[0]) for f in fields), constant)
    template = _INSERT_TEMPLATES.get(key)
    if template is not None:
        return template

    def quoted(*names: str) -> str:
        return SQL.identifier(*names).text.replace("%", "%%")

    names = ", ".join(quoted(f.column_name) for f in fields)
    if constant is None:
        values = ", ".join(["%s"] * len(fields))
        template = f"INSERT INTO {quoted(table)} ({names}) VALUES ({values}) RETURNING id"
    else:
        selected = []
        arrays = []
        aliases = []
        for f, is_constant in zip(fields, constant):
            if is_constant:
                selected.append(f"%s::{f.column_type[0]}")
            else:
                alias = f"c{len(arrays)}"
                selected.append(quoted("u", alias))
                aliases.append(quoted(alias))
                arrays.append(f"%s::{f.column_type[0]}[]")
        if arrays:
            template = (
                f"INSERT INTO {quoted(table)} ({names}) SELECT {', '.join(selected)} "
                f"FROM unnest({', '.join(arrays)}) AS u({', '.join(aliases)}) RETURNING id"
            )
        else:
            template = (
                f"INSERT INTO {quoted(table)} ({names}) SELECT {', '.join(selected)} "
                "FROM generate_series(1, %s) RETURNING id"
            )
    if len(_INSERT_TEMPLATES) < 10000:
        _INSERT_TEMPLATES[key] = template
    return template


def _is_constant(column: list) -> bool:
    """Whether every value of ``column`` is the same plain value (sent once, not as an array)."""
    first = column[0]
    if not isinstance(first, str | int | float | datetime.date | type(None)):
        return False
    first_type = type(first)
    return all(value == first and type(value) is first_type for value in column)


class NewId:
    """The id of a record not in the database yet (a ``precompute`` computation); false,
    hashable by identity, ordered after every real id."""

    __slots__ = ("sequence",)
    _counter = 0

    def __init__(self) -> None:
        NewId._counter += 1
        self.sequence = NewId._counter

    def __bool__(self) -> bool:
        return False

    def __lt__(self, other: Any) -> bool:
        return isinstance(other, NewId) and self.sequence < other.sequence

    def __gt__(self, other: Any) -> bool:
        return not isinstance(other, NewId) or self.sequence > other.sequence

    def __repr__(self) -> str:
        return f"<NewId {self.sequence}>"
