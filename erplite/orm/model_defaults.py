"""Default values of new records (a mixin of ``BaseModel``): ``default_get`` and what
``create`` adds for the fields its values leave out (``default_<name>`` context keys, field
defaults, the ``_inherits`` parents' defaults).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from erplite import api
from erplite.orm import arguments
from erplite.orm.commands import Command
from erplite.orm.model_access import AccessMixin
from erplite.sql import SQL


class DefaultsMixin(AccessMixin):
    """``default_get`` and the defaults ``create`` adds."""

    __slots__ = ()

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

    def _add_missing_default_values(self, vals: dict[str, Any]) -> dict[str, Any]:
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
        if type(self).default_get is DefaultsMixin.default_get and not env._has_default_keys:
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

    def _missing_default_names(self, vals: dict[str, Any]) -> list[str]:
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

    # ------------------------------------------------------------------------------------------
    # a column added to a table that has rows
    # ------------------------------------------------------------------------------------------
    def _init_column(self, column_name: str) -> None:
        """Odoo's hook for a column just added to a table that has rows (a module adding a
        field to an existing model): the rows get the field's default, or, for a stored
        computed field, are marked to compute."""
        field = self._fields[column_name]
        records = self.sudo().with_context(active_test=False)
        if field.compute:
            ids = records.search([]).ids
            if ids:
                self.env.add_to_compute(field, ids)
            return
        if field.default is None:
            return
        value = field.get_default(records)
        value = field.convert_to_column(field.convert_to_cache(value, records))
        # NULL already means the empty value; False is the same as NULL for a boolean
        if value is None or (field.type == "boolean" and not value):
            return
        column = SQL.identifier(field.column_name)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE %s IS NULL",
                SQL.identifier(self._table),
                column,
                value,
                column,
            ),
            flush=False,
        )
