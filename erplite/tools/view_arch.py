"""Checking a view's combined arch against its model, tailoring it to a user, default archs.

No database here: functions take a model (a recordset, for its ``_fields`` and its ``env``)
and an arch parsed by :func:`erplite.tools.view_inheritance.parse_arch`.

- :func:`check_arch` refuses what Odoo 17 refuses when a view is saved: a root tag that is not
  the view's type, a ``<field>`` (or ``<label for>``, a search filter's ``group_by``, a graph or
  pivot field) naming no field of the model, a ``type="object"`` button naming no public method.
  Sub-views of x2many fields (``<field name="order_line"><tree>...``) are checked against the
  comodel. Errors are :class:`ArchError` naming the node.
- :func:`postprocess_arch` tailors an arch to the current user, as Odoo 17's ``get_view``
  does: nodes with ``groups=`` the user lacks are removed, so are fields whose ``groups`` the
  user lacks (and the labels of removed fields); many2one and many2many fields get
  ``can_create``/``can_write`` from the comodel's access rights. It returns the field names
  used per model.
- :func:`default_arch` is the arch of a model without a view of a type (Odoo 17's
  ``_get_default_*_view``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from erplite.tools.lazy_modules import lazy_module
from erplite.tools.view_inheritance import ArchError, describe_node

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

__all__ = [
    "ROOT_TAGS",
    "VIEW_TYPES",
    "check_arch",
    "default_arch",
    "normalize_view_type",
    "postprocess_arch",
]

#: The view types and the root tags of their archs (``tree`` is stored; ``list`` is accepted).
ROOT_TAGS: dict[str, tuple[str, ...]] = {
    "tree": ("tree", "list"),
    "form": ("form",),
    "kanban": ("kanban",),
    "search": ("search",),
    "graph": ("graph",),
    "pivot": ("pivot",),
    # the ``mail`` module's (Odoo 17 declares it there too): records x activity types
    "activity": ("activity",),
}
VIEW_TYPES = tuple(ROOT_TAGS)

#: Fields Odoo leaves out of default views.
_AUTOMATIC = ("id", "display_name", "create_uid", "create_date", "write_uid", "write_date")
_SUBVIEW_TAGS = ("tree", "list", "form", "kanban", "graph", "pivot")


def normalize_view_type(view_type: str) -> str:
    """``list`` -> ``tree`` (Odoo 17 stores list views as ``tree``); other types unchanged.
    Raises :class:`ArchError` for an unknown type."""
    view_type = "tree" if view_type == "list" else view_type
    if view_type not in ROOT_TAGS:
        raise ArchError(
            f"unknown view type {view_type!r}: use one of list (tree), "
            + ", ".join(t for t in VIEW_TYPES if t != "tree")
        )
    return view_type


def view_type_of(root: etree._Element) -> str:
    """The view type an arch's root tag declares."""
    for view_type, tags in ROOT_TAGS.items():
        if root.tag in tags:
            return view_type
    raise ArchError(
        f"unknown view type: root node {describe_node(root)} is none of "
        + ", ".join(tag for tags in ROOT_TAGS.values() for tag in tags)
    )


# -- checking ----------------------------------------------------------------------------------


def check_arch(model: Any, root: etree._Element, view_type: str) -> None:
    """Raise :class:`ArchError` if the combined arch ``root`` is not a valid ``view_type``
    view of ``model`` (see the module docstring)."""
    if root.tag not in ROOT_TAGS[view_type]:
        raise ArchError(
            f"the root node of a {view_type} view must be "
            + " or ".join(f"<{tag}>" for tag in ROOT_TAGS[view_type])
            + f", not {describe_node(root)}"
        )
    _check_children(model, root, view_type)


def _check_children(model: Any, parent: etree._Element, view_type: str) -> None:
    for node in parent:
        if not isinstance(node.tag, str):
            continue
        if node.tag == "field":
            field = _field_of(model, node, view_type)
            subviews = [child for child in node if child.tag in _SUBVIEW_TAGS]
            if subviews:
                if field is None or not field.relational:
                    raise ArchError(
                        f"field {node.get('name')!r} of model {model._name!r} is not relational "
                        f"and cannot hold a sub-view ({describe_node(node)})"
                    )
                comodel = model.env[field.comodel_name]
                for subview in subviews:
                    sub_type = "tree" if subview.tag == "list" else subview.tag
                    _check_children(comodel, subview, sub_type)
            continue
        if node.tag == "label" and node.get("for"):
            if node.get("for") not in model._fields:
                raise ArchError(
                    f"field {node.get('for')!r} does not exist on model {model._name!r} "
                    f"({describe_node(node)})"
                )
        elif node.tag == "button" and node.get("type") == "object":
            _check_method(model, node)
        elif node.tag == "filter" and view_type == "search":
            _check_group_by(model, node)
        _check_children(model, node, view_type)


def _field_of(model: Any, node: etree._Element, view_type: str) -> Any:
    name = node.get("name")
    if not name:
        raise ArchError(f"{describe_node(node)} has no name")
    if view_type in ("graph", "pivot") and name.startswith("__count"):
        return None
    field = model._fields.get(name)
    if field is None:
        raise ArchError(
            f"field {name!r} does not exist on model {model._name!r} ({describe_node(node)})"
        )
    return field


