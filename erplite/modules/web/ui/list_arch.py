"""A list (``tree``) view's arch as the list page uses it: columns, footers, decorations.

Worked example::

    arch = '''<tree default_order="date_order desc" decoration-muted="state == 'cancel'">
        <field name="name"/>
        <field name="partner_id"/>
        <field name="amount_total" sum="Total"/>
        <field name="client_order_ref" optional="hide"/>
        <field name="state" widget="badge"/>
    </tree>'''
    spec = ListSpec.from_arch(arch, fields)
    [c.name for c in spec.columns]          # ['name', 'partner_id', 'amount_total', 'state']
    spec.columns[2].aggregate               # ('sum', 'Total')
    spec.default_order                      # 'date_order desc'
    spec.decorations                        # [('muted', "state == 'cancel'")]

A column whose field the user may not read is not in ``fields`` (``get_views`` removed it) and
is dropped; ``optional="hide"`` columns are left out of the page (``optional="show"`` kept);
``column_invisible`` is evaluated once for a list page with :mod:`.modifiers` (a form's
sub-list evaluates it with the form's record as ``parent``, see :mod:`.form_arch`). ``<button>`` nodes
of a list are not rendered (rows open the form, where the buttons are).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erplite.tools.lazy_modules import lazy_module

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker parses no XML
    ET = lazy_module("xml.etree.ElementTree", __name__, "ET")

#: Bootstrap-named decorations Odoo 17 knows (``decoration-<name>``)
DECORATIONS = ("bf", "it", "danger", "info", "muted", "primary", "success", "warning")


@dataclass(frozen=True)
class Column:
    name: str
    string: str
    type: str
    widget: str | None = None
    #: ``("sum" | "avg", label)`` for a footer aggregate
    aggregate: tuple[str, str] | None = None
    invisible: str | None = None
    column_invisible: str | None = None
    optional: str | None = None
    #: the column's ``readonly`` attribute (``"1"``: its cells are shown, never posted)
    readonly: str | None = None

    @property
    def always_readonly(self) -> bool:
        return (self.readonly or "").strip() in ("1", "True", "true")

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "float", "monetary")


@dataclass
class ListSpec:
    columns: list[Column] = field(default_factory=list)
    default_order: str | None = None
    decorations: list[tuple[str, str]] = field(default_factory=list)
    editable: str | None = None
    create: bool = True
    delete: bool = True

    @property
    def field_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @classmethod
    def from_arch(cls, arch: str, fields: Mapping[str, Mapping[str, Any]]) -> ListSpec:
        return cls.from_node(ET.fromstring(arch), fields)

    @classmethod
    def from_node(cls, root: ET.Element, fields: Mapping[str, Mapping[str, Any]]) -> ListSpec:
        """The spec of a ``<tree>`` node (a list view, or the sub-list of a one2many)."""
        spec = cls(
            default_order=root.get("default_order"),
            editable=root.get("editable"),
            create=root.get("create") not in ("0", "false", "False"),
            delete=root.get("delete") not in ("0", "false", "False"),
        )
        for name in DECORATIONS:
            expression = root.get(f"decoration-{name}")
            if expression:
                spec.decorations.append((name, expression))
        for node in root:
            if node.tag != "field":
                continue
            name = node.get("name", "")
            description = fields.get(name)
            if description is None or node.get("optional") == "hide":
                continue
            aggregate = None
            for operator in ("sum", "avg"):
                if node.get(operator):
                    aggregate = (operator, node.get(operator) or "")
            spec.columns.append(
                Column(
                    name,
                    node.get("string") or description.get("string") or name,
                    description.get("type", "char"),
                    node.get("widget"),
                    aggregate,
                    node.get("invisible"),
                    node.get("column_invisible"),
                    node.get("optional"),
                    node.get("readonly"),
                )
            )
        return spec


__all__ = ["DECORATIONS", "Column", "ListSpec"]
