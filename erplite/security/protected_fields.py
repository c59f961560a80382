"""Protected fields: the fields a model's own code changes, never its callers.

A workflow keeps its state in a field (``state``) that must change only through its
transitions, each of which checks the step is allowed before taking it. Odoo 17 lets anyone
with write access set such a field directly; erplite lets a model forbid that::

    class SaleOrder(models.Model):
        _name = "sale.order"
        _protected_fields = ["state"]

        def action_confirm(self):
            ...                                   # the workflow's own checks first
            self.sudo().write({"state": "sale"})  # then the protected write, as superuser

Outside a superuser environment:

- ``write`` of a protected field raises :class:`AccessError` naming the field and the model,
  whatever the value (clients send the fields they change, never the unchanged ones);
- ``create`` with a protected field, given in the values or as a ``default_<field>`` context
  key, raises the same error unless the value is the field's own default (a form sends the
  defaults it was given back), so a record is always created in the workflow's first state.

The ORM calls these functions only for models that protect fields (``_protected_names``, the
merged ``_protected_fields`` of a model, worked out once at setup), so the others pay nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from erplite.exceptions import AccessError

_DEFAULT_PREFIX = "default_"


def check_write(model: Any, names: Iterable[str]) -> None:
    """Raise ``AccessError`` if ``names`` (the keys of a ``write``) holds a protected field
    of ``model`` and the environment is not a superuser one."""
    if model.env.su:
        return
    refused = sorted(model._protected_names.intersection(names))
    if refused:
        raise _error(model, refused, "write")


def check_create(model: Any, vals_list: Iterable[Mapping[str, Any]]) -> None:
    """Raise ``AccessError`` if a record of ``vals_list`` would be created with a protected
    field of ``model`` set to anything but the field's default, from its values or from a
    ``default_<field>`` context key, in an environment that is not a superuser one."""
    if model.env.su:
        return
    protected = model._protected_names
    context = model.env.context
    from_context = {
        name: context[_DEFAULT_PREFIX + name]
        for name in protected
        if _DEFAULT_PREFIX + name in context
    }
    refused: set[str] = set()
    for vals in vals_list:
        for name in protected:
            if name in vals:
                value = vals[name]
            elif name in from_context:
                value = from_context[name]
            else:
                continue
            if not _is_default(model, name, value):
                refused.add(name)
    if refused:
        raise _error(model, sorted(refused), "create")


def _is_default(model: Any, name: str, value: Any) -> bool:
    """Whether ``value`` is what field ``name`` of ``model`` gets when no value is given."""
    field = model._fields[name]
    default = field.get_default(model) if field.default is not None else None
    if field.relational:
        value = getattr(value, "id", value) if field.type == "many2one" else value
        default = getattr(default, "id", default) if field.type == "many2one" else default
    try:
        given = field.convert_to_cache(value, model)
    except (TypeError, ValueError):
        return False
    return given == field.convert_to_cache(default, model) or (not given and not default)


def _error(model: Any, names: list[str], mode: str) -> AccessError:
    fields = ", ".join(f"'{model._fields[name].string}' ({name})" for name in names)
    label = model._description or model._name
    what = (
        "set directly"
        if mode == "write"
        else "given a value other than its default when creating a record"
    )
    return AccessError(
        f"The field{'s' if len(names) > 1 else ''} {fields} of {label} ({model._name}) cannot be "
        f"{what}: only the model's own actions change {'them' if len(names) > 1 else 'it'} "
        "(for instance its workflow's buttons)."
    )


__all__ = ["check_create", "check_write"]
