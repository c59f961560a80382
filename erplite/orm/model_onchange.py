"""Odoo 17's ``onchange(values, field_names, fields_spec)``: what a form shows after the user
changed some fields, computed on temporary records (``NewId``) that exist only in the cache.

The ``@api.onchange`` methods of the changed fields run on those records, then the computed
fields depending on what changed are recomputed; the answer is ``{'value': {...}}`` with the
fields of ``fields_spec`` whose value differs from the ones sent (all of them for a new form,
``field_names`` empty), and ``'warning'`` when an onchange method returned one. Nothing is
written: the temporary records leave the cache, the recompute queue and the pending writes
before the method returns. x2many values are answered as commands (``CLEAR`` then one
``CREATE`` per new line and one ``UPDATE`` per existing line). The values of a line in a
``CREATE``/``UPDATE`` command are the form's and are kept as given; only the line's computed
fields not given are computed (Odoo's client runs a line's own onchange before sending it).
An ``@api.onchange`` method may assign commands to an x2many of the temporary record
(``self.line_ids = [Command.clear(), Command.create({...})]``, as Odoo 17's wizards propose
their lines): each ``CREATE`` becomes a temporary line (its computed fields computed), each
``UPDATE`` a temporary copy of the line, and the answer has them as commands like the lines
sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from erplite.exceptions import InvalidArgument
from erplite.orm.ids import NewId
from erplite.orm.recordset import Recordset

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Self

    from erplite.orm.fields import Field
    from erplite.orm.recordset import IdType

    #: the temporary records made by one onchange: (model, their ids, the id each edits)
    _Created: TypeAlias = "list[tuple[Recordset, tuple[IdType, ...], int | None]]"

_X2MANY = ("one2many", "many2many")

#: the temporary records of the onchange running in this thread (its onchange methods may
#: assign x2many commands, whose new lines join them to leave the cache at the end)
_RUNNING: ContextVar[_Created | None] = ContextVar("erplite_onchange_created", default=None)


class OnchangeMixin(Recordset):
    """``onchange`` of ``BaseModel``."""

    __slots__ = ()

    def onchange(
        self, values: dict[str, Any], field_names: list[str], fields_spec: dict[str, Any]
    ) -> dict[str, Any]:
        """The values a form shows once ``field_names`` changed to ``values`` (Odoo 17)."""
        self._onchange_check_arguments(values, field_names, fields_spec)
        self.check_access_rights("read")
        origin = None
        if self._ids:
            origin = self.ensure_one()
            origin.check_access_rule("read")
        created: _Created = []
        running = _RUNNING.set(created)
        try:
            changed = set(field_names) if field_names else set(values)
            record = self._onchange_new(values, changed, fields_spec, origin, None, created)
            origins = {entry[1][0]: entry[2] for entry in created if entry[2]}
            names = list(field_names) if field_names else list(fields_spec)
            warnings: list[dict[str, Any]] = []
            done: set[str] = set()
            for name in names:
                for method_name in self._onchange_methods.get(name, ()):
                    if method_name in done:
                        continue
                    done.add(method_name)
                    answer = getattr(record, method_name)()
                    if isinstance(answer, dict) and answer.get("warning"):
                        warnings.append(answer["warning"])
            sent = values if field_names else None
            result: dict[str, Any] = {"value": record._onchange_read(fields_spec, sent, origins)}
            if warnings:
                result["warning"] = {
                    "title": warnings[0].get("title", ""),
                    "message": "\n\n".join(w.get("message", "") for w in warnings),
                    "type": warnings[0].get("type", "dialog"),
                }
            return result
        finally:
            _RUNNING.reset(running)
            self._onchange_forget(created)

    # ------------------------------------------------------------------------------------------
    def _onchange_check_arguments(self, values: Any, field_names: Any, fields_spec: Any) -> None:
        if not isinstance(values, dict):
            raise InvalidArgument(f"onchange: values must be a dictionary, not {values!r}")
        if not isinstance(field_names, list | tuple) or not all(
            isinstance(n, str) for n in field_names
        ):
            raise InvalidArgument(f"onchange: field_names must be a list of names: {field_names!r}")
        if not isinstance(fields_spec, dict):
            raise InvalidArgument(f"onchange: fields_spec must be a dictionary: {fields_spec!r}")
        for where, names in (("values", values), ("field_names", field_names)):
            for name in names:
                if name not in self._fields:
                    raise InvalidArgument(
                        f"onchange: unknown field {name!r} of {self._name} in {where}"
                    )
        self._onchange_check_spec(fields_spec)

    def _onchange_check_spec(self, spec: dict[str, Any]) -> None:
        for name, sub in spec.items():
            field = self._fields.get(name)
            if field is None:
                raise InvalidArgument(
                    f"onchange: unknown field {name!r} of {self._name} in fields_spec"
                )
            if not isinstance(sub, dict):
                raise InvalidArgument(f"onchange: fields_spec[{name!r}] must be a dictionary")
            if field.relational and sub.get("fields"):
                if not isinstance(sub["fields"], dict):
                    raise InvalidArgument(
                        f"onchange: fields_spec[{name!r}]['fields'] must be a dictionary"
                    )
                if field.type in _X2MANY:
                    self.env[field.comodel_name]._onchange_check_spec(sub["fields"])

    def _onchange_new(
        self,
        values: dict[str, Any],
        changed: set[str],
        spec: dict[str, Any],
        origin: Recordset | None,
        parent: tuple[str, IdType] | None,
        created: _Created,
        keep_given: bool = False,
    ) -> Self:
        """A temporary record of ``origin`` (or of defaults) with ``values`` in cache; the
        computed fields depending on ``changed`` are marked to compute (``keep_given``: except
        those ``values`` gives, as for the lines of an x2many command)."""
        env = self.env
        cache = env.transaction.cache
        new_id = NewId()
        record = self.browse((new_id,))
        created.append((self, (new_id,), origin._ids[0] if origin is not None else None))
        fields = self._fields
        defaults: dict[str, Any] = {}
        if origin is None:
            missing = [n for n, f in fields.items() if n not in values and f.store]
            defaults = self.default_get(missing)
        for name, field in fields.items():
            if name == "id":
                cache.set_value(new_id, field, new_id, env)
                continue
            if not field.store and name not in values:
                continue
            if field.compute and not field.store:
                continue
            cache_value = record._onchange_value(
                field, values, spec, origin, parent, defaults, created
            )
            cache.set_value(new_id, field, cache_value, env)
        if parent is not None and parent[0] in fields:
            cache.set_value(new_id, fields[parent[0]], parent[1], env)
        # computed fields: recomputed when what they depend on changed (or never had a value)
        given = set(values) if origin is not None else set(values) | set(defaults)
        for field in self._onchange_dependents(changed):
            if keep_given and field.name in values:
                continue
            if field.store:
                env.add_to_compute(field, (new_id,))
            cache.discard(new_id, field, env)
        for field in fields.values():
            if field.compute and field.store and field.name not in given and origin is None:
                env.add_to_compute(field, (new_id,))
        return record

    def _onchange_value(
        self,
        field: Field,
        values: dict[str, Any],
        spec: dict[str, Any],
        origin: Recordset | None,
        parent: tuple[str, IdType] | None,
        defaults: dict[str, Any],
        created: _Created,
    ) -> Any:
        """The first cache value of ``field`` on the temporary record ``self``: the value
        sent, else the parent's id (a line's link), the origin's value, the default, empty."""
        name = field.name
        if name in values:
            return self._onchange_convert(field, values[name], spec.get(name), origin, created)
        if parent is not None and name == parent[0]:
            return parent[1]
        if origin is not None:
            return origin._get_cache_value(field)
        if name in defaults:
            return self._onchange_convert(field, defaults[name], None, None, created)
        if field.type in _X2MANY:
            return ()
        return field.convert_to_cache(field.null(self), self, validate=False)

    def _onchange_dependents(self, names: Iterable[str]) -> list[Field]:
        """The computed fields of the model depending, directly or through another computed
        field, on the fields ``names``."""
        registry = self.env.registry
        dirty = set(names)
        found: dict[Field, None] = {}
        grew = True
        while grew:
            grew = False
            for field in self._fields.values():
                if not field.compute or field in found:
                    continue
                if any(
                    path and path[0].name in dirty for path in registry.field_depends_paths(field)
                ):
                    found[field] = None
                    dirty.add(field.name)
                    grew = True
        return list(found)

    def _onchange_convert(
        self,
        field: Field,
        value: Any,
        sub: Any,
        origin: Recordset | None,
        created: _Created,
        current: Iterable[IdType] | None = None,
    ) -> Any:
        """The cache value of ``field`` for ``value`` as a form sends it (x2many commands
        applied on ``current``, else on the origin's lines)."""
        if field.type == "many2one" and isinstance(value, dict):
            value = value.get("id") or False
        if field.type not in _X2MANY:
            return field.convert_to_cache(value, self)
        comodel = self.env[field.comodel_name]
        sub_spec = (sub or {}).get("fields") or {}
        ids: list[IdType] = list(current or ())
        if current is None and origin is not None:
            ids = list(origin._get_cache_value(field))
        if not isinstance(value, list | tuple):
            raise InvalidArgument(
                f"onchange: {field.name} expects a list of commands, not {value!r}"
            )
        inverse = field.inverse_name if field.type == "one2many" else None
        parent = (inverse, self._ids[0]) if inverse else None
        for command in value:
            if isinstance(command, int) and not isinstance(command, bool):
                ids.append(command)
                continue
            if not isinstance(command, list | tuple) or not command:
                raise InvalidArgument(f"onchange: bad command {command!r} for {field.name}")
            code = command[0]
            if code == 0:
                vals = command[2] if len(command) > 2 and isinstance(command[2], dict) else {}
                comodel._onchange_check_arguments(vals, [], sub_spec)
                line = comodel._onchange_new(
                    vals, set(vals), sub_spec, None, parent, created, keep_given=True
                )
                ids.append(line._ids[0])
            elif code == 1:
                vals = command[2] if len(command) > 2 and isinstance(command[2], dict) else {}
                comodel._onchange_check_arguments(vals, [], sub_spec)
                line_origin = comodel.browse(command[1])
                line = comodel._onchange_new(
                    vals, set(vals), sub_spec, line_origin, parent, created, keep_given=True
                )
                ids = [line._ids[0] if i == command[1] else i for i in ids]
                if command[1] not in ids and line._ids[0] not in ids:
                    ids.append(line._ids[0])
            elif code in (2, 3):
                ids = [i for i in ids if i != command[1]]
            elif code == 4:
                if command[1] not in ids:
                    ids.append(command[1])
            elif code == 5:
                ids = []
            elif code == 6:
                ids = list(command[2] or ())
            else:
                raise InvalidArgument(f"onchange: unknown command {command!r} for {field.name}")
        return tuple(ids)

    def _onchange_read(
        self, spec: dict[str, Any], sent: dict[str, Any] | None, origins: dict[IdType, int]
    ) -> dict[str, Any]:
        """The values of ``spec`` in the form's format; only those differing from ``sent``
        (all when ``sent`` is None); ``origins`` maps temporary ids to the records they edit."""
        result: dict[str, Any] = {}
        for name, sub in spec.items():
            field = self._fields[name]
            value = self[name]
            if field.type == "many2one":
                read: Any = value.id if value and isinstance(value.id, int) else False
                if read and (sub.get("fields") or {}):
                    read = {"id": read, "display_name": value.display_name}
            elif field.type in _X2MANY:
                sub_spec = sub.get("fields") or {}
                read = [(5,)]
                for line in value:
                    line_id = origins.get(line._ids[0], line._ids[0])
                    values = line._onchange_read(sub_spec, None, origins)
                    if isinstance(line_id, int):
                        read.append((4, line_id) if not values else (1, line_id, values))
                    else:
                        read.append((0, 0, values))
            else:
                read = field.convert_to_read(self._get_cache_value(field), self)
            if sent is not None and name in sent and _same(sent[name], read):
                continue
            result[name] = read
        return result

    def _onchange_forget(self, created: _Created) -> None:
        """Take the temporary records out of the cache, the recompute queue and the pending
        writes."""
        if not created:
            return
        env = self.env
        data = env.transaction.cache._data
        for model, ids, _origin in created:
            for field in model._fields.values():
                env.remove_to_compute(field, ids)
                values = data.get(field)
                if values:
                    for target in values.values() if field.depends_context else (values,):
                        for nid in ids:
                            target.pop(nid, None)
            pending = env.transaction.towrite.get(model._name)
            if pending is not None:
                for nid in ids:
                    pending.pop(nid, None)
                if not pending:
                    env.transaction.towrite.pop(model._name, None)

    def _onchange_assign(self, field: Field, value: Any) -> None:
        """``record.field = value`` on temporary records (an onchange method): the cache only,
        and the computed fields depending on it are to compute again."""
        env = self.env
        cache = env.transaction.cache
        created = _RUNNING.get()
        for record in self:
            if created is not None and _creates_lines(field, value):
                current = cache.get_value(record._ids[0], field, env, default=())
                cache_value = record._onchange_convert(field, value, None, None, created, current)
            else:
                cache_value = field.convert_to_cache(value, record)
            cache.set_value(record._ids[0], field, cache_value, env)
        env.remove_to_compute(field, self._ids)
        for dependent in self._onchange_dependents([field.name]):
            if dependent.store:
                env.add_to_compute(dependent, self._ids)
            for record_id in self._ids:
                cache.discard(record_id, dependent, env)


def _creates_lines(field: Field, value: Any) -> bool:
    """Whether ``value`` assigned to ``field`` holds x2many ``CREATE``/``UPDATE`` commands."""
    if field.type not in _X2MANY or not isinstance(value, list | tuple):
        return False
    return any(
        isinstance(command, list | tuple) and command and command[0] in (0, 1) for command in value
    )


def _same(sent: Any, read: Any) -> bool:
    if isinstance(sent, dict) and isinstance(read, dict):
        return bool(sent.get("id") == read.get("id"))
    if isinstance(sent, dict):
        return bool(sent.get("id") == read)
    if isinstance(sent, list | tuple) and isinstance(read, int) and sent:
        return bool(sent[0] == read)
    return bool(sent == read) or (sent in (False, None) and read in (False, None))
