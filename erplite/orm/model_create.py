"""create and its helpers: default values, precomputation, the INSERT and the caches it fills.

``create`` inserts all records of one call in one statement (``INSERT ... SELECT FROM
unnest(arrays)``) and fills the cache with what it inserted; it marks the stored computed fields
that depend on the new records, validates ``@api.constrains`` and goes through the security
layer (access rights, record rules, field groups) unless the environment is a superuser one.
``CrudMixin`` (``model_crud``) builds on it with write, unlink and read.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from erplite import api
from erplite.exceptions import ValidationError
from erplite.orm import arguments
from erplite.orm.arrays import array_value
from erplite.orm.commands import Command, normalize_commands
from erplite.orm.create_plan import (
    _KIND_COLUMN,
    _KIND_COLUMN_INVERSE,
    _KIND_INVERSE,
    _KIND_X2MANY,
    _LINK,
    _LINK_FLAG,
    _CrudPlan,
    _fragment,
    _insert_template,
    _is_constant,
)
from erplite.orm.environment import Protection
from erplite.orm.fields import Field
from erplite.orm.ids import NewId
from erplite.orm.model_access import AccessMixin
from erplite.orm.model_triggers import TriggersMixin
from erplite.sql import SQL

if TYPE_CHECKING:
    from collections.abc import Callable

#: ``Field.convert_to_column``, the identity: such columns are sent as cached
_PLAIN_TO_COLUMN = Field.convert_to_column


class CreateMixin(AccessMixin):
    # ------------------------------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------------------------------
    def _field_or_error(self, name: str) -> Any:
        field = self._fields.get(name)
        if field is None:
            raise arguments.field_error(self, name)
        return field

    def _now(self) -> datetime.datetime:
        transaction = self.env.transaction
        now = getattr(transaction, "now", None)
        if now is None:
            now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
            transaction.now = now
        return now

    def _crud_plan(self) -> _CrudPlan:
        """What create needs to know of this model's fields, worked out once per class."""
        cls = type(self)
        plan = cls.__dict__.get("_crud_plan_cache")
        if plan is None:
            plan = _CrudPlan(self._fields, self._company_moving_fields(self._fields))
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
                raise arguments.values_error(self, "create", vals, "dicts")
            names.update(vals)
        for name in names:
            self._field_or_error(name)
        if not env.su:
            self._check_field_access(names, "write")
            if self._protected_names:
                self._check_protected_create(vals_list)
            if self._has_rules("create"):
                # the rules are checked on the inserted rows: a refusal must undo everything
                # the creation did, even when the caller catches the error
                with env.cr.savepoint():
                    records = self._create_records(vals_list)
                    records._check_rules("create")
                return records
        return self._create_records(vals_list)

    def _create_records(self, vals_list: list[dict]) -> Any:
        """The body of ``create`` once access rights and field groups are checked."""
        rows, relational, inverses, given = self._create_rows(vals_list)
        self._precompute_rows(rows, given)
        if self._crud_plan().monetary:
            self._round_monetary_rows(rows)
        lines = self._fusable_lines(relational) if len(rows) == 1 else None
        if lines:
            records = self._create_with_lines(rows[0], lines)
        else:
            records = self._create(rows)
            self._create_x2many(records, relational)
        self._create_finish(records, inverses, given)
        return records

    def _create_rows(
        self, vals_list: list[dict], link: Any = None
    ) -> tuple[list[dict], list[dict], list[dict], list[set]]:
        """Per record of ``vals_list`` (defaults added, ``_inherits`` parents created): the row
        to insert (cache values of stored columns), the x2many values, the values of fields
        with an inverse method, and the names given. ``link`` is the many2one whose value is
        the id of a parent inserted by the same statement (``_create_with_lines``): its row
        value stays the placeholder ``_LINK`` until then."""
        vals_list = [self._add_missing_default_values(vals) for vals in vals_list]
        vals_list = self._create_parents(vals_list)

        rows: list[dict] = []
        relational: list[dict] = []
        inverses: list[dict] = []
        given: list[set] = []
        fields = self._fields
        plan = self._crud_plan()
        required = plan.required
        kinds = plan.kinds
        link_name = link.name if link is not None else None
        for vals in vals_list:
            row: dict[str, Any] = {}
            x2many: dict[Any, Any] = {}
            inverse: dict[Any, Any] = {}
            for name, value in vals.items():
                kind = kinds[name]
                if kind == _KIND_COLUMN:
                    if name == link_name:
                        row[name] = _LINK
                    else:
                        row[name] = fields[name].convert_to_cache(value, self)
                elif kind == _KIND_X2MANY:
                    x2many[fields[name]] = value  # computed ones too: the value given wins
                elif kind == _KIND_COLUMN_INVERSE:
                    field = fields[name]
                    row[name] = field.convert_to_cache(value, self)
                    inverse[field] = value
                elif kind == _KIND_INVERSE:
                    inverse[fields[name]] = value
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
        return rows, relational, inverses, given

    def _round_monetary_rows(self, rows: list[dict]) -> None:
        """Round the amounts of ``rows`` to the currency each row gives (``Monetary``): a new
        record's currency is known only from its row (a value given, defaulted or
        precomputed)."""
        currencies = self.env["res.currency"].sudo()
        monetary = self._crud_plan().monetary
        for row in rows:
            for name, currency_name in monetary:
                value = row.get(name)
                currency_id = row.get(currency_name)
                if value and isinstance(currency_id, int):
                    row[name] = currencies.browse(currency_id).round(value)

    def _create_x2many(self, records: Any, relational: list[dict]) -> None:
        """Apply the x2many values of the new ``records`` (``relational[i]`` for the i-th):
        the lines that every record is given through ``Command.create`` only are created
        together, one ``create`` per one2many field for all the records, as Odoo does."""
        env = self.env
        cache = env.transaction.cache
        # new records have no lines yet: reading them must not query
        for field in self._crud_plan().x2many:
            cache.update(records._ids, field, [()] * len(records._ids), env)
        if not any(relational):
            return
        groups: dict[Any, list] = defaultdict(list)
        for record, x2many in zip(records, relational):
            for field, value in x2many.items():
                groups[field].append((record, normalize_commands(value, field)))
        for field, items in groups.items():
            if (
                len(items) > 1
                and field.type == "one2many"
                and all(c[0] == Command.CREATE for _record, commands in items for c in commands)
            ):
                inverse = field.inverse_name
                to_create = []
                for record, commands in items:
                    for command in commands:
                        vals = dict(command[2] or {})
                        vals[inverse] = record.id
                        to_create.append(vals)
                if to_create:
                    env[field.comodel_name].with_context(active_test=False).create(to_create)
                continue
            for record, commands in items:
                field.write_commands(record, commands)

    def _create_finish(self, records: Any, inverses: list[dict], given: list[set]) -> None:
        """What follows the INSERT of ``records`` and their lines: the inverse methods, the
        stored computed fields to compute, the dependents to mark, the constraints."""
        env = self.env
        if any(inverses):
            for record, inverse in zip(records, inverses):
                if inverse:
                    record._run_inverses(inverse)

        # stored computed fields of the new records, unless their value was given
        plan = self._crud_plan()
        for field in plan.stored_computed:
            ids = [rid for rid, names in zip(records._ids, given) if field.name not in names]
            if ids:
                env.add_to_compute(field, ids)
        # values given for computed fields win over their computation: protect them (and the
        # fields computed by the same method) while the dependents are marked, as Odoo does
        if type(self).modified is not TriggersMixin.modified:  # an override must run
            with self._protecting_given(records, given):
                records.modified(self._fields, create=True)
        else:
            # records.modified(all fields, create=True), its trigger tree looked up once
            if plan.create_tree is None:
                plan.create_tree = env.registry.get_trigger_tree(tuple(self._fields.values()))
            if plan.create_tree and records._ids:
                with self._protecting_given(records, given):
                    records._modified_triggers(plan.create_tree, True)
        names = set().union(*given) if given else set()
        records._validate_fields(names)
        if self._check_company_auto:
            records._check_company()

    def _precompute_rows(self, rows: list[dict], given: list[set]) -> None:
        """Fill ``rows`` with the stored computed fields marked ``precompute`` that were not
        given, so that the INSERT carries them (Odoo's ``precompute``): they are computed on
        temporary records (``NewId``) whose cache holds the rows' values, and count as given
        afterwards (no recomputation, no UPDATE)."""
        plan = self._crud_plan()
        fields = plan.precompute
        if not fields:
            return
        late_hops = plan.precompute_late
        if late_hops is None:
            # a row is precomputed unless its value for a first-hop dependency is not a column
            # yet (x2many commands, inverse fields): it is then computed after the INSERT
            late = {
                name
                for name, f in self._fields.items()
                if not (f.store and f.column_type is not None)
            }
            registry = self.env.registry
            late_hops = plan.precompute_late = {
                field: frozenset(
                    path[0].name
                    for path in registry.field_depends_paths(field)
                    if path and path[0].name in late
                )
                for field in fields
            }
        wanted = {
            field: {
                index
                for index, names in enumerate(given)
                if field.name not in names and late_hops[field].isdisjoint(names)
            }
            for field in fields
        }
        todo = sorted(set().union(*wanted.values()))
        if not todo:
            return
        env = self.env
        cache = env.transaction.cache
        new_ids = tuple(NewId() for _index in todo)
        records = self.browse(new_ids)
        # every stored column in cache (None when not given), one C-level transposition
        if plan.columns:
            blank = plan.columns_blank
            getter = cast("Callable[[dict[str, Any]], Any]", plan.columns_getter)
            full = [blank | rows[i] for i in todo]
            by_column = zip(*map(getter, full)) if len(blank) > 1 else [list(map(getter, full))]
            for (_name, field), column in zip(plan.columns, by_column):
                cache.update(new_ids, field, column, env)
        for field in plan.x2many:
            cache.update(new_ids, field, [()] * len(new_ids), env)
        for field in fields:
            env.add_to_compute(field, [nid for nid, i in zip(new_ids, todo) if i in wanted[field]])
        try:
            for field in fields:
                records._recompute_field(field, ids=new_ids)
            for field in fields:
                computed = cache._field_dict(field, env)
                name = field.name
                indexes = wanted[field]
                for nid, index in zip(new_ids, todo):
                    if index in indexes:
                        rows[index][name] = computed.get(nid)
                        given[index].add(name)
        finally:
            for field in fields:
                env.remove_to_compute(field, new_ids)
            pending = env.transaction.towrite.get(self._name)
            if pending is not None:
                for nid in new_ids:
                    pending.pop(nid, None)
                if not pending:
                    env.transaction.towrite.pop(self._name, None)
            # whatever the computation cached for the temporary records
            data = cache._data
            for field in self._fields.values():
                values = data.get(field)
                if values:
                    for target in values.values() if field.depends_context else (values,):
                        for nid in new_ids:
                            target.pop(nid, None)

    def _protecting_given(
        self, records: Any, given: list[set]
    ) -> contextlib.AbstractContextManager:
        """Protect, on each record of ``records``, the computed fields whose value was given
        (``given[i]`` for the i-th record) and the fields computed with them."""
        plan = self._crud_plan()
        computed_names = plan.computed_names
        by_names: dict[frozenset, list[int]] = defaultdict(list)
        if len(given) > 1 and given.count(given[0]) == len(given):
            # the same names for every record (write): one intersection
            hit = computed_names.intersection(given[0])
            if hit:
                by_names[hit] = list(records._ids)
        else:
            for record_id, names in zip(records._ids, given):
                hit = computed_names.intersection(names)
                if hit:
                    by_names[hit].append(record_id)
        if not by_names:
            return contextlib.nullcontext()
        computed = self.env.registry.field_computed
        groups: dict[frozenset, list[int]] = defaultdict(list)
        for hit, ids in by_names.items():
            fields = plan.protected.get(hit)
            if fields is None:
                fields = frozenset(
                    companion
                    for name in hit
                    for companion in computed.get(self._fields[name], [self._fields[name]])
                )
                if len(plan.protected) < 1000:
                    plan.protected[hit] = fields
            groups[fields].extend(ids)
        return Protection(self.env.transaction, list(groups.items()))

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
                    if field.inherited and cast(str, field.related).split(".", 1)[0] == fk:
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
        statement, values, columns = self._insert_statement(rows)
        self._execute_write(statement)
        ids = tuple(row[0] for row in self.env.cr.fetchall())
        return self._create_cache(ids, values, columns)

    def _insert_statement(self, rows: list[dict], link: Any = None) -> tuple[SQL, list, list]:
        """The INSERT of ``rows`` returning the new ids, the rows' values (``rows`` completed
        with the magic columns) and the names of the columns it sets. The column of the
        many2one ``link`` takes the id of the CTE ``_PARENT_ALIAS`` (``_create_with_lines``)."""
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
        blank = dict.fromkeys(columns)
        values = [blank | row | magic for row in rows]
        if len(values) == 1:
            only = values[0]
            columns = [name for name in columns if only[name] is not None or name in magic]
        else:
            columns = [
                name
                for name in columns
                if name in magic or any(v[name] is not None for v in values)
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
        elif len(rows) == 1 and link is None:
            only = values[0]
            params = [
                only[f.name]
                if type(f).convert_to_column is _PLAIN_TO_COLUMN
                else f.convert_to_column(only[f.name])
                for f in fields
            ]
            statement = _fragment(_insert_template(self._table, fields, None), params)
        else:
            # a column with one value for every row (the magic columns, a parent id...) is one
            # parameter; the others are arrays, sent in binary, unnested together
            constants = []
            arrays = []
            flags: list[Any] = []
            for f in fields:
                if f is link:
                    flags.append(_LINK_FLAG)
                    continue
                name = f.name
                if type(f).convert_to_column is _PLAIN_TO_COLUMN:
                    column = [v[name] for v in values]
                else:
                    column = [f.convert_to_column(v[name]) for v in values]
                constant = _is_constant(column)
                flags.append(constant)
                if constant:
                    constants.append(column[0])
                else:
                    arrays.append(array_value(column))
            params = constants + arrays if arrays else [*constants, len(rows)]
            statement = _fragment(_insert_template(self._table, fields, tuple(flags)), params)
        return statement, values, columns

    def _create_cache(self, ids: tuple, values: list[dict], columns: list[str]) -> Any:
        """The records ``ids`` just inserted with ``values`` (``_insert_statement``): their
        columns in cache, the cached one2many values of the records they point to updated."""
        env = self.env
        plan = self._crud_plan()
        records = self.browse(ids)
        cache = env.transaction.cache
        in_columns = set(columns)
        cached = [
            (name, field) for name, field in plan.columns if not field.compute or name in in_columns
        ]
        if len(ids) == 1:
            only = values[0]
            record_id = ids[0]
            for name, field in cached:
                cache.set_value(record_id, field, only.get(name), env)
        elif cached:
            # every value holds these names (see _insert_statement): one C-level transposition
            getter = itemgetter(*[name for name, _field in cached])
            by_column = zip(*map(getter, values)) if len(cached) > 1 else [map(getter, values)]
            for (_name, field), column in zip(cached, by_column):
                cache.update(ids, field, column, env)
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
            if created:
                # new records: appended to their parents' cached lines, once per parent
                data = cache._field_dict(inverse, env)
                added: dict[Any, list] = {}
                for record_id, new in zip(records._ids, new_values):
                    if new is not None and new in data:
                        added.setdefault(new, []).append(record_id)
                for parent, ids in added.items():
                    lines = data[parent]
                    if lines is not None:
                        known = set(lines)
                        data[parent] = lines + tuple(i for i in ids if i not in known)
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

    @api.model
    def name_create(self, name: str) -> tuple[int, str] | bool:
        if not self._rec_name:
            return False
        record = self.create({self._rec_name: name})
        return record.id, record.display_name


_UNKNOWN = object()
