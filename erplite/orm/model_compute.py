"""Reading values into the cache, computing fields, and propagating modifications.

The read path: ``record.field`` looks in the transaction cache; on a miss, a stored field is
fetched for the record's whole prefetch set (up to ``PREFETCH_MAX`` records, every prefetchable
column in one query), a non-stored computed field is computed for the records asked for only.

The write path marks what depends on the change: ``modified(fnames)`` walks the registry's
trigger tree (built once from every ``@api.depends``), marks stored computed fields of the
reached records *to compute* and drops non-stored computed values from the cache. Nothing is
recomputed then: recomputation happens in batches when a value is read, or before the flush.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from erplite.exceptions import AccessError, CacheMiss, MissingError
from erplite.orm.arrays import array_param
from erplite.orm.fields import Field
from erplite.orm.model_access import AccessMixin
from erplite.orm.query import Query

if TYPE_CHECKING:
    from erplite.orm.recordset import IdType
from erplite.sql import SQL

PREFETCH_MAX = 1000
#: the largest batch whose many2one fetch also joins the records it points to
JOIN_MAX = 100
#: a relation's value that is not in the cache
_UNKNOWN = object()
#: ``Field.convert_from_column``, the identity: such columns are cached as fetched
_PLAIN_FROM_COLUMN = Field.convert_from_column
#: ``Field.convert_to_column``, the identity: such columns are sent as cached
_PLAIN_TO_COLUMN = Field.convert_to_column


class ComputeMixin(AccessMixin):
    """Cache reads, fetching, recomputation and modification triggers of ``BaseModel``."""

    # ------------------------------------------------------------------------------------------
    # reading values
    # ------------------------------------------------------------------------------------------
    def _get_cache_value(self, field: Any) -> Any:
        """The cache value of ``field`` for the single record ``self``, loading it if needed."""
        env = self.env
        record_id = self._ids[0]
        cache = env.transaction.cache
        if field.groups and not env.su:
            self._check_field_access([field.name], "read")
        if (
            field.store
            and field.compute
            and env.is_to_compute(field, record_id)
            and not env.is_protected(field, record_id)
        ):
            self._recompute_field(field)
        try:
            return cache.get_value(record_id, field, env)
        except CacheMiss:
            pass
        if env.is_protected(field, record_id):
            # a compute method reading the field it is computing
            return field.null(self)
        if field.store and (field.column_type is not None or field.relational):
            self._fetch_field(field)
        elif field.compute:
            self._compute_field_value(field)
        else:
            return field.null(self)
        try:
            return cache.get_value(record_id, field, env)
        except CacheMiss:
            if field.store:
                self._raise_missing_or_forbidden([record_id], "read")
            raise ValueError(f"Compute method failed to assign {self!r}.{field.name}") from None

    def _set_field_value(self, field: Any, value: Any) -> None:
        """``record.field = value``: inside its compute method, only the cache (and the
        pending write of a stored field) is set; anywhere else it is a ``write``."""
        env = self.env
        transaction = env.transaction
        protected = transaction.protected.get(field)
        ids = self._ids
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
            stored = field.__dict__.get("_stored_column")
            if stored is None:
                stored = field._stored_column = field.store and field.column_type is not None
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

    def _prefetch_batch(self, field: Any) -> list[int]:
        """``self``'s id and other ids of its prefetch set whose ``field`` is not cached."""
        env = self.env
        cache = env.transaction.cache
        record_id = self._ids[0]
        ids = [record_id]
        seen = {record_id}
        for other in cache.missing_ids(self._prefetch_ids_iter(), field, env):
            if other in seen or not isinstance(other, int):
                continue
            seen.add(other)
            ids.append(other)
            if len(ids) >= PREFETCH_MAX:
                break
        return ids

    def _prefetch_fields(self, field: Any) -> list[Any]:
        """The fields fetched together with ``field``: every prefetchable column."""
        if not field.column_type or field.prefetch is not True:
            return [field]
        env = self.env
        result = []
        for candidate in self._fields.values():
            if (
                candidate.store
                and candidate.column_type is not None
                and candidate.prefetch is True
                and candidate.name != "id"
            ):
                if (
                    candidate.groups
                    and not env.su
                    and candidate is not field
                    and not self._field_accessible(candidate)
                ):
                    continue
                result.append(candidate)
        return result

    def _fetch_field(self, field: Any) -> None:
        """Load ``field`` (and its prefetch companions) for a batch of the prefetch set.

        Reading a many2one also brings, through a LEFT JOIN of the same query, the columns of
        the records it points to (whoever reads ``order.partner_id`` reads the partner next),
        when the user reads that comodel without record rules, and the batch is small
        (``JOIN_MAX``): a large batch would repeat each target's columns on many rows and make
        the server hash the comodel's table, for one round trip saved; its targets are fetched
        in a batch of their own when first read."""
        ids = self._prefetch_batch(field)
        join = (
            self._many2one_join(field)
            if field.type == "many2one" and len(ids) <= JOIN_MAX
            else None
        )
        self.browse(ids)._fetch_fields(self._prefetch_fields(field), join=join)

    def _many2one_join(self, field: Any) -> tuple | None:
        """``(field, comodel, its prefetched columns)`` when fetching many2one ``field`` may
        join its comodel, else None."""
        if not field.store or field.column_type is None:
            return None
        env = self.env
        comodel = env[field.comodel_name]
        if comodel._abstract or not comodel._table:
            return None
        if not env.su and (
            not comodel.check_access_rights("read", raise_exception=False)
            or comodel._has_rules("read")
        ):
            return None
        first = next(
            (
                f
                for f in comodel._fields.values()
                if f.store and f.column_type is not None and f.prefetch is True and f.name != "id"
            ),
            None,
        )
        if first is None:
            return None
        columns = [
            f
            for f in comodel._prefetch_fields(first)
            if f.column_type is not None and not f.depends_context
        ]
        return (field, comodel, columns) if columns else None

    def _ensure_cached(self, field: Any) -> None:
        """Make ``field`` available in cache for every record of ``self``, in one query per
        kind of field however many records there are."""
        if not self._ids:
            return
        env = self.env
        if field.store and field.compute:
            pending = env.transaction.tocompute.get(field)
            if pending and not pending.isdisjoint(self._ids):
                self._recompute_field(field)
        cache = env.transaction.cache
        missing = list(dict.fromkeys(cache.missing_ids(self._ids, field, env)))
        if not missing:
            return
        if field.name == "id":
            return
        if field.store and (field.column_type is not None or field.relational):
            if len(missing) < PREFETCH_MAX and self._prefetch_ids is not self._ids:
                # widen to the prefetch set, as reading one record does
                seen = set(missing)
                for other in cache.missing_ids(self._prefetch_ids_iter(), field, env):
                    if other not in seen and isinstance(other, int):
                        seen.add(other)
                        missing.append(other)
                        if len(missing) >= PREFETCH_MAX:
                            break
            self.browse(missing)._fetch_fields(self._prefetch_fields(field))
        elif field.compute:
            unprotected = [i for i in missing if not env.is_protected(field, i)]
            if unprotected:
                self.browse(unprotected)._compute_field_value(field)

    def _fetch_fields(self, fields: Iterable[Any], join: tuple | None = None) -> list[int]:
        """Fetch ``fields`` of every record of ``self`` (one query for the columns, one per
        x2many), honouring the read record rules; return the ids actually found. ``join``
        (see ``_many2one_join``) also fetches the columns of the records a many2one of
        ``fields`` points to, in the same query."""
        env = self.env
        cr = env.cr
        cache = env.transaction.cache
        columns = [f for f in fields if f.column_type is not None and f.name != "id"]
        multi = [f for f in fields if f.column_type is None and f.relational]
        found = list(self._ids)
        if columns or not multi:
            query = Query(env, self._table)
            query.add_where(
                SQL(
                    "%s = ANY(%s)",
                    SQL.identifier(query.alias, "id"),
                    array_param(self._ids, "int4"),
                )
            )
            self._apply_rules(query, "read")
            selected = [
                SQL.identifier(query.alias, "id"),
                *[SQL.identifier(query.alias, f.column_name) for f in columns],
            ]
            if join is not None and join[0] in columns:
                link, comodel, joined = join
                alias = query.left_join(
                    query.alias, link.column_name, comodel._table, "id", link.name
                )
                selected.append(SQL.identifier(alias, "id"))
                selected.extend(SQL.identifier(alias, f.column_name) for f in joined)
            else:
                join = None
            cr.execute(query.select(*selected), flush=False)
            rows = cr.fetchall()
            by_column = list(zip(*rows)) if rows else [()] * len(selected)
            found = list(by_column[0])
            for index, field in enumerate(columns, 1):
                fetched = by_column[index]
                if type(field).convert_from_column is not _PLAIN_FROM_COLUMN and not (
                    field.type == "float" and field.column_type[0] == "float8"
                ):  # a float8 column is fetched as float (or None) already
                    fetched = [field.convert_from_column(value) for value in fetched]
                cache.insert_missing(found, field, fetched, env)
            if join is not None:
                start = len(columns) + 1
                targets = {row[start]: row for row in rows if row[start] is not None}
                target_ids = list(targets)
                for index, field in enumerate(joined, start + 1):
                    cache.insert_missing(
                        target_ids,
                        field,
                        [field.convert_from_column(targets[i][index]) for i in target_ids],
                        env,
                    )
        if multi and found:
            records = self.browse(found)
            for field in multi:
                values = field.read_values(records)
                cache.insert_missing(values.keys(), field, values.values(), env)
        return found

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
        groups: dict[Any, list] = {}
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

    def _modified_triggers(self, tree: dict, create: bool = False) -> None:
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

    def _invalidate_referrers_in_cache(self, key: Any, fields: list) -> None:
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

    def _siblings_fetchable(self, key: Any, parents: dict) -> bool:
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
        """Fetch the columns of ``self`` and of every other record of the same parents
        (through the one2many ``key`` of the parent model), and cache the parents' ``key``:
        the recomputation that a change of ``self`` triggers on the parents reads their lines
        next, this is one query instead of two. As superuser, as the recomputation reads."""
        env = self.env
        cache = env.transaction.cache
        inverse = self._fields[key.inverse_name]
        columns = [
            f
            for f in self._prefetch_fields(inverse)
            if f.column_type is not None and f.name != "id"
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
            fetched = by_column[index]
            if type(field).convert_from_column is not _PLAIN_FROM_COLUMN and not (
                field.type == "float" and field.column_type[0] == "float8"
            ):
                fetched = [field.convert_from_column(value) for value in fetched]
            cache.insert_missing(found, field, fetched, env)
        # every line of these parents came: their one2many values are complete (by id)
        parents = cache._field_dict(inverse, env)
        lines: dict[int, list] = {}
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

    # ------------------------------------------------------------------------------------------
    # flushing and invalidation
    # ------------------------------------------------------------------------------------------
    def flush_model(self, fnames: Iterable[str] | None = None) -> None:
        """Recompute and write the pending values of this model."""
        env = self.env
        transaction = env.transaction
        wanted = None if fnames is None else set(fnames)
        for field in list(transaction.tocompute):
            if field.model_name == self._name and (wanted is None or field.name in wanted):
                self._recompute_field(field)
        towrite = transaction.towrite.get(self._name)
        if towrite and (
            wanted is None or any(not wanted.isdisjoint(vals) for vals in towrite.values())
        ):
            self._flush_towrite()

    def flush_recordset(self, fnames: Iterable[str] | None = None) -> None:
        self.flush_model(fnames)

    def invalidate_model(self, fnames: Iterable[str] | None = None, flush: bool = True) -> None:
        """Forget the cached values of this model (after flushing them, by default)."""
        if flush:
            self.flush_model(fnames)
        names = self._fields if fnames is None else fnames
        self.env.transaction.cache.invalidate([(self._fields[n], None) for n in names])

    def invalidate_recordset(self, fnames: Iterable[str] | None = None, flush: bool = True) -> None:
        if flush:
            self.flush_recordset(fnames)
        names = self._fields if fnames is None else fnames
        self.env.transaction.cache.invalidate([(self._fields[n], self._ids) for n in names])

    def _flush_towrite(self) -> None:
        """Send the pending writes of this model: one UPDATE per set of columns, whatever
        the number of records and of distinct values."""
        transaction = self.env.transaction
        towrite = transaction.towrite.pop(self._name, None)
        if not towrite:
            return
        by_columns: dict[tuple, list] = {}
        canonical: dict[tuple, tuple] = {}  # names in writing order -> sorted
        for record_id, vals in towrite.items():
            key = tuple(vals)
            names = canonical.get(key)
            if names is None:
                names = canonical[key] = tuple(sorted(key))
            items = by_columns.get(names)
            if items is None:
                by_columns[names] = [(record_id, vals)]
            else:
                items.append((record_id, vals))
        table = SQL.identifier(self._table)
        for names, items in by_columns.items():
            fields = [self._fields[name] for name in names]
            first = items[0][1]
            ids = [record_id for record_id, _vals in items]
            if all(vals == first for _id, vals in items):
                assignments = SQL(", ").join(
                    SQL(
                        "%s = %s", SQL.identifier(f.column_name), f.convert_to_column(first[f.name])
                    )
                    for f in fields
                )
                statement = SQL(
                    "UPDATE %s SET %s WHERE id = ANY(%s)",
                    table,
                    assignments,
                    array_param(ids, "int4"),
                )
            else:
                # the columns with one value for all records are one parameter, the others
                # arrays (in binary) unnested along the ids
                arrays = [array_param(ids, "int4")]
                value_names = []
                assignments = []
                for field in fields:
                    name = field.name
                    if type(field).convert_to_column is _PLAIN_TO_COLUMN:
                        column = [vals[name] for _id, vals in items]
                    else:
                        column = [field.convert_to_column(vals[name]) for _id, vals in items]
                    target = SQL.identifier(field.column_name)
                    udt = cast("tuple[str, str]", field.column_type)[0]  # a stored column
                    first_value = column[0]
                    if (
                        isinstance(first_value, str | int | float | datetime.date | type(None))
                        and column.count(first_value) == len(column)  # counted in C
                        and len(set(map(type, column))) == 1
                    ):
                        assignments.append(SQL(f"%s = %s::{udt}", target, first_value))
                        continue
                    alias = f"v_{field.column_name}"
                    arrays.append(array_param(column, udt))
                    value_names.append(SQL.identifier(alias))
                    assignments.append(SQL("%s = %s", target, SQL.identifier("v", alias)))
                statement = SQL(
                    "UPDATE %s SET %s FROM unnest(%s) AS v(v_id, %s) WHERE %s = v.v_id",
                    table,
                    SQL(", ").join(assignments),
                    SQL(", ").join(arrays),
                    SQL(", ").join(value_names),
                    SQL.identifier(self._table, "id"),
                )
            self._execute_write(statement)

    def _execute_write(self, statement: SQL) -> None:
        """Execute an INSERT/UPDATE/DELETE, turning integrity errors into ``ValidationError``."""
        import psycopg

        try:
            self.env.cr.execute(statement, flush=False)
        except psycopg.errors.IntegrityError as error:
            raise self.env.registry.integrity_error_to_validation(error) from error


__all__ = ["ComputeMixin", "AccessError"]
