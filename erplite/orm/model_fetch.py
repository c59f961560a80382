"""Reading stored values into the transaction cache (a mixin of ``BaseModel``).

``record.field`` looks in the transaction cache; on a miss, a stored field is fetched for the
record's whole prefetch set (up to ``PREFETCH_MAX`` records, every prefetchable column in one
query, a many2one's targets joined when the batch is small), a non-stored computed field is
computed for the records of the prefetch set without a value (``model_triggers``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from erplite.exceptions import AccessError, CacheMiss, MissingError
from erplite.orm.arrays import array_value
from erplite.orm.fields import Field
from erplite.orm.model_access import AccessMixin
from erplite.orm.query import Query
from erplite.sql import SQL

if TYPE_CHECKING:
    from erplite.orm.fields_relational import Many2many, One2many

PREFETCH_MAX = 1000
#: the largest batch whose many2one fetch also joins the records it points to
JOIN_MAX = 100
#: the fetch statements a registry keeps (``_fetch_columns_sql``): far more than the models and
#: prefetch groups of any database, a bound against a pathological use
FETCH_STATEMENTS_MAX = 10_000
#: ``Field.convert_from_column``, the identity: such columns are cached as fetched
_PLAIN_FROM_COLUMN = Field.convert_from_column
#: the smallest batch of consecutive ids fetched by its bounds (``_id_run``): fewer are found
#: as fast through the primary key with their array
RUN_MIN = 32


def _id_run(ids: tuple[Any, ...]) -> tuple[int, int] | None:
    """``(lowest, highest)`` when ``ids`` are every integer between the two, each once, in
    ascending or descending order (as a loop over a search by id gives them, or the orders of
    consecutive lines), and at least ``RUN_MIN`` of them; else None."""
    if len(ids) < RUN_MIN:
        return None
    first, last = ids[0], ids[-1]
    if type(first) is not int or type(last) is not int:
        return None
    if last - first + 1 == len(ids) and ids == tuple(range(first, last + 1)):
        return first, last
    if first - last + 1 == len(ids) and ids == tuple(range(first, last - 1, -1)):
        return last, first
    return None


class FetchMixin(AccessMixin):
    """Cache reads and fetching of ``BaseModel``."""

    __slots__ = ()

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
        unchecked = not env.su and record_id not in env._read_passed.get(self._name, ())
        try:
            value = cache.get_value(record_id, field, env)
        except CacheMiss:
            pass
        else:
            if unchecked and isinstance(record_id, int):
                # put there by another user or sudo(): the user's read checks first
                self._check_cached_read(self._cached_batch(field))
            return value
        if env.is_protected(field, record_id):
            # a compute method reading the field it is computing
            return field.null(self)
        if field.store and (field.column_type is not None or field.relational):
            self._fetch_field(field)
        elif field.compute:
            if unchecked and field.compute_sudo and isinstance(record_id, int):
                # computed as superuser, with what the user may not see: checked first (a
                # compute as the user reads through the user's checks)
                self._check_read_passed()
            self._compute_for_prefetch(field)
        else:
            return field.null(self)
        try:
            return cache.get_value(record_id, field, env)
        except CacheMiss:
            if field.store:
                self._raise_missing_or_forbidden([record_id], "read")
            raise ValueError(f"Compute method failed to assign {self!r}.{field.name}") from None

    def _compute_for_prefetch(self, field: Any) -> None:
        """Compute the non-stored ``field`` of the single record ``self`` as Odoo 17 does:
        for the records of its prefetch set without a value (one call, so a compute that
        queries queries once), ``self`` alone for a field depending on itself (through a
        parent: its batch would read values being computed), or when the batch fails on
        a record the user may not read or that is gone."""
        env = self.env
        if not isinstance(self._ids[0], int) or self._prefetch_ids is self._ids:
            self._compute_field_value(field)
            return
        paths = env.registry.field_depends_paths(field)
        if any(field in path for path in paths):
            self._compute_field_value(field)
            return
        batch = [i for i in self._prefetch_batch(field) if not env.is_protected(field, i)]
        if len(batch) <= 1:
            self._compute_field_value(field)
            return
        try:
            self.browse(batch)._compute_field_value(field)
        except (AccessError, MissingError):
            self._compute_field_value(field)

    def _cached_batch(self, field: Any) -> list[int]:
        """``self``'s id and other ids of its prefetch set whose ``field`` is cached but
        whose read checks the user did not pass yet (checked together)."""
        env = self.env
        data = env.transaction.cache._field_dict(field, env)
        passed = env._read_passed.get(self._name, ())
        return self._batch_of(
            lambda chunk: [i for i in chunk if i in data and i not in passed and i]
        )

    def _prefetch_batch(self, field: Any) -> list[int]:
        """``self``'s id and other ids of its prefetch set whose ``field`` is not cached."""
        env = self.env
        data = env.transaction.cache._field_dict(field, env)
        return self._batch_of(lambda chunk: [i for i in chunk if i not in data and i])

    def _batch_of(self, select: Callable[[list[Any]], list[Any]]) -> list[int]:
        """``self``'s id, then the ids of its prefetch set that ``select`` keeps, each once,
        up to ``PREFETCH_MAX`` in all. ``select`` filters a list of ids (a chunk of the set,
        in order) in one comprehension: a fetch walks the prefetch set of every batch, and a
        generator step per id costs several times a comprehension's; its ``and i`` leaves
        out a ``NewId`` (false: a record not created yet, with no row)."""
        batch = dict.fromkeys(self._ids[:1])
        source = self._prefetch_ids_iter()
        while len(batch) < PREFETCH_MAX and (chunk := list(islice(source, PREFETCH_MAX))):
            batch.update(dict.fromkeys(select(chunk)))
        return list(batch)[:PREFETCH_MAX]

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
        or, for a model with ``_inherits``, of its parent records (the inherited fields are
        read through them), when the user reads that comodel without record rules, and the
        batch is small
        (``JOIN_MAX``): a large batch would repeat each target's columns on many rows and make
        the server hash the comodel's table, for one round trip saved; its targets are fetched
        in a batch of their own when first read."""
        ids = self._prefetch_batch(field)
        join = self._fetch_join(field, len(ids))
        self.browse(ids)._fetch_fields(self._prefetch_fields(field), join=join)

    def _fetch_join(self, field: Field, count: int) -> tuple[Any, ...] | None:
        """The join of ``_fetch_field`` fetching ``field`` for ``count`` records, if any."""
        if count > JOIN_MAX:
            return None
        if self._inherits:
            # the parent's columns first: the inherited fields (a user's name, email,
            # language...) are read through the link next, whatever is read now
            link = self._fields[next(iter(self._inherits.values()))]
            join = self._many2one_join(link)
            if join is not None:
                return join
        return self._many2one_join(field) if field.type == "many2one" else None

    def _many2one_join(self, field: Field) -> tuple[Any, ...] | None:
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

    def _fetch_fields(
        self, fields: Iterable[Field], join: tuple[Any, ...] | None = None
    ) -> list[int]:
        """Fetch ``fields`` of every record of ``self`` (one query for the columns, one per
        x2many), honouring the read record rules; return the ids actually found. ``join``
        (see ``_many2one_join``) also fetches the columns of the records a many2one of
        ``fields`` points to, in the same query."""
        if not self.env.su:
            self._check_access("read")
        columns = [f for f in fields if f.column_type is not None and f.name != "id"]
        multi = [f for f in fields if f.column_type is None and f.relational]
        found = list(self._ids)
        if columns or not multi:
            found = self._fetch_columns(columns, join)
        elif not self.env.su:
            # no column to select through the rules: the records they let through (those
            # the user passed already, and those the read checks let through now)
            passed = self.env._read_passed.get(self._name, ())
            unchecked = [i for i in found if i not in passed]
            if unchecked:
                allowed = set(self._read_allowed_ids(unchecked))
                found = [i for i in found if i in passed or i in allowed]
        if not self.env.su:
            self._note_read_passed(found)
        if multi and found:
            env = self.env
            cache = env.transaction.cache
            records = self.browse(found)
            for field in multi:
                values = cast("One2many | Many2many", field).read_values(records)
                cache.insert_missing(values.keys(), field, values.values(), env)
        return found

    def _fetch_columns(self, columns: list[Field], join: tuple[Any, ...] | None) -> list[int]:
        """The query of ``_fetch_fields`` for the ``columns`` (and the many2one ``join``):
        their values into the cache; the ids found (those the read rules let through)."""
        statement, load = self._fetch_columns_statement(columns, join)
        cr = self.env.cr
        # in binary: a batch is up to PREFETCH_MAX rows of every prefetched column, whose
        # floats and timestamps cost more to print and parse as text than to copy
        cr.execute(statement, flush=False, binary=True)
        return load(cr.fetchall())

    def _prefetch_statement(
        self, field_name: str
    ) -> tuple[SQL, Callable[[Sequence[Sequence[Any]]], list[int]]]:
        """What fetching ``field_name`` of the records of ``self`` runs (``_fetch_field``: the
        columns of its prefetch group, the parent's of an ``_inherits`` child or the many2one's
        target's), to run as part of another statement, and the function loading the rows it
        answers into the cache (the ids found). A round trip saved for a caller that sends a
        statement anyway: the HTTP layer reads the session user's row with the request's
        first one. x2many companions are left to their first read."""
        field = self._fields[field_name]
        columns = [
            f for f in self._prefetch_fields(field) if f.column_type is not None and f.name != "id"
        ]
        return self._fetch_columns_statement(columns, self._fetch_join(field, len(self._ids)))

    def _fetch_columns_statement(
        self, columns: list[Field], join: tuple[Any, ...] | None
    ) -> tuple[SQL, Callable[[Sequence[Sequence[Any]]], list[int]]]:
        """``_fetch_columns``'s statement, and the function loading its rows into the cache
        (returning the ids found)."""
        env = self.env
        cache = env.transaction.cache
        joined: list[Field] = []
        if join is not None and join[0] in columns:
            joined = join[2]
        else:
            join = None
        statement = self._fetch_columns_sql(columns, join)
        width = 1 + len(columns) + (1 + len(joined) if join is not None else 0)

        def load(rows: Sequence[Sequence[Any]]) -> list[int]:
            by_column = list(zip(*rows)) if rows else [()] * width
            found = list(by_column[0])
            for index, field in enumerate(columns, 1):
                fetched: Sequence[Any] = by_column[index]
                if type(field).convert_from_column is not _PLAIN_FROM_COLUMN and not (
                    field.type == "float"
                    and cast("tuple[str, str]", field.column_type)[0] == "float8"
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
            return found

        return statement, load

    def _fetch_columns_sql(self, columns: list[Field], join: tuple[Any, ...] | None) -> SQL:
        """The SELECT of ``_fetch_columns_statement``: the ids of ``self``, then ``columns``,
        then the target's id and columns of ``join`` (whose link is among ``columns``).

        When no record rule restricts the user's read of the model, the statement's text is
        the same for any ids (only the array literal of the ids changes, or the bounds of a
        run of consecutive ids: ``_id_run``): the registry keeps it per model, kind of ids,
        columns and join (``Registry.fetch_statements``), and a fetch of the prefetch loop
        costs a dict lookup instead of building the query."""
        env = self.env
        # consecutive ids by their bounds: the server reads them through the primary key's
        # range (for 1,000 lines about 0.2 ms, against 1 ms to match an array of 1,000 ids)
        run = _id_run(self._ids)
        params: tuple[Any, ...] = (array_value(self._ids),) if run is None else run
        key = None
        if (run is not None or type(params[0]) is str) and (env.su or not self._has_rules("read")):
            key = (
                self._name,
                run is not None,
                *columns,
                None if join is None else (join[0], *join[2]),
            )
            text = env.registry.fetch_statements.get(key)
            if text is not None:
                return SQL.raw(text, params)
        query = Query(env, self._table)
        id_column = SQL.identifier(query.alias, "id")
        if run is None:
            query.add_where(SQL("%s = ANY(%s::int4[])", id_column, *params))
        else:
            query.add_where(SQL("%s BETWEEN %s::int4 AND %s::int4", id_column, *run))
        self._apply_rules(query, "read")
        selected = [
            SQL.identifier(query.alias, "id"),
            *[SQL.identifier(query.alias, f.column_name) for f in columns],
        ]
        if join is not None:
            link, comodel, joined = join
            alias = query.left_join(query.alias, link.column_name, comodel._table, "id", link.name)
            selected.append(SQL.identifier(alias, "id"))
            selected.extend(SQL.identifier(alias, f.column_name) for f in joined)
        statement = query.select(*selected)
        statements = env.registry.fetch_statements
        if (
            key is not None
            and statement.params == params
            and len(statements) < FETCH_STATEMENTS_MAX
        ):
            statements[key] = statement.text
        return statement
