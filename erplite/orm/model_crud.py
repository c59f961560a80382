"""write, unlink, read, copy and their helpers (create is in ``model_create``).

``write`` only updates the cache and the transaction's pending writes; they are sent by the
flush, one UPDATE per set of columns. It marks the stored computed fields that depend on the
change, validates ``@api.constrains`` and goes through the security layer (access rights,
record rules, field groups) unless the environment is a superuser one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from erplite import api
from erplite.exceptions import MissingError, UserError, ValidationError
from erplite.orm import arguments
from erplite.orm.arrays import array_param
from erplite.orm.commands import Command, normalize_commands
from erplite.orm.fields import Boolean, Field, Float, Integer, Selection
from erplite.orm.model_create import CreateMixin
from erplite.sql import SQL

_X2MANY = ("one2many", "many2many")
#: the plain ``convert_to_read`` (``None`` -> ``False``), inlined by ``_read_format``
_BASE_CONVERT_TO_READ = Field.convert_to_read
#: ``convert_to_read`` methods that do not look at the record (numbers and booleans): read
#: calls them without building a record per row
_RECORDLESS_CONVERT_TO_READ = frozenset(
    {Integer.convert_to_read, Float.convert_to_read, Boolean.convert_to_read}
)


class CrudMixin(CreateMixin):
    # ------------------------------------------------------------------------------------------
    # write
    # ------------------------------------------------------------------------------------------
    def write(self, vals: dict) -> bool:
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

    def _write_fields(self, vals: dict, fields: list) -> bool:
        """The body of ``write`` once access rights, field groups and rules are checked:
        ``fields`` are the fields of ``vals``' keys."""
        env = self.env
        cache = env.transaction.cache
        towrite = env.transaction.towrite[self._name]

        columns = []
        x2many = []
        inverse: dict[Any, Any] = {}
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
                    array_param(self._ids, "int4"),
                    self._name,
                )
            )
        else:
            self._execute_write(
                SQL("DELETE FROM %s WHERE id = ANY(%s)", table, array_param(self._ids, "int4"))
            )
        # the database cascaded deletions and nullified references: forget every cached value
        env.transaction.cache.invalidate()
        return True

    # ------------------------------------------------------------------------------------------
    # read
    # ------------------------------------------------------------------------------------------
    def read(self, fields: list[str] | None = None, load: str = "_classic_read") -> list[dict]:
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
            # of those records here, as Odoo's read() does.
            self._cached_records(names)._check_rules("read")
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

    def _read_into_cache(self, names: list[str], probe: bool = False) -> Any:
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

    def _read_format(self, names: list[str], load: str = "_classic_read") -> list[dict]:
        env = self.env
        cache = env.transaction.cache
        use_display_name = bool(load) and load != "_classic_write"
        if use_display_name:
            self._prefetch_display_names(names)
        ids = self._ids
        result: list[dict[str, Any]] = [{"id": record_id} for record_id in ids]
        records = None
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
        env = self.env
        result = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            if field.groups and not env.su and not self._field_accessible(field):
                continue
            description: dict[str, Any] = {
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
                selection = cast(Selection, field)._selection(self)
                description["selection"] = [list(item) for item in selection]
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
