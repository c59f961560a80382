"""Relational fields: Many2one, One2many and Many2many.

Cache representation: a Many2one holds an id or ``None``; an x2many holds a tuple of ids.
Record values are recordsets of the comodel, whose prefetch set is the values of the same field
over the source records' prefetch set, so that walking ``orders.partner_id.country_id.name``
costs one query per hop whatever the number of records.

x2many values are written with ``Command`` triplets (see ``erplite.orm.commands``); a plain list
of ids, or a recordset, means ``Command.set``.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from erplite.orm import arguments
from erplite.orm.commands import Command, normalize_commands
from erplite.orm.fields_base import Field, _raise_wrong_value
from erplite.orm.read_checks import EVERY_ID
from erplite.sql import SQL

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Protocol

    from erplite.orm.environment import Environment
    from erplite.orm.query import Query
    from erplite.sql import Cursor

    class _HasTable(Protocol):
        @property
        def _table(self) -> str: ...

    class _TableModel(Protocol):
        """What ``Many2many.setup_relation`` needs of a model: its table and the tables of
        the others (a recordset, or a stand-in while the registry is set up)."""

        _table: str

        @property
        def env(self) -> Mapping[str, _HasTable]: ...

    from erplite.orm.recordset import Recordset

_MISSING = object()
_new_record = object.__new__


class _Relational(Field):
    relational = True
    comodel_name: str = ""
    domain: Any = None
    context: Any = None
    check_company = False
    auto_join = False

    def __init__(self, comodel_name: Any = None, string: Any = None, **kwargs: Any) -> None:
        if comodel_name is not None:
            kwargs["comodel_name"] = comodel_name
        if string is not None:
            kwargs["string"] = string
        super().__init__(**kwargs)

    def get_domain_list(self, model: Recordset) -> list[Any]:
        domain = self.domain
        if callable(domain):
            domain = domain(model)
        return list(domain) if isinstance(domain, list | tuple) else []


class Many2one(_Relational):
    """A reference to one record of ``comodel_name``; ``ondelete`` is ``'set null'``
    (default), ``'restrict'`` or ``'cascade'``; ``delegate=True`` makes it an ``_inherits``
    link."""

    type = "many2one"
    column_type = ("int4", "integer")
    ondelete: str | None = None
    delegate = False
    group_operator = None

    def __init__(self, comodel_name: Any = None, string: Any = None, **kwargs: Any) -> None:
        super().__init__(comodel_name, string, **kwargs)

    def setup_attrs(self, model_class: builtins.type[Recordset], name: str) -> None:
        super().setup_attrs(model_class, name)
        if self.ondelete is None:
            self.ondelete = (
                "cascade" if self.delegate else ("restrict" if self.required else "set null")
            )
        if self.ondelete == "set null" and self.required:
            raise ValueError(
                f"Field {self.model_name}.{name} cannot be required with ondelete='set null'"
            )

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if validate and not arguments.INT4_MIN <= value <= arguments.INT4_MAX:
                arguments.check_int4(self, value)  # ids are PostgreSQL integers
            return value or None
        if isinstance(value, tuple | list) and value and isinstance(value[0], int):
            return value[0]
        ids = getattr(value, "_ids", None)
        if ids is not None and getattr(value, "_name", None) == self.comodel_name:
            if len(ids) > 1:
                _raise_wrong_value(self, value)
            return ids[0] if ids else None
        _raise_wrong_value(self, value)

    def convert_to_record(self, value: Any, record: Recordset) -> Any:
        env = record.env
        targets_of = env.transaction.many2one_targets
        hop = targets_of.get(self)
        if hop is None or hop.source is not record._prefetch_ids or hop.env is not env:
            hop = targets_of[self] = TargetRecords(env, record, self)
        target = hop.targets.get(value)
        return hop.make(value) if target is None else target

    def __get__(self, record: Recordset | None, owner: builtins.type[Any] | None = None) -> Any:
        # the common case inlined (one record, a plain many2one already in cache): walking
        # ``line.order_id.partner_id`` over thousands of records spends its time here
        if record is not None and self._cache_direct == 1:
            ids = record._ids
            if len(ids) == 1:
                env = record.env
                try:  # a miss is once per fetched batch: cheaper than two dict.get calls
                    value = env.cache._data[self][ids[0]]
                except KeyError:
                    pass
                else:
                    if (
                        env.su
                        or (passed := env._read_passed.get(record._name, ())) is EVERY_ID
                        or ids[0] in passed
                    ):
                        # the target record made for another record of the same prefetch
                        # set, or made and kept for the next (see TargetRecords)
                        hop = env.transaction.many2one_targets.get(self)
                        if (
                            hop is None
                            or hop.source is not record._prefetch_ids
                            or hop.env is not env
                        ):
                            return self.convert_to_record(value, record)
                        target = hop.targets.get(value)
                        if target is None:
                            target = hop.make(value)
                        return target
        return super().__get__(record, owner)

    def convert_to_read(self, value: Any, record: Recordset, use_display_name: bool = True) -> Any:
        if value is None:
            return False
        if use_display_name:
            target = record.env(su=True)[self.comodel_name].browse(value)
            return (value, target.display_name)
        return value

    def convert_to_write(self, value: Any, record: Recordset) -> Any:
        return value.id if value else False

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        if operator in ("in", "not in", "=", "!=") and value not in (False, None):
            if hasattr(value, "_ids"):
                value = list(value._ids)
                operator = {"=": "in", "!=": "not in"}.get(operator, operator)
            elif isinstance(value, list | tuple) and operator in ("=", "!="):
                operator = "in" if operator == "=" else "not in"
        return super().condition_to_sql(operator, value, model, alias, query)

    def order_to_sql(self, model: Recordset, alias: str, query: Query) -> SQL:
        """Order by the comodel's ``_order``, through a LEFT JOIN, as Odoo does."""
        comodel = model.env[self.comodel_name]
        join_alias = query.left_join(alias, self.name, comodel._table, "id", self.name)
        return comodel._order_to_sql(comodel._order, query, join_alias, reverse=False, raw=True)


