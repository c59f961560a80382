"""create and its steps: precomputation, the INSERT and the caches it fills (a mixin of
``BaseModel``; the defaults are ``model_defaults``, a record with its lines in one statement
``model_create_lines``, the per-model plan ``create_plan``).

``create`` inserts all records of one call in one statement (``INSERT ... SELECT FROM
unnest(arrays)``) and fills the cache with what it inserted; it marks the stored computed fields
that depend on the new records, validates ``@api.constrains`` and goes through the security
layer (access rights, record rules, field groups) unless the environment is a superuser one.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable
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
    MAGIC_COLUMNS,
    _CreateTriggers,
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
    from typing import TypeAlias

    from typing_extensions import Self

    from erplite.orm.commands import CommandTuple
    from erplite.orm.fields_relational import Many2many, One2many
    from erplite.orm.recordset import Recordset

    #: the values of one record, by field name (given, or a row's cache values)
    _Vals: TypeAlias = "dict[str, Any]"

#: ``Field.convert_to_column``, the identity: such columns are sent as cached
_PLAIN_TO_COLUMN = Field.convert_to_column
#: the x2many or inverse values of a row that gives none (``_create_rows``): one shared empty
#: dict, read only
_NO_VALUES: dict[Any, Any] = {}
#: ``create`` and the steps of it that ``_create_with_lines`` does for lines in their parent's
#: statement: a model overriding none of them creates its lines "plainly" (``_creates_plainly``)
CREATE_STEPS = (
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


class CreateMixin(AccessMixin):
    __slots__ = ()

    #: whether the model class has the ORM's own ``CREATE_STEPS`` (none overridden); set once
    #: per model class at setup (``erplite.orm.model_setup.setup_create_steps``)
    _create_steps_plain = False
    #: the model class's ``_crud_plan``, made on first use; emptied at setup
    #: (``erplite.orm.model_setup.setup_create_steps``), so a class never uses its parent's
    _crud_plan_cache: _CrudPlan | None = None

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
        """What create needs to know of this model's fields, worked out once per class (on
        first use: it needs the whole registry set up)."""
        plan = self._crud_plan_cache
        if plan is None:
            cls = type(self)
            plan = cls._crud_plan_cache = _CrudPlan(
                self._fields, self._company_moving_fields(self._fields)
            )
        return plan

    # ------------------------------------------------------------------------------------------
    # create
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list: list[_Vals] | _Vals) -> Any:
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

    def _create_records(self, vals_list: list[_Vals]) -> Self:
        """The body of ``create`` once access rights and field groups are checked."""
        rows, relational, inverses, given = self._create_rows(vals_list)
        self._precompute_rows(rows, given)
        if self._crud_plan().monetary:
            self._round_monetary_rows(rows)
        lines = self._fusable_lines(relational) if len(rows) == 1 else None
        if lines:
            records = self._create_with_lines(rows[0], lines, given[0])
        else:
            records = self._create(rows)
            # the lines must not mark again what was given (Odoo 17 protects it as well)
            with self._protecting_given(records, given):
                self._create_x2many(records, relational)
        self._create_finish(records, inverses, given)
        return records

    def _create_rows(
        self, vals_list: list[_Vals], link: Field | None = None
    ) -> tuple[list[_Vals], list[dict[Field, Any]], list[dict[Field, Any]], list[set[str]]]:
        """Per record of ``vals_list`` (defaults added, ``_inherits`` parents created): the row
        to insert (cache values of stored columns), the x2many values, the values of fields
        with an inverse method, and the names given. ``link`` is the many2one whose value is
        the id of a parent inserted by the same statement (``_create_with_lines``): its row
        value stays the placeholder ``_LINK`` until then."""
        vals_list = [self._add_missing_default_values(vals) for vals in vals_list]
        vals_list = self._create_parents(vals_list)

        rows: list[_Vals] = []
        relational: list[dict[Field, Any]] = []
        inverses: list[dict[Field, Any]] = []
        given: list[set[str]] = []
        fields = self._fields
        plan = self._crud_plan()
        required = plan.required
        kinds = plan.kinds
        link_name = link.name if link is not None else None
        # rows giving the same names share one set of names (a create of 10,000 records makes
        # a handful of them, not 10,000); whoever adds names to it copies it first
        names_given: dict[tuple[str, ...], set[str]] = {}
        for vals in vals_list:
            row: dict[str, Any] = {}
            x2many: dict[Any, Any] = _NO_VALUES
            inverse: dict[Any, Any] = _NO_VALUES
            for name, value in vals.items():
                kind = kinds[name]
                if kind == _KIND_COLUMN:
                    if name == link_name:
                        row[name] = _LINK
                    else:
                        row[name] = fields[name].convert_to_cache(value, self)
                elif kind == _KIND_X2MANY:
                    if x2many is _NO_VALUES:
                        x2many = {}
                    x2many[fields[name]] = value  # computed ones too: the value given wins
                elif kind == _KIND_COLUMN_INVERSE:
                    field = fields[name]
                    row[name] = field.convert_to_cache(value, self)
                    if inverse is _NO_VALUES:
                        inverse = {}
                    inverse[field] = value
                elif kind == _KIND_INVERSE:
                    if inverse is _NO_VALUES:
                        inverse = {}
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
            key = tuple(vals)
            names = names_given.get(key)
            if names is None:
                names = names_given[key] = set(key)
            given.append(names)
        return rows, relational, inverses, given

    def _round_monetary_rows(self, rows: list[_Vals]) -> None:
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

    def _create_x2many(self, records: Recordset, relational: list[dict[Field, Any]]) -> None:
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
        groups: dict[Field, list[tuple[Recordset, list[CommandTuple]]]] = defaultdict(list)
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
            relation = cast("One2many | Many2many", field)
            for record, commands in items:
                relation.write_commands(record, commands)

    def _create_finish(
        self,
        records: Recordset,
        inverses: list[dict[Field, Any]],
        given: list[set[str]],
        parent: tuple[Field, int] | None = None,
    ) -> None:
        """What follows the INSERT of ``records`` and their lines: the inverse methods, the
        stored computed fields to compute, the dependents to mark, the constraints.
        ``parent``: the records are lines of the one record ``parent[1]``, inserted with them
        through its one2many ``parent[0]`` (``_create_with_lines``): what they mark on it
        through that field is skipped when its values, computed from them, are protected."""
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
        elif records._ids:
            # records.modified(all fields, create=True), its trigger tree looked up and split
            # once (_CreateTriggers): the records' own stored computed fields are marked above
            triggers = plan.create_triggers
            if triggers is None:
                full = env.registry.get_trigger_tree(tuple(self._fields.values()))
                triggers = plan.create_triggers = _CreateTriggers(full, self._name)
            cache = env.transaction.cache
            if triggers.refresh:
                cache.invalidate([(f, records._ids) for f in triggers.refresh])
            tree = triggers.tree
            if parent is not None and tree is not None:
                tree = self._parent_marked(triggers, *parent)
            if tree is not None:
                if triggers.protect:
                    with self._protecting_given(records, given):
                        records._modified_triggers(tree, True)
                else:
                    records._modified_triggers(tree, True)
        names = set().union(*given) if given else set()
        records._validate_fields(names)
        if self._check_company_auto:
            records._check_company()

    def _parent_marked(
        self, triggers: _CreateTriggers, link: Field, parent_id: int
    ) -> dict[Any, Any] | None:
        """The trigger tree of new lines of the record ``parent_id`` (its one2many ``link``),
        without the branch of ``link`` when that branch would only mark fields of the parent
        whose values are protected there (computed from these lines before the INSERT,
        ``_create_with_lines``): the non-stored ones are dropped from the cache here."""
        fields = triggers.parent_fields(link)
        if fields is None:
            return triggers.tree
        protected = self.env.transaction.protected
        if not all(parent_id in protected.get(f, ()) for f in fields if f.store and f.compute):
            return triggers.tree
        stale = [(f, (parent_id,)) for f in fields if not (f.store and f.compute)]
        if stale:
            self.env.transaction.cache.invalidate(stale)
        return triggers.without(link)

    def _precompute_rows(
        self,
        rows: list[_Vals],
        given: list[set[str]],
        temporary: tuple[NewId, ...] | None = None,
    ) -> None:
        """Fill ``rows`` with the stored computed fields marked ``precompute`` that were not
        given, so that the INSERT carries them (Odoo's ``precompute``): they are computed on
        temporary records (``NewId``) whose cache holds the rows' values, and count as given
        afterwards (no recomputation, no UPDATE). ``temporary``: such records made by the
        caller, one per row, their cache filled (``_precompute_cache``); the caller forgets
        them (``_forget_temporary``)."""
        plan = self._crud_plan()
        fields = plan.precompute
        if not fields:
            return
        late_hops = self._precompute_late_hops()
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
        if temporary is None:
            new_ids = tuple(NewId() for _index in todo)
            self._precompute_cache(rows, todo, new_ids)
        else:
            new_ids = tuple(temporary[index] for index in todo)
        records = self.browse(new_ids)
        everywhere = all(len(wanted[field]) == len(todo) for field in fields)
        if not everywhere:
            for field in fields:
                ids = [nid for nid, i in zip(new_ids, todo) if i in wanted[field]]
                env.add_to_compute(field, ids)
        try:
            if everywhere:
                # every field on every row (nothing given): each method once on them all
                records._compute_temporary(fields)
            else:
                for field in fields:
                    records._recompute_field(field, ids=new_ids)
            for field in fields:
                computed = cache._field_dict(field, env)
                name = field.name
                indexes = wanted[field]
                for nid, index in zip(new_ids, todo):
                    if index in indexes:
                        rows[index][name] = computed.get(nid)
                        given[index] = given[index] | {name}  # a set rows may share
        finally:
            if temporary is None:
                self._forget_temporary(fields, new_ids)

    def _precompute_late_hops(self) -> dict[Field, frozenset[str]]:
        """Per precomputed field, its first-hop dependencies that are no column (x2many
        commands, inverse fields): a row giving one of them is computed after the INSERT."""
        plan = self._crud_plan()
        late_hops = plan.precompute_late
        if late_hops is None:
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
                for field in plan.precompute
            }
        return late_hops

    def _precompute_cache(
        self, rows: list[_Vals], todo: list[int], new_ids: tuple[NewId, ...]
    ) -> None:
        """Put the values of ``rows[i]`` (``i`` in ``todo``) in cache for the temporary record
        ``new_ids[i]``: every stored column (None when not given), in one C-level
        transposition, and no lines for the x2many fields."""
        plan = self._crud_plan()
        env = self.env
        cache = env.transaction.cache
        data = cache._data
        if len(todo) == 1:
            # one record (a parent created with its lines): no transposition
            only = rows[todo[0]]
            new_id = new_ids[0]
            for name, field in plan.columns:
                if field.depends_context:
                    cache.set_value(new_id, field, only.get(name), env)
                else:
                    data[field][new_id] = only.get(name)
        elif plan.columns:
            blank = plan.columns_blank
            getter = cast("Callable[[dict[str, Any]], Any]", plan.columns_getter)
            full = [blank | rows[i] for i in todo]
            by_column = zip(*map(getter, full)) if len(blank) > 1 else [list(map(getter, full))]
            for (_name, field), column in zip(plan.columns, by_column):
                if field.depends_context:
                    cache.update(new_ids, field, column, env)
                else:
                    data[field].update(zip(new_ids, column))
        for field in plan.x2many:
            cache.update(new_ids, field, [()] * len(new_ids), env)

    def _forget_temporary(
        self, fields: Iterable[Field], new_ids: tuple[NewId, ...], lent: bool = False
    ) -> None:
        """Take the temporary records of a precomputation out of the recompute queue of
        ``fields``, the pending writes and whatever the computation cached for them.
        ``lent``: ``new_ids`` come from ``Cache.take_temporary``; given back, they keep
        their values of the fields every precomputation sets first (``_precompute_cache``)."""
        env = self.env
        for field in fields:
            env.remove_to_compute(field, new_ids)
        pending = env.transaction.towrite.get(self._name)
        if pending is not None:
            for nid in new_ids:
                pending.pop(nid, None)
            if not pending:
                env.transaction.towrite.pop(self._name, None)
        cache = env.transaction.cache
        data = cache._data
        plan = self._crud_plan()
        kept = lent and cache.give_back_temporary(self._name, new_ids)
        for field in plan.not_overwritten if kept else self._fields.values():
            values = data.get(field)
            if values:
                for target in values.values() if field.depends_context else (values,):
                    for nid in new_ids:
                        target.pop(nid, None)

    def _protecting_given(
        self, records: Recordset, given: list[set[str]]
    ) -> contextlib.AbstractContextManager[None]:
        """Protect, on each record of ``records``, the computed fields whose value was given
        (``given[i]`` for the i-th record) and the fields computed with them."""
        plan = self._crud_plan()
        computed_names = plan.computed_names
        by_names: dict[frozenset[str], list[int]] = defaultdict(list)
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
        groups: dict[frozenset[Field], list[int]] = defaultdict(list)
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

    def _create_parents(self, vals_list: list[_Vals]) -> list[_Vals]:
        """``_inherits``: create the parent records first, with the fields they own."""
        if not self._inherits:
            return vals_list
        result = [dict(vals) for vals in vals_list]
        for parent_model, fk in self._inherits.items():
            todo: list[tuple[_Vals, _Vals]] = []
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

    def _create(self, rows: list[_Vals]) -> Self:
        """INSERT ``rows`` (cache-format values of stored columns) in one statement; fill the
        cache with every stored column of the new records."""
        statement, values, columns = self._insert_statement(rows)
        self._execute_write(statement)
        ids = tuple(row[0] for row in self.env.cr.fetchall())
        return self._create_cache(ids, values, columns)

    def _insert_statement(
        self, rows: list[_Vals], link: Any = None
    ) -> tuple[SQL, list[_Vals], list[str]]:
        """The INSERT of ``rows`` returning the new ids, the rows' values (``rows`` completed
        with the magic columns) and the names of the columns it sets. The column of the
        many2one ``link`` takes the id of the CTE ``_PARENT_ALIAS`` (``_create_with_lines``)."""
        values, columns = self._insert_values(rows)
        fields = [self._fields[name] for name in columns]
        if not fields:
            table = SQL.identifier(self._table)
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
            statement = self._insert_by_arrays(fields, values, link)
        return statement, values, columns

    def _insert_values(self, rows: list[_Vals]) -> tuple[list[_Vals], list[str]]:
        """The values of ``rows`` completed with the magic columns (and None for a column a row
        lacks): ``rows`` themselves, completed in place (a copy of 10,000 rows would double
        the memory a large create needs), and the columns to set: those given a value in some
        row (a computed one only when given)."""
        env = self.env
        now = self._now()  # the transaction's time, even for a model without magic columns
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
        # a row's names are columns (see _create_rows): a row of as many names, the magic
        # ones set first, has them all
        width = len(columns)
        for row in rows:
            if magic:
                row.update(magic)
            if len(row) != width:
                for name in columns:
                    if name not in row:
                        row[name] = None
        values = rows
        if len(values) == 1:
            only = values[0]
            columns = [name for name in columns if only[name] is not None or name in magic]
        else:
            columns = [
                name
                for name in columns
                if name in magic or any(v[name] is not None for v in values)
            ]
        return values, columns

    def _insert_by_arrays(self, fields: list[Field], values: list[_Vals], link: Any) -> SQL:
        """The INSERT of several rows: a column with one value for every row (the magic
        columns, a parent id...) is one parameter; the others are arrays, sent in binary,
        unnested together."""
        constants = []
        arrays = []
        flags: list[Any] = []
        # the magic columns hold one value for every row (_insert_values)
        magic = MAGIC_COLUMNS if self._log_access else ()
        for f in fields:
            if f is link:
                flags.append(_LINK_FLAG)
                continue
            name = f.name
            if name in magic:
                flags.append(True)
                constants.append(values[0][name])
                continue
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
        params = constants + arrays if arrays else [*constants, len(values)]
        return _fragment(_insert_template(self._table, fields, tuple(flags)), params)

    def _create_cache(self, ids: tuple[int, ...], values: list[_Vals], columns: list[str]) -> Self:
        """The records ``ids`` just inserted with ``values`` (``_insert_statement``): their
        columns in cache, the cached one2many values of the records they point to updated."""
        env = self.env
        plan = self._crud_plan()
        records = self._browse(env, ids, ids)
        cache = env.transaction.cache
        cached = plan.cached_columns(columns)
        if len(ids) == 1:
            only = values[0]
            record_id = ids[0]
            data = cache._data
            for name, field in cached:
                if field.depends_context:
                    cache.set_value(record_id, field, only.get(name), env)
                else:
                    data[field][record_id] = only.get(name)
        elif cached:
            # every value holds these names (see _insert_statement): one C-level transposition
            getter = itemgetter(*[name for name, _field in cached])
            by_column = zip(*map(getter, values)) if len(cached) > 1 else [map(getter, values)]
            for (_name, field), column in zip(cached, by_column):
                cache.update(ids, field, column, env)
        for field in plan.many2one_inverted(env.registry):
            self._update_inverse_caches(
                records, field, [v.get(field.name) for v in values], created=True
            )
        if self._parent_store:
            records._parent_store_update()
        self._read_changed(ids, None)
        records._note_created()
        return records

    @api.model
    def name_create(self, name: str) -> tuple[int, str] | bool:
        if not self._rec_name:
            return False
        record = self.create({self._rec_name: name})
        return record.id, record.display_name
