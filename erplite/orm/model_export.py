"""Odoo 17's ``export_data`` on every model: records as rows of cells, by field paths.

Worked example::

    orders = env["sale.order"].search([("state", "=", "sale")])
    orders.export_data(["name", "partner_id/name", "order_line/product_id/id", "order_line/price_unit"])
    # {'datas': [['S00012', 'Azure Interior', 'product.product_desk', 100.0],
    #            ['',       '',               '__export__.product_product_7_1f2e3d4c', 50.0],
    #            ['S00013', 'Deco Addict',    'product.product_desk', 100.0]]}

A path is a field name, or names joined by ``/`` through relations (``:id`` is accepted for
``/id``, as Odoo's ``fix_import_export_id_paths``). ``id`` gives a record's external id (one
``__export__.<table>_<id>_<hex>`` is created for a record that has none, as Odoo does), ``.id``
its database id. A relation exported without a subfield gives the display name. The lines of a
one2many go on the rows that follow their record, the first beside it. A many2many is one cell
(names or external ids joined by commas) when the context's ``import_compat`` is true (the
default), so that ``load`` reads the file back.

Everything is read through the ORM as the environment's user: model access and record rules
apply, and a path through a field of ``groups=`` the user lacks is refused with an
``AccessError`` naming that field, before anything is read.
"""

from __future__ import annotations

import datetime
import re
import uuid
import zoneinfo
from collections import defaultdict
from typing import Any

from erplite.orm.model_access import AccessMixin

_ID_SUFFIX = re.compile(r"([^/]):(\.?id)$")


def split_path(path: str) -> list[str]:
    """``"partner_id/name"`` → ``["partner_id", "name"]``; ``"x:id"`` is ``"x/id"``."""
    return _ID_SUFFIX.sub(r"\1/\2", path).split("/")


class ExportMixin(AccessMixin):
    """``export_data`` and its row builder (a mixin of ``BaseModel``)."""

    __slots__ = ()

    def export_data(self, fields_to_export: list[str]) -> dict[str, list[list[Any]]]:
        """``{'datas': rows}``: one list of cells per row, in the order of ``fields_to_export``."""
        paths = [split_path(path) for path in fields_to_export]
        self._check_export_paths(paths)
        return {"datas": self._export_rows(paths)}

    def _check_export_paths(self, paths: list[list[str]]) -> None:
        """Refuse unknown fields (``ValueError``) and fields the user may not read."""
        for path in paths:
            model = self
            model._check_access("read")
            for position, name in enumerate(path):
                if name in ("id", ".id"):
                    if position != len(path) - 1:
                        raise ValueError(
                            f"Invalid export path {'/'.join(path)!r}: {name} must end it"
                        )
                    break
                field = model._fields.get(name)
                if field is None:
                    raise ValueError(
                        f"Invalid export path {'/'.join(path)!r}: "
                        f"model {model._name} has no field {name!r}"
                    )
                model._check_field_access([name], "read")
                if field.type in ("many2one", "one2many", "many2many"):
                    model = self.env[field.comodel_name]
                    model._check_access("read")
                elif position != len(path) - 1:
                    raise ValueError(
                        f"Invalid export path {'/'.join(path)!r}: {model._name}.{name} "
                        "is not a relation"
                    )

    def _export_rows(self, paths: list[list[str]], top_level: bool = True) -> list[list[Any]]:
        """The rows of ``self`` for ``paths`` (lists of names); external ids stay
        ``(model, id)`` pairs until the top-level call resolves them all at once."""
        import_compat = self.env.context.get("import_compat", True)
        lines: list[list[Any]] = []
        for record in self:
            current: list[Any] = [""] * len(paths)
            lines.append(current)
            done: set[str] = set()
            for index, path in enumerate(paths):
                if not path or path[0] in done:
                    continue
                name = path[0]
                if name == ".id":
                    current[index] = str(record.id)
                    continue
                if name == "id":
                    current[index] = (record._name, record.id)
                    continue
                field = record._fields[name]
                value = record[name]
                if field.type not in ("many2one", "one2many", "many2many"):
                    current[index] = _export_value(field, value, record)
                    continue
                done.add(name)
                # the paths below this relation; its display name where no subfield is asked
                sub_paths = [
                    (p[1:] or ["display_name"]) if p and p[0] == name else [] for p in paths
                ]
                if import_compat and field.type == "many2many":
                    _export_many2many_cell(current, index, sub_paths, value)
                    continue
                sub_lines = value._export_rows(sub_paths, top_level=False)
                if sub_lines:
                    for column, cell in enumerate(sub_lines[0]):
                        if cell or isinstance(cell, int | float):  # zero and False are values
                            current[column] = cell
                    lines.extend(sub_lines[1:])
        if top_level and any(path and path[-1] == "id" for path in paths):
            self._resolve_export_xmlids(lines)
        return lines

    def _resolve_export_xmlids(self, lines: list[list[Any]]) -> None:
        """Replace the ``(model, id)`` cells of ``lines`` by external ids, in place."""
        by_model: dict[str, set[int]] = defaultdict(set)
        for line in lines:
            for cell in line:
                if isinstance(cell, tuple):
                    by_model[cell[0]].add(cell[1])
        names: dict[tuple[str, int], str] = {}
        for model_name, ids in by_model.items():
            names.update(_ensure_xmlids(self.env, model_name, sorted(ids)))
        for line in lines:
            for column, cell in enumerate(line):
                if isinstance(cell, tuple):
                    line[column] = names[cell]