#: how many source ids ``_PrefetchTargets`` reads at a time (the prefetch batch's size)
_SOURCE_CHUNK = 1000


#: how many target records a ``TargetRecords`` keeps (a prefetch batch's worth)
_TARGETS_KEPT_MAX = 1000


class TargetRecords:
    """The target records a many2one gave for the records of one prefetch set, in one
    environment: the transaction keeps the last per field (``Transaction.many2one_targets``).

    Records of one prefetch set (those of one loop) have the same prefetch set of targets, and
    a record is a value (an environment, ids, a prefetch set, never changed): walking
    ``line.order_id.partner_id`` over 10,000 lines then makes one order record per order and
    one prefetch set per batch, where it made a record and a prefetch set per line and hop;
    the orders made so share their prefetch set, and so the next hop finds its ``TargetRecords`` too.
    What a record of it reads is checked when read, as for any record."""

    __slots__ = ("env", "source", "prefetch", "targets", "comodel")

    def __init__(self, env: Environment, record: Recordset, field: Many2one) -> None:
        self.env = env
        #: the prefetch set of the records it serves (compared by identity)
        self.source = record._prefetch_ids
        self.prefetch = _PrefetchTargets(record, field)
        self.targets: dict[Any, Recordset] = {}
        self.comodel = env.registry.models[field.comodel_name]

    def make(self, value: Any) -> Recordset:
        """The record of the many2one's cache ``value`` (an id or None), kept for the next
        record of the set pointing to it (up to ``_TARGETS_KEPT_MAX``)."""
        target = _new_record(self.comodel)  # BaseModel._browse, inlined
        target.env = self.env
        target._ids = () if value is None else (value,)
        target._prefetch_ids = self.prefetch
        if len(self.targets) < _TARGETS_KEPT_MAX:
            self.targets[value] = target
        return target


class _PrefetchTargets:
    """Lazy prefetch ids of a relational field: the ids its cached values hold over the
    source's prefetch set (a many2one's value is one id or None, an x2many's a tuple of ids),
    each once, in order."""

    __slots__ = ("record", "field")

    def __init__(self, record: Recordset, field: _Relational) -> None:
        self.record = record
        self.field = field

    def __iter__(self) -> Iterator[int]:
        # the source is read a chunk at a time, each chunk in comprehensions (no generator
        # step per id: a fetch walks the whole set, and the set of a many2one's targets is
        # itself the targets of the records it was read on); the caller may stop early
        record = self.record
        env = record.env
        get = env.transaction.cache._field_dict(self.field, env).get
        many = self.field.type != "many2one"
        source = record._prefetch_ids_iter()
        seen: set[int] = set()
        while chunk := list(islice(source, _SOURCE_CHUNK)):
            values = [value for value in map(get, chunk) if value]
            if many:
                values = [target for value in values for target in value]
            # ``if target``: a NewId (a record not created yet) is false and has no row
            targets = [target for target in dict.fromkeys(values) if target and target not in seen]
            seen.update(targets)
            yield from targets