def _check_method(model: Any, node: etree._Element) -> None:
    name = node.get("name") or ""
    if not name or name.startswith("_") or not callable(getattr(model, name, None)):
        raise ArchError(
            f"{name!r} is not a valid action on model {model._name!r}: a button of "
            f'type="object" names a public method of the model ({describe_node(node)})'
        )


def _check_group_by(model: Any, node: etree._Element) -> None:
    """A filter's ``context="{'group_by': ...}"`` names fields of the model (literal contexts
    only: others are expressions evaluated in the page)."""
    context = node.get("context")
    if not context or "group_by" not in context:
        return
    try:
        value = ast.literal_eval(context.strip())
    except (ValueError, SyntaxError):
        return
    group_by = value.get("group_by") if isinstance(value, dict) else None
    if isinstance(group_by, str):
        group_by = [group_by]
    for spec in group_by or ():
        name = str(spec).split(":", 1)[0]
        if name not in model._fields:
            raise ArchError(
                f"field {name!r} (group_by) does not exist on model {model._name!r} "
                f"({describe_node(node)})"
            )


# -- tailoring to a user -----------------------------------------------------------------------


def postprocess_arch(model: Any, root: etree._Element) -> dict[str, list[str]]:
    """Tailor ``root`` (modified in place) to ``model.env``'s user; return the field names
    the arch uses, per model name (the view's model first)."""
    from erplite import security

    env = model.env
    if not env.su:
        for node in list(root.iter()):
            groups = node.get("groups") if isinstance(node.tag, str) else None
            if groups and node.getparent() is not None:
                if not security.has_groups(env, env.uid, groups):
                    node.getparent().remove(node)
    for node in root.iter():
        if isinstance(node.tag, str) and "groups" in node.attrib:
            del node.attrib["groups"]
    used: dict[str, list[str]] = {}
    _collect(model, root, used)
    return used


def _collect(model: Any, parent: etree._Element, used: dict[str, list[str]]) -> None:
    from erplite import security

    env = model.env
    names = used.setdefault(model._name, [])
    removed: set[str] = set()
    for node in list(parent):
        if not isinstance(node.tag, str):
            continue
        if node.tag == "field":
            name = node.get("name", "")
            field = model._fields.get(name)
            if field is None:
                continue  # graph/pivot __count
            if field.groups and not security.field_accessible(env, field):
                parent.remove(node)
                removed.add(name)
                continue
            if name not in names:
                names.append(name)
            if field.type in ("many2one", "many2many"):
                comodel = env[field.comodel_name]
                node.set("can_create", _js_bool(comodel.check_access_rights("create", False)))
                node.set("can_write", _js_bool(comodel.check_access_rights("write", False)))
            for subview in node:
                if subview.tag in _SUBVIEW_TAGS and field.relational:
                    _collect(env[field.comodel_name], subview, used)
            continue
        _collect(model, node, used)
    if removed:
        for node in list(parent.iter("label")):
            if node.get("for") in removed and node.getparent() is not None:
                node.getparent().remove(node)


def _js_bool(value: bool) -> str:
    return "true" if value else "false"


# -- defaults ----------------------------------------------------------------------------------


def _rec_name(model: Any) -> str:
    rec_name = model._rec_name
    return rec_name if rec_name and rec_name in model._fields else "id"


def default_arch(model: Any, view_type: str) -> etree._Element:
    """The arch Odoo 17 makes for a model without a view of ``view_type``: a list and a search
    of the record name, a form of every field (two columns, long and x2many fields on their
    own row), a kanban card of the record name, an empty graph and pivot (the count), an
    activity view whose ``activity-box`` shows the record name."""
    from lxml.builder import E  # lxml on first use, as the module's etree

    view_type = normalize_view_type(view_type)
    name = _rec_name(model)
    if view_type == "tree":
        return E.tree(E.field(name=name))
    if view_type == "search":
        return E.search(E.field(name=name))
    if view_type == "kanban":
        return E.kanban(
            E.templates(
                E.t(
                    E.div(E.field(name=name), {"class": "oe_kanban_global_click"}),
                    {"t-name": "kanban-box"},
                )
            )
        )
    if view_type == "graph":
        return E.graph()
    if view_type == "pivot":
        return E.pivot()
    if view_type == "activity":
        box = E.div(E.field(name=name), {"t-name": "activity-box"})
        return E.activity(E.templates(box), string=model._description or model._name)
    return _default_form(model)


def _default_form(model: Any) -> etree._Element:
    from lxml.builder import E  # lxml on first use, as the module's etree

    sheet = E.sheet(string=model._description or model._name)
    main, left, right = E.group(), E.group(), E.group()

    def close_columns() -> None:
        nonlocal main, left, right
        if len(left):
            main.append(left)
            left = E.group()
        if len(right):
            main.append(right)
            right = E.group()
        if len(main):
            sheet.append(main)
            main = E.group()

    for name, field in model._fields.items():
        if name in _AUTOMATIC or name == "parent_path":
            continue
        if field.type in ("one2many", "many2many", "text", "html"):
            close_columns()
            sheet.append(E.group(E.field(name=name)))
        elif len(left) > len(right):
            right.append(E.field(name=name))
        else:
            left.append(E.field(name=name))
    close_columns()
    return E.form(sheet)
