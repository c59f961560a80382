"""A form view's arch resolved for one record: what the form page draws.

Worked example::

    arch = '''<form>
        <header>
            <button name="action_confirm" type="object" string="Confirm" class="oe_highlight"
                    invisible="state != 'draft'"/>
            <field name="state" widget="statusbar" statusbar_visible="draft,sale"/>
        </header>
        <sheet>
            <div class="oe_title"><h1><field name="name"/></h1></div>
            <group>
                <group><field name="partner_id"/></group>
                <group><field name="date_order" readonly="state != 'draft'"/></group>
            </group>
            <notebook><page string="Lines"><field name="order_line">
                <tree editable="bottom"><field name="product_id"/></tree>
            </field></page></notebook>
        </sheet>
    </form>'''
    form = resolve_form(arch, fields, Modifiers(values), user_groups=has_group)
    form.header_buttons         # [Button('action_confirm', 'Confirm', primary=True, ...)]
    form.statusbar              # the state field and the states shown
    form.body                   # Nodes: sheet > div.oe_title > h1 > field name ...

Each node's ``invisible`` is evaluated here (an invisible node and its subtree are dropped, but
one whose ``invisible`` is an expression is drawn hidden, buttons included, so that an
onchange may show it; a hidden button is not runnable), as are ``readonly`` and ``required``
of fields (on top of the field's own; a ``readonly`` expression draws the widget editable,
disabled while it holds, whatever its type: x2many, binary and html too), and a sub-list's
``column_invisible`` with the record as ``parent`` (a constant drops the column, an
expression hides it now or later), with the record's values (see :mod:`.modifiers`); ``groups="module.group"`` hides a node from users outside
those groups. The page template draws :class:`Node` trees; :func:`editable_fields` tells the
save handler which posted fields it may write, so a field the user could not edit on the page
is never written from a hand-made POST either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erplite.tools.lazy_modules import lazy_module

from .list_arch import ListSpec
from .modifiers import Modifiers

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker parses no XML
    ET = lazy_module("xml.etree.ElementTree", __name__, "ET")

#: tags drawn as containers (their children drawn inside them)
CONTAINERS = frozenset(
    {"sheet", "group", "notebook", "page", "div", "h1", "h2", "h3", "span", "p", "footer"}
)


@dataclass
class Button:
    name: str
    string: str
    type: str
    primary: bool = False
    confirm: str | None = None
    #: Odoo's ``special="cancel"`` (closes a dialog) or ``"save"`` (saves it and closes it)
    special: str | None = None
    #: the ``context`` attribute's text (evaluated when the button runs)
    context: str | None = None
    #: the key of its modifiers when ``invisible`` is an expression (see ``ResolvedForm``)
    mod_key: str | None = None
    #: invisible by an expression now: drawn hidden (an onchange may show it), not runnable
    hidden: bool = False
    kind = "button"

    @property
    def key(self) -> str:
        """What the button posts as ``button``: its method or action, or ``special:<x>``."""
        return f"special:{self.special}" if self.special else self.name


@dataclass
class FieldNode:
    name: str
    string: str
    description: Mapping[str, Any]
    widget: str | None
    readonly: bool
    required: bool
    nolabel: bool
    placeholder: str | None = None
    #: for a one2many/many2many drawn as a sub-list: its columns
    sublist: ListSpec | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    #: the key of its modifiers when one of them is an expression (see ``ResolvedForm``)
    mod_key: str | None = None
    #: invisible by an expression now: drawn hidden, shown again when an onchange says so
    hidden: bool = False
    #: ``readonly`` is an expression: drawn as an input, disabled while it holds
    dynamic_readonly: bool = False
    #: inside a node that is hidden now (not editable until it is shown)
    inside_hidden: bool = False
    #: a sub-list's columns whose ``column_invisible`` is an expression: name → modifier key
    column_keys: dict[str, str] = field(default_factory=dict)
    #: the sub-list's columns hidden now (``column_invisible`` true)
    hidden_columns: set[str] = field(default_factory=set)
    kind = "field"

    @property
    def type(self) -> str:
        return str(self.description.get("type", "char"))


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Any] = field(default_factory=list)  # Node | FieldNode | Button | str
    text: str | None = None
    mod_key: str | None = None
    hidden: bool = False
    kind = "node"

    @property
    def css_class(self) -> str:
        return self.attrs.get("class", "")


@dataclass
class Statusbar:
    field: FieldNode
    #: (value, label) of the states drawn, in order (a many2one's: filled by the page, see
    #: ``ui/statusbar.py``)
    states: list[tuple[str, str]]
    #: the record's value, as the states name it (a many2one's id as text)
    current: str | None = None


@dataclass
class ResolvedForm:
    header_buttons: list[Button]
    statusbar: Statusbar | None
    body: list[Any]
    fields: dict[str, FieldNode]
    buttons: dict[str, Button]
    create: bool = True
    edit: bool = True
    #: per node whose ``invisible``/``readonly``/``required`` is an expression (keyed by the
    #: node's rank in the arch, the same for every evaluation of one arch): their values now,
    #: which the onchange answers so that the page shows, hides, enables what changed
    modifiers: dict[str, dict[str, bool]] = field(default_factory=dict)


#: the attributes the page evaluates on the record's values
_MODIFIERS = ("invisible", "readonly", "required")


def _dynamic(text: str | None) -> bool:
    return text is not None and text.strip() not in _CONSTANT_TEXTS


#: attribute texts that are constants, not expressions
_CONSTANT_TEXTS = frozenset({"", "0", "1", "True", "False", "true", "false"})


def _false(text: str | None) -> bool:
    return text in ("0", "false", "False")


def resolve_form(
    arch: str,
    fields: Mapping[str, Mapping[str, Any]],
    modifiers: Modifiers,
    *,
    in_groups: Callable[[str], bool],
    models: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> ResolvedForm:
    """The form of ``arch`` for the record whose values ``modifiers`` holds.

    :param fields: the model's fields as ``get_views`` describes them (a field the user may
        not read is absent, and so its node is dropped).
    :param in_groups: whether the user belongs to a group named by its xml id.
    :param models: ``get_views``' ``models``: the fields of the one2many comodels.
    """
    root = ET.fromstring(arch)
    form = ResolvedForm([], None, [], {}, {})
    form.create = not _false(root.get("create"))
    form.edit = not _false(root.get("edit"))
    keys = {
        id(element): f"m{rank}"
        for rank, element in enumerate(root.iter())
        if any(_dynamic(element.get(name)) for name in _MODIFIERS)
    }

    def allowed(node: ET.Element) -> bool:
        groups = node.get("groups")
        return not groups or any(in_groups(g.strip()) for g in groups.split(",") if g.strip())

    def visible(node: ET.Element) -> bool:
        return allowed(node) and not modifiers.is_true(node.get("invisible"))

    def shown_hidden(node: ET.Element) -> bool:
        """Invisible by an expression now: kept hidden (an onchange may show it)."""
        return (
            allowed(node)
            and id(node) in keys
            and _dynamic(node.get("invisible"))
            and modifiers.is_true(node.get("invisible"))
        )

    def mark(made: Any, node: ET.Element, hidden: bool) -> Any:
        key = keys.get(id(node))
        if key is not None and made is not None:
            made.mod_key = key
            made.hidden = hidden
            form.modifiers[key] = {
                "invisible": hidden,
                "readonly": bool(getattr(made, "readonly", False)),
                "required": bool(getattr(made, "required", False)),
            }
        return made

    def make_field(node: ET.Element) -> FieldNode | None:
        name = node.get("name", "")
        description = fields.get(name)
        if description is None:
            return None
        readonly = bool(description.get("readonly")) and not node.get("readonly")
        if node.get("readonly") is not None:
            readonly = modifiers.is_true(node.get("readonly"))
        if not form.edit:
            readonly = True
        required = bool(description.get("required")) or modifiers.is_true(node.get("required"))
        sublist = None
        if description.get("type") in ("one2many", "many2many"):
            tree = node.find("tree")
            if tree is None:
                tree = node.find("list")
            if tree is not None:
                comodel_fields = (models or {}).get(str(description.get("relation")), {})
                sublist = ListSpec.from_node(tree, comodel_fields)
                columns = _sublist_columns(sublist, modifiers)
                sublist.columns = [c for c in sublist.columns if c.name not in columns[0]]
        field_node = FieldNode(
            name,
            node.get("string") or str(description.get("string") or name),
            description,
            node.get("widget"),
            readonly,
            required and not readonly,
            node.get("nolabel") in ("1", "True"),
            node.get("placeholder"),
            sublist,
            dict(node.attrib),
        )
        field_node.dynamic_readonly = form.edit and _dynamic(node.get("readonly"))
        if sublist is not None:
            for column_name, hidden in columns[1].items():
                key = f"{name}:{column_name}"
                field_node.column_keys[column_name] = key
                if hidden:
                    field_node.hidden_columns.add(column_name)
                form.modifiers[key] = {"invisible": hidden, "readonly": False, "required": False}
        form.fields[name] = field_node
        return field_node

    def make_button(node: ET.Element) -> Button:
        special = node.get("special")
        button = Button(
            node.get("name", ""),
            node.get("string") or node.get("name", "") or (special or "").capitalize(),
            node.get("type", "object"),
            "oe_highlight" in (node.get("class") or "")
            or "btn-primary" in (node.get("class") or ""),
            node.get("confirm"),
            special if special in ("cancel", "save") else None,
            node.get("context"),
        )
        form.buttons[button.key] = button
        return button

    def convert(node: ET.Element) -> list[Any]:
        """The drawable children of ``node``, with its text and tails kept."""
        result: list[Any] = []
        if node.text and node.text.strip():
            result.append(node.text.strip())
        for child in node:
            if visible(child):
                result.extend(mark(made, child, False) for made in convert_one(child))
            elif shown_hidden(child):
                for made in convert_one(child):
                    result.append(mark(made, child, True))
                    _hide_inside(made)
            if child.tail and child.tail.strip():
                result.append(child.tail.strip())
        return result

    def convert_one(node: ET.Element) -> list[Any]:
        if node.tag == "field":
            made = make_field(node)
            return [made] if made is not None else []
        if node.tag == "button":
            return [make_button(node)] if node.get("name") or node.get("special") else []
        if node.tag == "header":
            for child in node:
                if child.tag == "button" and child.get("name") and shown_hidden(child):
                    form.header_buttons.append(mark(make_button(child), child, True))
                    continue
                if not visible(child):
                    continue
                if child.tag == "button" and child.get("name"):
                    form.header_buttons.append(mark(make_button(child), child, False))
                elif child.tag == "field" and child.get("widget") == "statusbar":
                    made = make_field(child)
                    if made is not None:
                        shown = [
                            s.strip()
                            for s in (child.get("statusbar_visible") or "").split(",")
                            if s.strip()
                        ]
                        selection = [tuple(item) for item in made.description.get("selection", [])]
                        current = modifiers.scope.get(made.name)
                        states = [
                            (str(value), str(label))
                            for value, label in selection
                            if not shown or value in shown or value == current
                        ]
                        form.statusbar = Statusbar(
                            made, states, str(current) if current not in (None, False) else None
                        )
            return []
        if node.tag == "label":
            target = node.get("for")
            string = node.get("string")
            if target and not string and target in fields:
                string = str(fields[target].get("string") or target)
            return [Node("label", {"for": target or ""}, [], string)]
        if node.tag == "separator":
            return [Node("separator", {}, [], node.get("string"))]
        if node.tag == "newline":
            return [Node("newline")]
        if node.tag in ("tree", "list", "form", "kanban"):
            return []  # inline sub-views are read by make_field
        return [Node(node.tag, dict(node.attrib), convert(node))]

    form.body = convert(root)
    return form


def arch_field_names(arch: str) -> list[str]:
    """The fields named in a form arch outside its inline sub-views."""
    names: list[str] = []

    def walk(node: ET.Element) -> None:
        for child in node:
            if child.tag == "field":
                names.append(child.get("name", ""))
            elif child.tag not in ("tree", "list", "form", "kanban"):
                walk(child)

    walk(ET.fromstring(arch))
    return names


def _sublist_columns(spec: ListSpec, modifiers: Modifiers) -> tuple[set[str], dict[str, bool]]:
    """``(columns never shown, {column: hidden now})`` of a sub-list: ``column_invisible``
    evaluated with the form's record as ``parent`` (Odoo 17), a constant one dropping the
    column, an expression keeping it, hidden or shown now (an onchange may change it)."""
    scope = Modifiers(
        {},
        uid=modifiers.scope.get("uid"),
        context=modifiers.scope.get("context"),
        parent=modifiers.scope,
        company_id=modifiers.scope.get("current_company_id"),
    )
    dropped: set[str] = set()
    dynamic: dict[str, bool] = {}
    for column in spec.columns:
        text = column.column_invisible
        if not _dynamic(text):
            if scope.is_true(text):
                dropped.add(column.name)
            continue
        dynamic[column.name] = scope.is_true(text)
    return dropped, dynamic


def _hide_inside(item: Any) -> None:
    for child in getattr(item, "children", ()):
        if isinstance(child, FieldNode):
            child.inside_hidden = True
        elif isinstance(child, Button):
            child.hidden = True  # not runnable while its container is hidden
        _hide_inside(child)


def editable_fields(form: ResolvedForm) -> dict[str, FieldNode]:
    """The fields the page lets the user change: drawn, visible, not read-only, not
    computed-only."""
    return {
        name: node
        for name, node in form.fields.items()
        if not node.readonly and not node.hidden and not node.inside_hidden
    }


__all__ = [
    "Button",
    "FieldNode",
    "Node",
    "ResolvedForm",
    "Statusbar",
    "arch_field_names",
    "editable_fields",
    "resolve_form",
]
