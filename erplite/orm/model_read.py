"""``read`` and ``exists`` (a mixin of ``BaseModel``): the values of records as dicts,
loaded into the cache in as few queries as the fields need, then formatted field by field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from erplite.exceptions import MissingError
from erplite.orm import arguments
from erplite.orm.fields import Boolean, Field, Float, Integer
from erplite.orm.model_access import AccessMixin
from erplite.sql import SQL

if TYPE_CHECKING:
    from typing_extensions import Self

    from erplite.orm.recordset import Recordset

_X2MANY = ("one2many", "many2many")
#: the plain ``convert_to_read`` (``None`` -> ``False``), inlined by ``_read_format``
_BASE_CONVERT_TO_READ = Field.convert_to_read
#: ``convert_to_read`` methods that do not look at the record (numbers and booleans): read
#: calls them without building a record per row
_RECORDLESS_CONVERT_TO_READ = frozenset(
    {Integer.convert_to_read, Float.convert_to_read, Boolean.convert_to_read}
)


class ReadMixin(AccessMixin):
    """``read`` and ``exists`` of ``BaseModel``."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------------
    # read
    # ------------------------------------------------------------------------------------------
    def read(
        self, fields: list[str] | None = None, load: str = "_classic_read"
    ) -> list[dict[str, Any]]:
        """The values of ``fields`` (all readable fields by default) as dicts; a many2one is
        ``(id, display_name)`` unless ``load`` is falsy or ``'_classic_write'``.

        As Odoo 17, records that no longer exist are left out of the result (``[]`` when
        none is left); records hidden by record rules raise ``AccessError``."""
        self._check_access("read")
        names = self._read_field_names(fields)
        if not self._ids:
            return []
        if not self.env.su:
            # Values already in the transaction cache (loaded by sudo() or by another user)
            # are not fetched again, so the fetch cannot filter them: check the record rules
            # of those records here (unless the user passed them already), as Odoo's read()
            # does.
            self._cached_records(names)._check_read_passed()
        try:
            records = self._read_into_cache(names, probe=True)
        except MissingError:
            # a deleted record met while computing a non-stored field: read the others
            records = self.exists()
            if len(records) == len(self._ids):
                raise
            records = records._read_into_cache(names, probe=True)
        return records._read_format(names, load)

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
        env = self.env
        if fields:
            arguments.check_field_names(self, fields)
            if not env.su:
                self._check_field_access(fields, "read")
            names = list(fields)
        else:
            names = [
                name
                for name, field in self._fields.items()
                if env.su or not field.groups or self._field_accessible(field)
            ]
        if "id" not in names:
            names.insert(0, "id")
        return names

    def _read_into_cache(self, names: list[str], probe: bool = False) -> Self:
        """Load ``names`` of ``self`` into the cache; return the records of ``self`` that
        still exist (deleted ones are dropped, hidden ones raise ``AccessError``).
        ``probe``: when ``names`` has no column, the records not in the cache are fetched
        all the same (``read(["id"])`` tells deleted and hidden records, as Odoo's)."""
        columns = [
            self._fields[n]
            for n in names
            if self._fields[n].store and self._fields[n].column_type is not None and n != "id"
        ]
        if not columns and probe:
            columns = [
                field
                for field in self._fields.values()
                if field.store
                and field.column_type is not None
                and field.prefetch is True
                and field.name != "id"
                and not field.groups
                and not field.compute
            ][:1]
        env = self.env
        cache = env.transaction.cache
        records = self
        if columns:
            for field in columns:
                if field.compute:
                    records._ensure_cached(field)
            ids = set(self._ids)
            lacking: set[int] = set()
            for field in columns:
                lacking |= ids - cache._field_dict(field, env).keys()
            missing = [i for i in self._ids if i in lacking] if lacking else []
            if missing:
                fetched = self.browse(missing)._fetch_fields(
                    list(dict.fromkeys(columns + self._prefetch_fields(columns[0])))
                )
                lost = [i for i in missing if i not in set(fetched)]
                if lost:
                    hidden = self.browse(lost).sudo().exists()._ids
                    if hidden:
                        self._raise_missing_or_forbidden(list(hidden), "read")
                    gone = set(lost)
                    records = self.browse([i for i in self._ids if i not in gone])
        for name in names:
            field = self._fields[name]
            if name != "id" and field not in columns:
                records._ensure_cached(field)
        return records

    def _read_format(self, names: list[str], load: str = "_classic_read") -> list[dict[str, Any]]:
        env = self.env
        cache = env.transaction.cache
        use_display_name = bool(load) and load != "_classic_write"
        if use_display_name:
            self._prefetch_display_names(names)
        ids = self._ids
        result: list[dict[str, Any]] = [{"id": record_id} for record_id in ids]
        records: list[Recordset] | None = None
        # field by field, over the cache's dict of each (the same values as one
        # convert_to_read per record and field, without the per-record overhead)
        for name in names:
            if name == "id":
                continue
            field = self._fields[name]
            data = cache._field_dict(field, env)
            # called without a record for the types that need none (_RECORDLESS_CONVERT_TO_READ)
            convert: Callable[..., Any] = field.convert_to_read
            if type(field).convert_to_read is _BASE_CONVERT_TO_READ:
                for values, record_id in zip(result, ids, strict=True):
                    value = data.get(record_id)
                    values[name] = False if value is None else value
                continue
            if field.type == "many2one" and use_display_name:
                records = self._read_many2one(field, data, result, records)
                continue
            if type(field).convert_to_read in _RECORDLESS_CONVERT_TO_READ:
                for values, record_id in zip(result, ids, strict=True):
                    values[name] = convert(data.get(record_id), None, use_display_name)
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

    def _read_many2one(
        self,
        field: Field,
        data: dict[Any, Any],
        result: list[dict[str, Any]],
        records: list[Recordset] | None,
    ) -> list[Recordset] | None:
        """``read``'s values of the many2one ``field`` as ``(id, display_name)`` (the names
        prefetched as superuser), from its cache ``data``; ``records``: ``list(self)`` once
        built (returned, built when a name is not in cache)."""
        env = self.env
        cache = env.transaction.cache
        name = field.name
        su_env = env(su=True)
        display_field = su_env[field.comodel_name]._fields["display_name"]
        display = cache._field_dict(display_field, su_env)
        for index, record_id in enumerate(self._ids):
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
            result[index][name] = field.convert_to_read(value, records[index], True)
        return records

    def _prefetch_display_names(self, names: list[str]) -> None:
        """Compute the display names of every many2one value to read, one batch per comodel.

        A comodel whose display name is its plain record name (``_joinable_display_name``)
        takes it from the cached names, as its ``_compute_display_name`` would."""
        env = self.env
        cache = env.transaction.cache
        targets: dict[str, set[int]] = defaultdict(set)
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
            display_field = su_env[comodel]._fields["display_name"]
            if ids <= cache._field_dict(display_field, su_env).keys():
                continue  # all known already (a search_read that joined the names)
            records = su_env[comodel].browse(sorted(ids))
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
