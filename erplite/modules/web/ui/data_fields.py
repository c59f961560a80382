"""Which fields the export and import pages offer, and how an import's columns find them.

Worked example::

    options = export_options(env["sale.order"])
    # [FieldOption('id', 'External ID'), ..., FieldOption('partner_id', 'Customer'),
    #  FieldOption('partner_id/id', 'Customer / External ID'),
    #  FieldOption('partner_id/name', 'Customer / Name'), ...]
    targets = import_options(env["product.product"])
    match_columns(["Name", "list_price", "Product Category / External ID"], targets)
    # ['name', 'list_price', 'categ_id/id']

Both come from ``fields_get`` as the user, so fields of ``groups=`` the user lacks are not
offered (and ``export_data``/``load`` refuse them anyway). Relations go one level deep:
``partner_id/name``, ``order_line/product_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RELATIONAL = ("many2one", "one2many", "many2many")
#: Fields of every model that an import never writes.
MAGIC = frozenset({"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"})
_ATTRIBUTES = ["string", "type", "relation", "readonly", "store", "relation_field", "required"]


@dataclass(frozen=True)
class FieldOption:
    """A column an export may write or an import may read: a path and its label."""

    path: str
    label: str
    required: bool = False


def _described(model: Any) -> dict[str, dict[str, Any]]:
    return model.fields_get(attributes=_ATTRIBUTES)


def _by_label(fields: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(fields.items(), key=lambda item: str(item[1].get("string") or item[0]).lower())


def export_options(model: Any) -> list[FieldOption]:
    """The paths an export of ``model`` may ask, relations with their subfields."""
    options = [FieldOption("id", "External ID")]
    for name, description in _by_label(_described(model)):
        if name == "id" or description.get("type") == "binary":
            continue
        label = str(description.get("string") or name)
        options.append(FieldOption(name, label))
        relation = description.get("relation")
        if description.get("type") in RELATIONAL and relation in model.env.registry:
            options.append(FieldOption(f"{name}/id", f"{label} / External ID"))
            comodel = model.env[relation]
            if not comodel.check_access_rights("read", raise_exception=False):
                continue
            for sub_name, sub in _by_label(_described(comodel)):
                if sub_name == "id" or sub.get("type") in ("one2many", "many2many", "binary"):
                    continue
                options.append(
                    FieldOption(f"{name}/{sub_name}", f"{label} / {sub.get('string') or sub_name}")
                )
    return options


def _writable(name: str, description: dict[str, Any]) -> bool:
    return (
        name not in MAGIC
        and description.get("store", True)
        and not description.get("readonly")
        and description.get("type") not in ("binary", "json")
    )


def import_options(model: Any) -> list[FieldOption]:
    """The columns an import into ``model`` may read: writable fields, a relation by name or
    by external id, and the writable fields of one2many lines."""
    options = [FieldOption("id", "External ID")]
    for name, description in _by_label(_described(model)):
        if not _writable(name, description):
            continue
        label = str(description.get("string") or name)
        required = bool(description.get("required"))
        kind = description.get("type")
        if kind in ("many2one", "many2many"):
            options.append(FieldOption(name, label, required))
            options.append(FieldOption(f"{name}/id", f"{label} / External ID", required))
        elif kind == "one2many":
            relation = description.get("relation")
            if relation not in model.env.registry:
                continue
            inverse = description.get("relation_field")
            for sub_name, sub in _by_label(_described(model.env[relation])):
                if (
                    sub_name == inverse
                    or not _writable(sub_name, sub)
                    or sub.get("type") == "one2many"
                ):
                    continue
                sub_label = f"{label} / {sub.get('string') or sub_name}"
                options.append(FieldOption(f"{name}/{sub_name}", sub_label))
        else:
            options.append(FieldOption(name, label, required))
    return options


def _key(text: str) -> str:
    return "/".join(part.strip().lower() for part in str(text).replace(":id", "/id").split("/"))


def match_columns(headers: list[str], options: list[FieldOption]) -> list[str]:
    """For each header, the path it names (by technical path or label, any case), or ``''``."""
    by_key: dict[str, str] = {}
    for option in options:
        by_key.setdefault(_key(option.path), option.path)
    for option in options:
        by_key.setdefault(_key(option.label), option.path)
    matched: list[str] = []
    for header in headers:
        path = by_key.get(_key(header), "") if header else ""
        matched.append("" if path in matched else path)
    return matched
