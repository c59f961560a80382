"""Computed fields and what depends on a change (a mixin of ``BaseModel``).

The write path marks what depends on the change: ``modified(fnames)`` walks the registry's
trigger tree (built once from every ``@api.depends``), marks stored computed fields of the
reached records *to compute* and drops non-stored computed values from the cache. Nothing is
recomputed then: recomputation (``_recompute_field``) happens in batches when a value is read,
or before the flush.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from erplite.exceptions import MissingError
from erplite.orm.arrays import array_param
from erplite.orm.fields import Field
from erplite.orm.model_access import AccessMixin
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.recordset import IdType

#: a relation's value that is not in the cache
_UNKNOWN = object()
#: ``Field.convert_from_column``, the identity: such columns are cached as fetched
_PLAIN_FROM_COLUMN = Field.convert_from_column


class TriggersMixin(AccessMixin):
    """Recomputation and modification triggers of ``BaseModel``."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------------
    # computing
    # ------------------------------------------------------------------------------------------
    def _recompute_field(self, field: Any, ids: Iterable[IdType] | None = None) -> None:
        """Recompute the records of ``field`` marked to compute (and not being computed)."""
        env = self.env
        transaction = env.transaction
        pending = transaction.tocompute.get(field)
        if not pending:
            return
        candidates = pending - transaction.protected.get(field, set())
        if ids is not None:
            ids = tuple(dict.fromkeys(ids))
            candidates &= set(ids)
        if not candidates:
            return
        base_env = (transaction.default_env or env) if field.compute_sudo else env
        # in the order of ``ids`` when given (a precomputation's rows), else by id
        ordered = [i for i in ids if i in candidates] if ids is not None else sorted(candidates)
        records = base_env[field.model_name].browse(ordered)
        try:
            records._compute_field_value(field)
        except MissingError:
            # records deleted meanwhile (by a database cascade, say): compute the others and
            # forget the deleted ones, else they would stay to compute forever (as Odoo)
            existing = records.exists()
            for companion in env.registry.field_computed.get(field, [field]):
                env.remove_to_compute(companion, set(records._ids) - set(existing._ids))
            if existing:
                existing._compute_field_value(field)
            records = existing
        still = transaction.tocompute.get(field)
        if still and not still.isdisjoint(records._ids):
            unassigned = records.browse(sorted(still & set(records._ids)))
            env.remove_to_compute(field, unassigned._ids)
            raise ValueError(f"Compute method failed to assign {unassigned!r}.{field.name}")

    def _compute_field_value(self, field: Any) -> None:
        """Run the compute method of ``field`` on ``self``; the method assigns the values."""
        env = self.env
        registry = env.registry
        fields = registry.field_computed.get(field, [field])
        records = self.sudo() if field.compute_sudo and not env.su else self
        with env.protecting(fields, records):
            # inside the protection: prefetching may search, and a search flushes, which
            # must not start recomputing these very records again (infinite recursion)
            if len(records._ids) > 1:
                records._prefetch_dependencies(field)
            if field.related:
                records._compute_related_values(field)
            elif callable(field.compute):
                field.compute(records)
            else:
                getattr(records, field.compute)()
        stored = [f.name for f in fields if f.store]
        # records of a precomputation (NewId) are checked once created
        real = [i for i in records._ids if isinstance(i, int)]
        if stored and real:
            records.browse(real).with_env(self.env)._validate_fields(stored)

    def _compute_temporary(self, fields: Sequence[Field]) -> None:
        """Compute ``fields`` on ``self``, the temporary records (``NewId``) of a
        precomputation, their values in cache: each compute method once on all of them,
        its values left in the cache only (nothing is pending for such records, and their
        constraints are checked once they are created). A model overriding
        ``_compute_field_value`` goes through it (``_recompute_field``)."""
        env = self.env
        if type(self)._compute_field_value is not TriggersMixin._compute_field_value:
            for field in fields:
                env.add_to_compute(field, self._ids)
            for field in fields:
                self._recompute_field(field, ids=self._ids)
            return
        computed = env.registry.field_computed
        done: set[Field] = set()
        for field in fields:
            if field in done:
                continue
            companions = computed.get(field, [field])
            done.update(companions)
            records = self.sudo() if field.compute_sudo and not env.su else self
            with env.protecting(companions, records):
                if len(records._ids) > 1:
                    records._prefetch_dependencies(field)  # what they read through relations
                if field.related:
                    records._compute_related_values(field)
                elif callable(field.compute):
                    field.compute(records)
                else:
                    getattr(records, field.compute)()
        cache = env.transaction.cache
        for field in fields:
            values = cache._field_dict(field, env)
            unassigned = [record_id for record_id in self._ids if record_id not in values]
            if unassigned:
                raise ValueError(
                    f"Compute method failed to assign {self.browse(unassigned)!r}.{field.name}"
                )

    def _prefetch_dependencies(self, field: Any) -> None:
        """Load what a batch compute of ``field`` will read, one query per hop of each
        dependency path, so that recomputing N records costs the same as recomputing one."""
        registry = self.env.registry
        # the temporary records of a precomputation (NewId) have their plain columns in cache
        new = bool(self._ids) and not isinstance(self._ids[0], int)
        for path in registry.field_depends_paths(field):
            records = self
            for dep in path:
                if not records or (dep.compute and not dep.store):
                    break
                if not (
                    new
                    and records is self
                    and dep.store
                    and dep.column_type is not None
                    and not dep.compute
                ):
                    records._ensure_cached(dep)
                if not dep.relational:
                    break
                records = records._mapped_field(dep.name) if dep.relational else records

    def _compute_related_values(self, field: Any) -> None:
        names = field.related.split(".")
        for record in self:
            value = record
            for name in names[:-1]:
                value = value[name][:1]
            record[field.name] = (
                value[names[-1]] if value else field.convert_to_record(field.null(record), record)
            )

    def _inverse_related_values(self, field: Any) -> None:
        """Write related values back to their target records (grouped by value)."""
        names = field.related.split(".")
        groups: dict[Any, tuple[Any, list[int]]] = {}
        cache = self.env.transaction.cache
        for record in self:
            target = record
            for name in names[:-1]:
                target = target[name][:1]
            if not target:
                continue
            value = cache.get_value(record.id, field, record.env, default=None)
            key = value if not isinstance(value, list | dict) else repr(value)
            groups.setdefault(key, (value, []))[1].append(target.id)
        target_model = None
        for _key, (value, ids) in groups.items():
            if target_model is None:
                target_model = self[names[0]]._name if len(names) > 1 else self._name
                for name in names[1:-1]:
                    target_model = self.env[target_model]._fields[name].comodel_name
            target_field = self.env[target_model]._fields[names[-1]]
            write_value = value
            if target_field.relational and target_field.type != "many2one":
                write_value = [(6, 0, list(value or ()))]
            elif value is None:
                write_value = False
            self.env[target_model].with_env(self.env).browse(ids).write({names[-1]: write_value})

    # ------------------------------------------------------------------------------------------
    # modifications
    # ------------------------------------------------------------------------------------------
    def modified(self, fnames: Iterable[str], create: bool = False, before: bool = False) -> None:
        """Mark what depends on ``fnames`` of ``self``: stored computed fields to recompute,
        non-stored ones out of the cache. ``before=True`` is called before a relational change,
        to reach what depended on the old value."""
        if not self._ids:
            return
        fields = [self._fields[name] for name in fnames]
        tree = self.env.registry.get_trigger_tree(fields)
        if not tree:
            return
        if before:
            tree = {key: value for key, value in tree.items() if key is not None}
        self._modified_triggers(tree, create)

    def _modified_triggers(self, tree: dict[Any, Any], create: bool = False) -> None:
        if not self._ids:
            return
        env = self.env
        transaction = env.transaction
        for key, value in tree.items():
            if key is None:
                for field in value:
                    if field.store and field.compute:
                        protected = transaction.protected.get(field, ())
                        ids = (
                            [i for i in self._ids if i not in protected] if protected else self._ids
                        )
                        if ids:
                            env.add_to_compute(field, ids)
                    else:
                        transaction.cache.invalidate([(field, self._ids)])
                continue
            # the parents' lines are worth fetching with self's when a stored field of the
            # parents is to recompute from them (it reads them all)
            recompute = any(f.store and f.compute for f in value.get(None, ()))
            if (
                not recompute
                and len(value) == 1
                and None in value
                and key.store
                and key.type in ("many2one", "many2many")
                and not key.depends_context
            ):
                # only cached values to drop, at the end of the path: no query needed
                if not create:
                    self._invalidate_referrers_in_cache(key, value[None])
                continue
            targets = self._trigger_targets(key, create, recompute)
            if targets:
                targets._modified_triggers(value, False)

    def _invalidate_referrers_in_cache(self, key: Field, fields: list[Field]) -> None:
        """Drop the cached values of the non-stored ``fields`` of the records whose stored
        relation ``key`` reaches ``self``, found in the cache rather than by a query: a cached
        computed value was computed from the relation's cached value, so the records to look
        at are those having a value of ``fields`` cached; one whose ``key`` is no longer cached
        is dropped too (computing it again is always right)."""
        cache = self.env.transaction.cache
        ids = set(self._ids)
        links = cache._field_dict(key, self.env)
        many2one = key.type == "many2one"
        for field in fields:
            stale = []
            for record_id in cache.cached_ids(field):
                value = links.get(record_id, _UNKNOWN)
                if value is _UNKNOWN or (
                    (value in ids) if many2one else not ids.isdisjoint(value or ())
                ):
                    stale.append(record_id)
            if stale:
                cache.invalidate([(field, stale)])

    def _trigger_targets(self, key: Any, create: bool, recompute: bool = False) -> Any:
        """The records of ``key.model_name`` whose relation ``key`` reaches ``self``;
        ``recompute``: a stored field of those records will be recomputed from ``key``."""
        env = self.env.transaction.default_env or self.env
        model = env[key.model_name]
        if key.type == "one2many":
            inverse = self._fields[key.inverse_name]
            records = self.with_env(env)
            parents = env.transaction.cache._field_dict(inverse, env)
            if recompute and not create and records._siblings_fetchable(key, parents):
                records._fetch_with_siblings(key)
            else:
                records._ensure_cached(inverse)
            ids: set[Any] = {parents.get(i) for i in records._ids}
            ids.discard(None)
            return model.browse(sorted(ids))
        if create:
            return model.browse()
        if key.type == "many2many" and key.store:
            cr = env.cr
            cr.execute(
                SQL(
                    "SELECT DISTINCT %s FROM %s WHERE %s = ANY(%s)",
                    SQL.identifier(key.column1),
                    SQL.identifier(key.relation),
                    SQL.identifier(key.column2),
                    array_param(self._ids, "int4"),
                ),
                flush=False,
            )
            return model.browse([row[0] for row in cr.fetchall()])
        if key.store and key.column_type is not None:
            return model._referrers(key, self._ids)
        # a non-stored relation (related many2one): ask the ORM
        return model.with_context(active_test=False).search([(key.name, "in", list(self._ids))])

    def _siblings_fetchable(self, key: Field, parents: dict[Any, Any]) -> bool:
        """Whether ``_fetch_with_siblings`` may read ``self``'s parents through the one2many
        ``key``: some parent is not cached, ``key`` is a plain one2many (no domain, no
        context) of a comodel ordered by id, and no parent link of the comodel is pending in
        the transaction (the database's grouping is the transaction's)."""
        if key.domain or key.context or key.type != "one2many":
            return False
        inverse = self._fields.get(key.inverse_name)
        if inverse is None or not inverse.store or inverse.column_type is None or inverse.inherited:
            return False  # the link must be a column of this table
        if self._order.strip().lower() not in ("id", "id asc"):
            return False
        if not self._table or all(record_id in parents for record_id in self._ids):
            return False
        if not all(isinstance(record_id, int) for record_id in self._ids):
            return False
        name = key.inverse_name
        pending = self.env.transaction.towrite.get(self._name)
        return not pending or not any(name in vals for vals in pending.values())

    def _fetch_with_siblings(self, key: Any) -> None:
        """Fetch the columns that something depends on (and the link) of ``self`` and of every
        other record of the same parents (through the one2many ``key`` of the parent model),
        and cache the parents' ``key``:
        the recomputation that a change of ``self`` triggers on the parents reads their lines
        next, this is one query instead of two. As superuser, as the recomputation reads."""
        env = self.env
        cache = env.transaction.cache
        inverse = self._fields[key.inverse_name]
        # the columns something depends on (what the recomputations read) and the link: not
        # the others (audit columns...), which nothing on this path reads
        triggers = env.registry.field_triggers
        columns = [
            f
            for f in self._prefetch_fields(inverse)
            if f.column_type is not None and f.name != "id" and (f is inverse or f in triggers)
        ]
        table = SQL.identifier(self._table)
        link = SQL.identifier(inverse.column_name)
        ids = array_param(self._ids, "int4")
        selected = SQL(", ").join(
            [SQL.identifier("t", "id"), *[SQL.identifier("t", f.column_name) for f in columns]]
        )
        env.cr.execute(
            SQL(
                "SELECT %s FROM %s AS t WHERE t.%s IN (SELECT %s FROM %s WHERE id = ANY(%s)) "
                "OR t.id = ANY(%s) ORDER BY t.id",
                selected,
                table,
                link,
                link,
                table,
                ids,
                ids,
            ),
            flush=False,
        )
        rows = env.cr.fetchall()
        if not rows:
            return
        by_column = list(zip(*rows))
        found = by_column[0]
        for index, field in enumerate(columns, 1):
            fetched: Sequence[Any] = by_column[index]
            if type(field).convert_from_column is not _PLAIN_FROM_COLUMN and not (
                field.type == "float" and cast("tuple[str, str]", field.column_type)[0] == "float8"
            ):
                fetched = [field.convert_from_column(value) for value in fetched]
            cache.insert_missing(found, field, fetched, env)
        # every line of these parents came: their one2many values are complete (by id)
        parents = cache._field_dict(inverse, env)
        lines: dict[int, list[int]] = {}
        for line_id in found:
            parent = parents.get(line_id)
            if parent is not None:
                lines.setdefault(parent, []).append(line_id)
        cache.insert_missing(lines.keys(), key, [tuple(v) for v in lines.values()], env)

    def _referrers(self, field: Any, target_ids: Iterable[int]) -> Any:
        """Records whose many2one ``field`` holds one of ``target_ids``, pending writes
        included, without flushing."""
        target_ids = set(target_ids)
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE %s = ANY(%s)",
                SQL.identifier("id"),
                SQL.identifier(self._table),
                SQL.identifier(field.column_name),
                array_param(list(target_ids), "int4"),
            ),
            flush=False,
        )
        ids = {row[0] for row in cr.fetchall()}
        pending = self.env.transaction.towrite.get(self._name)
        if pending:
            for record_id, vals in pending.items():
                if field.name in vals:
                    if vals[field.name] in target_ids:
                        ids.add(record_id)
                    else:
                        ids.discard(record_id)
        return self.browse(sorted(ids))