def _export_value(field: Any, value: Any, record: Any) -> Any:
    """A plain field's cell, as Odoo 17's ``convert_to_export``: empty is ``''``, a selection
    gives its label, numbers stay numbers (zero included), booleans stay booleans, a datetime
    is in the user's time zone (context ``tz``)."""
    if field.type == "boolean":
        return bool(value)
    if field.type in ("integer", "float", "monetary"):
        return value if value or value == 0 else ""
    if field.type == "selection":
        labels = dict(field._selection(record))
        return labels.get(value, "") if value else ""
    if field.type == "datetime" and value:
        # shown in the user's time zone, as the pages show it (and as load reads it back)
        return _in_user_tz(value, record.env.context.get("tz"))
    if field.type == "binary":
        return value.decode() if isinstance(value, bytes) else (value or "")
    return value if value else ""


def _in_user_tz(value: datetime.datetime, tz_name: str | None) -> datetime.datetime:
    try:
        zone = zoneinfo.ZoneInfo(tz_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(zone).replace(tzinfo=None)


def _export_many2many_cell(
    current: list[Any], index: int, sub_paths: list[list[str]], value: Any
) -> None:
    """A many2many in one cell: external ids, or names, joined by commas (Odoo's
    import-compatible export)."""
    column, wanted = index, None
    for candidate in ("id", "name", "display_name"):
        if [candidate] in sub_paths:
            column, wanted = sub_paths.index([candidate]), candidate
            break
    if wanted == "id":
        xmlids = _ensure_xmlids(value.env, value._name, list(value.ids))
        current[column] = ",".join(xmlids[(value._name, record_id)] for record_id in value.ids)
    else:
        current[column] = ",".join(value.mapped("display_name")) if value else ""


def _ensure_xmlids(env: Any, model_name: str, ids: list[int]) -> dict[tuple[str, int], str]:
    """``{(model, id): 'module.name'}`` for ``ids``; records without one get
    ``__export__.<table>_<id>_<8 hex>`` (created as the superuser, as Odoo does)."""
    if not ids:
        return {}
    data = env["ir.model.data"].sudo()
    found: dict[tuple[str, int], str] = {}
    for row in data.search_read(
        [("model", "=", model_name), ("res_id", "in", ids)],
        ["module", "name", "res_id"],
        order="id",
    ):
        key = (model_name, row["res_id"])
        if key not in found:
            found[key] = f"{row['module']}.{row['name']}" if row["module"] else row["name"]
    missing = [record_id for record_id in ids if (model_name, record_id) not in found]
    if missing:
        table = env[model_name]._table
        vals_list = []
        for record_id in missing:
            name = f"{table}_{record_id}_{uuid.uuid4().hex[:8]}"
            vals_list.append(
                {"module": "__export__", "name": name, "model": model_name, "res_id": record_id}
            )
            found[(model_name, record_id)] = f"__export__.{name}"
        data.create(vals_list)
    return found
