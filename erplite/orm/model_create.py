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
from collections.abc import Iterable
from operator import itemgetter
from typing import Any, cast

from erplite import api
from erplite.exceptions import ValidationError
from erplite.orm import arguments
from erplite.orm.arrays import array_value
from erplite.orm.commands import Command, normalize_commands
from erplite.orm.environment import Protection
from erplite.orm.fields import Field
from erplite.orm.model_compute import ComputeMixin
from erplite.sql import SQL, BinaryParam

_X2MANY = ("one2many", "many2many")
#: ``Field.convert_to_column``, the identity: such columns are sent as cached
_PLAIN_TO_COLUMN = Field.convert_to_column


class CreateMixin(ComputeMixin):
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

    # ------------------------------------------------------------------------------------------
    # defaults
    # ------------------------------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]:
        """Default values of ``fields_list``: ``default_<name>`` context keys, then field
        defaults, then (for ``_inherits`` fields) the parent model's ``default_get``; values
        are in ``write()`` format.

        :raises InvalidArgument: ``fields_list`` is not a list (or set) of field names."""
        if not isinstance(fields_list, set | frozenset):
            arguments.check_field_names(self, fields_list, "fields_list")
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
            fields = self._fields
            defaulted = [
                name
                for name in missing
                if fields[name].default is not None
                or (fields[name].inherited and fields[name].inherited_field is not None)
            ]
            if len(plan.missing) < 1000:
                plan.missing[key] = missing
                plan.defaulted[key] = defaulted
        else:
            defaulted = plan.defaulted[key]
        env = self.env
        context_defaults = env.__dict__.get("_context_defaults")
        if context_defaults is None:  # whether the context has default_ keys, once per env
            context_defaults = any(name.startswith("default_") for name in env.context)
            env.__dict__["_context_defaults"] = context_defaults
        if type(self).default_get is CreateMixin.default_get and not context_defaults:
            # the plain default_get gives nothing for the fields without a default
            missing = defaulted
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
        return {**defaults, **vals} if defaults else vals

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
        if type(self).modified is not ComputeMixin.modified:  # an override must run
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

    def _fusable_lines(self, relational: list[dict]) -> list | None:
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
        # the environment of One2many.write_commands (active_test off), derived once
        inactive = env.__dict__.get("_create_lines_env")
        if inactive is None:
            inactive = env(context={**env.context, "active_test": False})
            env.__dict__["_create_lines_env"] = inactive
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
        cls = type(self)
        known = cls.__dict__.get("_creates_plainly_cache")
        if known is None:
            known = {}
            cls._creates_plainly_cache = known
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
            and all(
                getattr(cls, name) is getattr(CreateMixin, name)
                for name in (
                    "create",
                    "_create_records",
                    "_create_rows",
                    "_precompute_rows",
                    "_create",
                    "_insert_statement",
                    "_create_cache",
                    "_create_x2many",
                    "_create_finish",
                )
            )
            and not any(
                path and path[0] is field
                for f in self._fields.values()
                if f.precompute and f.store and f.compute
                for path in self.env.registry.field_depends_paths(f)
            )
        )
        known[link_name] = result
        return result

    def _create_with_lines(self, row: dict, lines: list) -> Any:
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
        fused = SQL.__new__(SQL)
        fused.text = ", ".join(ctes) + ", ".join(results)
        fused.params = tuple(params)
        self._execute_write(fused)
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
            getter = plan.columns_getter
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


_UNKNOWN = object()