class _RelationalMulti(_Relational):
    """Common behaviour of One2many and Many2many."""

    prefetch = True
    group_operator = None

    def convert_to_cache(self, value: Any, record: Recordset | None, validate: bool = True) -> Any:
        """A tuple of ids from ids, a recordset or commands applied on the current value."""
        if value is None or value is False:
            return ()
        ids = getattr(value, "_ids", None)
        if ids is not None:
            return tuple(ids)
        if isinstance(value, tuple) and all(isinstance(i, int) for i in value):
            return value
        if isinstance(value, list | tuple):
            if all(isinstance(i, int) and not isinstance(i, bool) for i in value):
                return tuple(value)
            current = list(record[self.name]._ids) if record is not None and record._ids else []
            for command in normalize_commands(value, self):
                code = command[0]
                if code == Command.LINK and command[1] not in current:
                    current.append(command[1])
                elif code in (Command.UNLINK, Command.DELETE) and command[1] in current:
                    current.remove(command[1])
                elif code == Command.CLEAR:
                    current = []
                elif code == Command.SET:
                    current = list(command[2])
            return tuple(current)
        _raise_wrong_value(self, value)

    def convert_to_record(self, value: Any, record: Recordset) -> Any:
        """The recordset of the cached ids; archived records are left out unless
        ``active_test`` is off (the field's context first, then the environment's), as Odoo
        does: the cache holds every linked record whatever the context that read it."""
        comodel = record.env[self.comodel_name]
        prefetch = _PrefetchTargets(record, self)
        records = comodel._browse(record.env, value or (), prefetch)
        active = comodel._active_name
        if not value or not active or not self._active_test(record.env):
            return records
        field = comodel._fields[active]
        records._ensure_cached(field)
        cache = record.env.transaction.cache
        return comodel._browse(
            record.env,
            tuple(i for i in records._ids if cache.get_value(i, field, record.env, default=True)),
            prefetch,
        )

    def _active_test(self, env: Environment) -> bool:
        context = self.context if isinstance(self.context, dict) else {}
        active_test: bool = context.get("active_test", env.context.get("active_test", True))
        return active_test

    def convert_to_read(self, value: Any, record: Recordset, use_display_name: bool = True) -> Any:
        return list(value or ())

    def _search_comodel(self, model: Recordset) -> Recordset:
        """The comodel as ``any`` searches it: with the field's context, as Odoo 17."""
        comodel = model.env[self.comodel_name]
        return comodel.with_context(**self.context) if isinstance(self.context, dict) else comodel

    def convert_to_write(self, value: Any, record: Recordset) -> Any:
        return [Command.set(value.ids)]

    def context_active_test(self, records: Recordset) -> bool:
        """The ``active_test`` of the read: off unless the field's context sets it, so that
        the cached value holds archived lines too (they are filtered when read, as Odoo)."""
        context = self.context if isinstance(self.context, dict) else {}
        active_test: bool = context.get("active_test", False)
        return active_test

    def null(self, record: Recordset) -> Any:
        return ()