class _CrudPlan:
    """The fields of a model sorted for create (see ``CrudMixin._crud_plan``)."""

    def __init__(self, fields: dict, company_moves: frozenset[str]):
        self.columns = tuple(
            (name, f)
            for name, f in fields.items()
            if f.store and f.column_type is not None and name != "id"
        )
        # every column None, and a getter of all of them (precompute's transposition)
        self.columns_blank = dict.fromkeys(name for name, _f in self.columns)
        self.columns_getter = itemgetter(*self.columns_blank) if self.columns else None
        # how create takes each field's value (see _create_rows)
        self.kinds = {}
        for name, f in fields.items():
            if f.type in _X2MANY and f.store:
                self.kinds[name] = _KIND_X2MANY
            elif f.store and f.column_type is not None and name != "id":
                self.kinds[name] = _KIND_COLUMN_INVERSE if f.inverse and f.compute else _KIND_COLUMN
            elif f.inverse:
                self.kinds[name] = _KIND_INVERSE
            else:
                self.kinds[name] = _KIND_IGNORED
        self.required = tuple(
            f for name, f in self.columns if f.required and not f.compute and f.type != "boolean"
        )
        self.x2many = tuple(f for f in fields.values() if f.type in _X2MANY and f.store)
        self.many2one = tuple(f for f in fields.values() if f.type == "many2one" and f.store)
        # (amount, currency) column names of the Monetary columns (see _round_monetary_rows)
        self.monetary = tuple(
            (name, currency)
            for name, f in self.columns
            if f.type == "monetary"
            and (currency := f.currency_field_in(fields)) is not None
            and fields[currency].store
        )
        self.stored_computed = tuple(f for f in fields.values() if f.store and f.compute)
        self.computed_names = frozenset(name for name, f in fields.items() if f.compute)
        # the fields whose change moves a record to another company (write re-checks rules)
        self.company_moves = company_moves
        self.precompute = tuple(
            f
            for f in fields.values()
            if f.precompute and f.store and f.compute and f.column_type is not None
        )
        # keys given -> fields to default; the same without those default_get leaves out
        self.missing: dict[frozenset, list[str]] = {}
        self.defaulted: dict[frozenset, list[str]] = {}
        # precomputed field -> its first-hop dependencies that are no column (see
        # _precompute_rows), filled on first use (the registry's dependencies are needed)
        self.precompute_late: dict[Any, frozenset] | None = None
        # frozenset of computed names given -> the fields to protect (_protecting_given)
        self.protected: dict[frozenset, frozenset] = {}
        # what depends on any field of a new record (records.modified(all fields, create=True))
        self.create_tree: dict | None = None


_KIND_IGNORED, _KIND_COLUMN, _KIND_COLUMN_INVERSE, _KIND_X2MANY, _KIND_INVERSE = range(5)
_INSERT_TEMPLATES: dict[tuple, str] = {}
#: the CTE of the parent inserted with its lines (``CreateMixin._create_with_lines``)
_PARENT_ALIAS = "_new_parent"
#: the row value of a line's link to its parent, until the statement gives the parent's id
_LINK = type("_Link", (), {"__repr__": lambda self: "<parent id>", "__slots__": ()})()
#: the flag of the link column in ``_insert_template``'s ``constant``
_LINK_FLAG = "link"


def _insert_template(table: str, fields: list, constant: tuple | None) -> str:
    """The text of the INSERT of ``fields`` into ``table``, built once per shape: one row
    (``constant`` is None: ``VALUES (%s, ...)``), or several rows where the columns flagged
    in ``constant`` are one parameter each and the others arrays unnested together (their
    parameters come after the constants'; without arrays, the last one is the row count). A
    column flagged ``_LINK_FLAG`` takes the id of the CTE ``_PARENT_ALIAS`` (no parameter)."""
    key = (table, tuple(fields), constant)  # a field's column never changes
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
        sources = ""
        for f, is_constant in zip(fields, constant):
            if is_constant == _LINK_FLAG:
                selected.append(quoted(_PARENT_ALIAS, "id"))
                sources = f"{quoted(_PARENT_ALIAS)}, "
            elif is_constant:
                selected.append(f"%s::{f.column_type[0]}")
            else:
                alias = f"c{len(arrays)}"
                selected.append(quoted("u", alias))
                aliases.append(quoted(alias))
                arrays.append(f"%s::{f.column_type[0]}[]")
        if arrays:
            template = (
                f"INSERT INTO {quoted(table)} ({names}) SELECT {', '.join(selected)} "
                f"FROM {sources}unnest({', '.join(arrays)}) AS u({', '.join(aliases)}) "
                "RETURNING id"
            )
        else:
            template = (
                f"INSERT INTO {quoted(table)} ({names}) SELECT {', '.join(selected)} "
                f"FROM {sources}generate_series(1, %s) RETURNING id"
            )
    if len(_INSERT_TEMPLATES) < 10000:
        _INSERT_TEMPLATES[key] = template
    return template


def _fragment(template: str, params: list) -> SQL:
    """``SQL(template, *params)`` for a template of ``_insert_template``, without parsing it
    again when no parameter goes in binary (``%b``)."""
    if any(type(param) is BinaryParam for param in params):
        return SQL(template, *params)
    fragment = SQL.__new__(SQL)
    fragment.text = template
    fragment.params = tuple(params)
    return fragment


def _is_constant(column: list) -> bool:
    """Whether every value of ``column`` is the same plain value (sent once, not as an array)."""
    first = column[0]
    if not isinstance(first, str | int | float | datetime.date | type(None)):
        return False
    # equal values (counted in C), all of one type (1 == 1.0 == True must not mix)
    return column.count(first) == len(column) and len(set(map(type, column))) == 1


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