class One2many(_RelationalMulti):
    """The records of ``comodel_name`` whose many2one ``inverse_name`` points here."""

    type = "one2many"
    column_type = None
    store = True
    copy = False  # lines are not copied unless the field says so; many2many links are (Odoo)
    inverse_name: str = ""

    def __init__(
        self,
        comodel_name: Any = None,
        inverse_name: Any = None,
        string: Any = None,
        **kwargs: Any,
    ) -> None:
        if inverse_name is not None:
            kwargs["inverse_name"] = inverse_name
        super().__init__(comodel_name, string, **kwargs)

    def read_values(self, records: Recordset) -> dict[int, tuple[int, ...]]:
        """Fetch the lines of ``records``: one query, ordered by the comodel's ``_order``.
        With ``x2many_display_names`` in the context (a page about to show the lines), the
        display names of the lines' many2ones come in that query too."""
        comodel = records.env[self.comodel_name]
        inverse = self.inverse_name
        domain = [(inverse, "in", list(records._ids)), *self.get_domain_list(records)]
        lines = comodel.with_context(active_test=self.context_active_test(records))
        # the lines' other columns come in the same query: whoever reads lines reads them
        names = [f.name for f in lines._prefetch_fields(lines._fields[inverse])]
        if records.env.context.get("x2many_display_names"):
            found = lines._search_fetch(
                domain, names, order=None, display_names=lines._many2one_display_names(names)
            )
        else:
            found = lines.search_fetch(domain, names, order=None)
        result: dict[int, list[int]] = defaultdict(list)
        parents = records.env.transaction.cache._field_dict(comodel._fields[inverse], records.env)
        for line_id in found._ids:
            result[parents[line_id]].append(line_id)
        return {rid: tuple(result.get(rid, ())) for rid in records._ids}

    def write_commands(self, records: Recordset, commands: list[Any]) -> None:
        """Apply ``commands`` to the lines of ``records`` (batched over all records).

        Commands are applied in order, but batched: deletions, creations and links are
        accumulated and sent together (deletions first), before a CLEAR/SET and at the end,
        so that N commands cost a constant number of statements."""
        comodel = records.env[self.comodel_name].with_context(active_test=False)
        inverse = self.inverse_name
        batch = _LinesBatch(comodel, cast(Many2one, comodel._fields[inverse]))
        # the lines of the commands are read together (one query, not one per command)
        prefetch = tuple(
            dict.fromkeys(c[1] for c in commands if c[0] in (Command.UPDATE, Command.LINK))
        )
        for record in records:
            for command in commands:
                code = command[0]
                if code == Command.CREATE:
                    vals = dict(command[2] or {})
                    vals[inverse] = record.id
                    batch.to_create.append(vals)
                elif code == Command.UPDATE:
                    comodel.browse(command[1]).with_prefetch(prefetch).write(command[2] or {})
                elif code == Command.DELETE:
                    batch.to_delete[command[1]] = None
                elif code == Command.UNLINK:
                    batch.detach(comodel.browse(command[1]))
                elif code == Command.LINK:
                    batch.link(record.id, [command[1]])
                elif code in (Command.CLEAR, Command.SET):
                    batch.flush()
                    wanted = comodel.browse(command[2] if code == Command.SET else ())
                    current = record.with_context(active_test=False)[self.name]
                    batch.detach(current - wanted)
                    batch.flush()
                    missing = wanted - current
                    if missing:
                        batch.to_link.setdefault(record.id, {}).update(dict.fromkeys(missing._ids))
        batch.flush()

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        comodel = model.env[self.comodel_name]
        inverse = comodel._fields[self.inverse_name]
        id_column = SQL.identifier(alias, "id")
        if operator in ("any", "not any"):
            # NULL inverses are excluded: "id NOT IN (..., NULL)" would never be true; as in
            # Odoo 17, the lines are searched with the field's context (archived lines are
            # skipped unless active_test is off)
            sub = self._search_comodel(model)._search(
                [*value, *self.get_domain_list(model), (inverse.name, "!=", False)]
            )
            keyword = "IN" if operator == "any" else "NOT IN"
            return SQL(f"%s {keyword} (%s)", id_column, sub.subselect(inverse.name))
        if value is False or value is None or value == []:
            if operator in ("=", "in") or (operator == "!=" and value == []):
                positive = operator in ("=", "in")
            else:
                positive = False
            sub = comodel.with_context(active_test=False)._search([(inverse.name, "!=", False)])
            keyword = "NOT IN" if positive else "IN"
            return SQL(f"%s {keyword} (%s)", id_column, sub.subselect(inverse.name))
        if operator in ("in", "not in", "=", "!="):
            ids = value if isinstance(value, list | tuple) else [value]
            ids = [getattr(i, "id", i) for i in ids]
            sub = comodel.with_context(active_test=False)._search(
                [("id", "in", ids), (inverse.name, "!=", False)]
            )
            keyword = "NOT IN" if operator in ("not in", "!=") else "IN"
            return SQL(f"%s {keyword} (%s)", id_column, sub.subselect(inverse.name))
        raise arguments.term_error((self.name, operator, value), "Invalid operator")


class _LinesBatch:
    """The changes ``One2many.write_commands`` holds until it sends them together: lines to
    delete, to create, and to link to a parent (``{parent id: {line id: None}}``)."""

    __slots__ = ("comodel", "inverse_field", "to_create", "to_delete", "to_link")

    def __init__(self, comodel: Recordset, inverse_field: Many2one) -> None:
        self.comodel = comodel
        self.inverse_field = inverse_field
        self.to_create: list[dict[str, Any]] = []
        self.to_delete: dict[int, None] = {}
        self.to_link: dict[int, dict[int, None]] = {}

    def link(self, parent_id: int, line_ids: list[int]) -> None:
        """Link ``line_ids`` to ``parent_id`` (a line has one parent: the last link wins)."""
        for line_id in line_ids:
            for other in self.to_link.values():
                other.pop(line_id, None)
            self.to_link.setdefault(parent_id, {})[line_id] = None

    def detach(self, lines: Recordset) -> None:
        """Take ``lines`` from their parent: deleted when they cannot live without one
        (``ondelete='cascade'`` or a required inverse), else their inverse emptied."""
        if not lines:
            return
        field = self.inverse_field
        if field.ondelete == "cascade" or field.required:
            self.to_delete.update(dict.fromkeys(lines._ids))
        else:
            lines.write({field.name: False})

    def flush(self) -> None:
        """Send what is held: deletions, then creations, then the links that change."""
        comodel = self.comodel
        field = self.inverse_field
        if self.to_delete:
            comodel.browse(list(self.to_delete)).unlink()
            self.to_delete.clear()
        if self.to_create:
            comodel.create(self.to_create)
            self.to_create.clear()
        for record_id, line_ids in self.to_link.items():
            lines = comodel.browse(list(line_ids))
            lines._ensure_cached(field)
            cache = lines.env.transaction.cache
            moving = [
                i
                for i in lines._ids
                if cache.get_value(i, field, lines.env, default=None) != record_id
            ]
            if moving:
                lines.browse(moving).write({field.name: record_id})
        self.to_link.clear()


class Many2many(_RelationalMulti):
    """A set of records of ``comodel_name`` through the table ``relation`` (``column1`` points
    to this model, ``column2`` to the comodel); names default to Odoo's."""

    type = "many2many"
    column_type = None
    store = True
    # named by setup_relation() when not given
    relation: str = ""
    column1: str = ""
    column2: str = ""
    ondelete = "cascade"

    def __init__(
        self,
        comodel_name: Any = None,
        relation: Any = None,
        column1: Any = None,
        column2: Any = None,
        string: Any = None,
        **kwargs: Any,
    ) -> None:
        for key, value in (("relation", relation), ("column1", column1), ("column2", column2)):
            if value is not None:
                kwargs[key] = value
        super().__init__(comodel_name, string, **kwargs)

    def setup_relation(self, model: _TableModel) -> None:
        """Name the relation table and columns as Odoo does, once the comodel is known."""
        comodel = model.env[self.comodel_name]
        if not self.relation:
            tables = sorted([model._table, comodel._table])
            if tables[0] == tables[1]:
                raise ValueError(
                    f"Many2many {self.model_name}.{self.name} to its own model needs "
                    "explicit relation, column1 and column2"
                )
            self.relation = f"{tables[0]}_{tables[1]}_rel"
        if not self.column1:
            self.column1 = f"{model._table}_id"
        if not self.column2:
            self.column2 = f"{comodel._table}_id"

    def read_values(self, records: Recordset) -> dict[int, tuple[int, ...]]:
        """Fetch the linked ids for ``records``: one query, filtered by the comodel's rules and
        domain, ordered by its ``_order``."""
        comodel = records.env[self.comodel_name].with_context(
            active_test=self.context_active_test(records)
        )
        query = comodel._search(self.get_domain_list(records), order=comodel._order)
        rel_alias = query.join(query.alias, "id", self.relation, self.column2, f"{self.name}_rel")
        query.add_where(
            SQL("%s = ANY(%s)", SQL.identifier(rel_alias, self.column1), list(records._ids))
        )
        cr = records.env.cr
        columns = [SQL.identifier(rel_alias, self.column1), SQL.identifier(query.alias, "id")]
        active = comodel._fields.get(comodel._active_name) if comodel._active_name else None
        if active is not None and active.store and active.column_type is not None:
            # the active flags come along: reading the value filters archived records on them
            columns.append(SQL.identifier(query.alias, active.column_name))
        cr.execute(query.select(*columns), flush=False)
        rows = cr.fetchall()
        result: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            result[row[0]].append(row[1])
        if len(columns) == 3 and active is not None:
            records.env.transaction.cache.insert_missing(
                [row[1] for row in rows], active, [row[2] for row in rows], records.env
            )
        return {rid: tuple(result.get(rid, ())) for rid in records._ids}

    def write_commands(self, records: Recordset, commands: list[Any]) -> None:
        """Apply ``commands``: relation rows are inserted/deleted in one statement each."""
        env = records.env
        comodel = env[self.comodel_name].with_context(active_test=False)
        to_link: set[tuple[int, int]] = set()
        to_unlink: set[tuple[int, int]] = set()
        to_clear: set[int] = set()
        created: list[tuple[int, dict[str, Any]]] = []
        to_delete: dict[int, None] = {}  # deleted together; their relation rows go by cascade
        for command in commands:
            code = command[0]
            if code == Command.CREATE:
                created.extend((rid, dict(command[2] or {})) for rid in records._ids)
            elif code == Command.UPDATE:
                comodel.browse(command[1]).write(command[2] or {})
            elif code == Command.DELETE:
                to_delete[command[1]] = None
                to_unlink.update((rid, command[1]) for rid in records._ids)
            elif code == Command.UNLINK:
                to_unlink.update((rid, command[1]) for rid in records._ids)
                to_link.difference_update((rid, command[1]) for rid in records._ids)
            elif code == Command.LINK:
                to_link.update((rid, command[1]) for rid in records._ids)
                to_unlink.difference_update((rid, command[1]) for rid in records._ids)
            elif code in (Command.CLEAR, Command.SET):
                to_clear.update(records._ids)
                to_link = set()
                to_unlink = set()
                if code == Command.SET:
                    to_link.update((rid, tid) for rid in records._ids for tid in command[2])
        if created:
            new_records = comodel.create([vals for _rid, vals in created])
            to_link.update((rid, nid) for (rid, _vals), nid in zip(created, new_records._ids))
        if to_delete:
            comodel.browse(list(to_delete)).unlink()
        self._apply_relation_changes(records, to_clear, to_link, to_unlink, set(to_delete))

    def _apply_relation_changes(
        self,
        records: Recordset,
        to_clear: set[int],
        to_link: set[tuple[int, int]],
        to_unlink: set[tuple[int, int]],
        deleted: set[int] | frozenset[int] = frozenset(),
    ) -> None:
        """Send the relation rows to insert and delete, then bring the cache in line: the
        records of ``to_clear`` keep only their links of ``to_link``; the targets in
        ``deleted`` are gone already (their rows went by cascade)."""
        if to_clear:
            to_link, to_unlink = self._clear_changes(records, to_clear, to_link, to_unlink)
        self._send_relation_changes(records.env.cr, to_link, to_unlink, deleted)
        self._cache_relation_changes(records, to_clear, to_link, to_unlink)

    def _clear_changes(
        self,
        records: Recordset,
        to_clear: set[int],
        to_link: set[tuple[int, int]],
        to_unlink: set[tuple[int, int]],
    ) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """``to_link`` and ``to_unlink`` once the links of ``to_clear`` not in ``to_link``
        are unlinked (and the links already there are not linked again)."""
        env = records.env
        cache = env.transaction.cache
        current = {
            rid: set(cache.get_value(rid, self, env, default=None) or ()) for rid in to_clear
        }
        wanted: dict[int, set[int]] = defaultdict(set)
        for rid, tid in to_link:
            if rid in to_clear:
                wanted[rid].add(tid)
        unknown = [rid for rid in to_clear if cache.get_value(rid, self, env, default=None) is None]
        if unknown:
            # the current links are needed to know what changes; read them in one query
            current.update(
                {rid: set(v) for rid, v in self.read_values(records.browse(unknown)).items()}
            )
        to_unlink = set(to_unlink)
        for rid in to_clear:
            to_unlink.update((rid, tid) for tid in current[rid] - wanted[rid])
        to_link = {
            (rid, tid) for rid, tid in to_link if rid not in to_clear or tid not in current[rid]
        }
        return to_link, to_unlink

    def _send_relation_changes(
        self,
        cr: Cursor,
        to_link: set[tuple[int, int]],
        to_unlink: set[tuple[int, int]],
        deleted: set[int] | frozenset[int],
    ) -> None:
        """One DELETE and one INSERT of relation rows at most."""
        relation = SQL.identifier(self.relation)
        col1, col2 = SQL.identifier(self.column1), SQL.identifier(self.column2)
        pairs = sorted(pair for pair in to_unlink if pair[1] not in deleted)
        if pairs:
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE (%s, %s) IN (SELECT * FROM unnest(%s::int4[], %s::int4[]))",
                    relation,
                    col1,
                    col2,
                    [p[0] for p in pairs],
                    [p[1] for p in pairs],
                ),
                flush=False,
            )
        if to_link:
            pairs = sorted(to_link)
            cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) SELECT * FROM unnest(%s::int4[], %s::int4[]) "
                    "ON CONFLICT DO NOTHING",
                    relation,
                    col1,
                    col2,
                    [p[0] for p in pairs],
                    [p[1] for p in pairs],
                ),
                flush=False,
            )

    def _cache_relation_changes(
        self,
        records: Recordset,
        to_clear: set[int],
        to_link: set[tuple[int, int]],
        to_unlink: set[tuple[int, int]],
    ) -> None:
        """Keep the cache exact where it is known, forget it elsewhere; mark what depends on
        the field and on its inverse many2many fields."""
        env = records.env
        cache = env.transaction.cache
        touched = {rid for rid, _ in to_link} | {rid for rid, _ in to_unlink} | set(to_clear)
        for rid in touched:
            value = cache.get_value(rid, self, env, default=None)
            if value is None and rid not in to_clear:
                continue
            ids = [] if rid in to_clear and value is None else list(value or ())
            if rid in to_clear and value is None:
                cache.discard(rid, self, env)
                continue
            removed = {tid for r, tid in to_unlink if r == rid}
            ids = [i for i in ids if i not in removed]
            ids.extend(tid for r, tid in sorted(to_link) if r == rid and tid not in ids)
            cache.set_value(rid, self, tuple(ids), env)
        if touched:
            records.browse(sorted(touched)).modified([self.name])
            inverse_fields = records.env.registry.many2many_inverses(self)
            if inverse_fields:
                targets = {tid for _r, tid in to_link} | {tid for _r, tid in to_unlink}
                comodel = env[self.comodel_name]
                for inverse in inverse_fields:
                    cache.invalidate_field(inverse, env)
                    if targets:
                        comodel.browse(sorted(targets)).modified([inverse.name])

    def condition_to_sql(
        self, operator: str, value: Any, model: Recordset, alias: str, query: Query
    ) -> SQL:
        rel_alias = query.make_alias(alias, self.name)
        relation = SQL("%s AS %s", SQL.identifier(self.relation), SQL.identifier(rel_alias))
        link = SQL("%s = %s", SQL.identifier(rel_alias, self.column1), SQL.identifier(alias, "id"))
        target = SQL.identifier(rel_alias, self.column2)
        if operator in ("any", "not any"):
            sub = self._search_comodel(model)._search([*value, *self.get_domain_list(model)])
            exists = "EXISTS" if operator == "any" else "NOT EXISTS"
            return SQL(
                f"{exists} (SELECT 1 FROM %s WHERE %s AND %s IN (%s))",
                relation,
                link,
                target,
                sub.subselect(),
            )
        if value is False or value is None or value == []:
            positive = operator in ("=", "in")
            exists = "NOT EXISTS" if positive else "EXISTS"
            return SQL(f"{exists} (SELECT 1 FROM %s WHERE %s)", relation, link)
        if operator in ("in", "not in", "=", "!="):
            ids = value if isinstance(value, list | tuple) else [value]
            ids = [getattr(i, "id", i) for i in ids if i]
            exists = "NOT EXISTS" if operator in ("not in", "!=") else "EXISTS"
            return SQL(
                f"{exists} (SELECT 1 FROM %s WHERE %s AND %s = ANY(%s))",
                relation,
                link,
                target,
                ids,
            )
        raise arguments.term_error((self.name, operator, value), "Invalid operator")
