"""View archs: hardened XML parsing and Odoo 17's view inheritance, without a database.

Worked example::

    from erplite.tools.view_inheritance import parse_arch, apply_inheritance_specs, to_string

    base = parse_arch('<form><field name="name"/></form>')
    spec = parse_arch('<field name="name" position="after"><field name="email"/></field>')
    to_string(apply_inheritance_specs(base, spec))
    # '<form><field name="name"/><field name="email"/></form>'

An inheriting view's arch is a *spec*: either one element, or ``<data>`` holding several. Each
spec element locates one node of the arch it extends, as Odoo 17 does
(``odoo/tools/template_inheritance.py``):

- ``<xpath expr="..." position="...">``: the first node the XPath expression selects;
- ``<field name="x" position="...">``: the first ``<field>`` named ``x`` (document order);
- any other tag (``<group name="g">``, ``<page name="p">``, ``<div name="d">``,
  ``<button name="b">``, ``<form>``...): the first node of that tag whose attributes equal all
  the spec's attributes other than ``position``.

Positions: ``inside`` (default: append the spec's children), ``after``, ``before``,
``replace`` (the spec's children take the node's place; ``mode="inner"`` replaces only its
content; replacing the root makes the spec's single child the new root), ``attributes``
(``<attribute name="x">value</attribute>`` sets or, empty, removes ``x``; with
``add="..."``/``remove="..."`` and ``separator`` (default ``,``) it edits a list-like value),
and ``move`` on a child of an ``after``/``before``/``inside`` spec
(``<xpath expr="..." position="move"/>``: that node is moved there instead of copied).

A spec that locates nothing raises :class:`ArchError` naming the spec node. XML is parsed by
:func:`parse_arch` with entity resolution, DTD loading and network access disabled, so an arch
can declare neither an entity nor an external reference.
"""

from __future__ import annotations

import copy
import threading
from typing import TYPE_CHECKING

from erplite.tools.lazy_modules import lazy_module

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

__all__ = [
    "ArchError",
    "apply_inheritance_specs",
    "describe_node",
    "locate_node",
    "parse_arch",
    "to_string",
]

_PARSERS = threading.local()


def _parser(keep_blank_text: bool = False) -> etree.XMLParser:
    """The parser of every arch, one per thread (lxml parsers are not shared between threads):
    no entities, no DTD, no network, comments dropped (Odoo keeps them out of combined archs),
    blank text dropped so that serialised archs are stable (kept for QWeb templates, where
    ``<t t-out="a"/> <t t-out="b"/>`` renders the space)."""
    name = "template_parser" if keep_blank_text else "parser"
    parser = getattr(_PARSERS, name, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
            remove_blank_text=not keep_blank_text,
            huge_tree=False,
        )
        setattr(_PARSERS, name, parser)
    return parser


_POSITIONS = ("inside", "after", "before", "replace", "attributes")


class ArchError(ValueError):
    """An arch is invalid or a spec cannot be applied; ``str(error)`` says which node and why."""


def parse_arch(arch: str | bytes, *, keep_blank_text: bool = False) -> etree._Element:
    """Parse an arch (text or bytes) with the hardened parser; raises :class:`ArchError`
    for malformed XML or a document declaring a DTD or entities. Blank text between elements
    is dropped unless ``keep_blank_text`` (QWeb templates)."""
    if isinstance(arch, str):
        data = arch.encode("utf-8")
        if arch.lstrip().startswith("<?xml"):
            # an encoding declaration in a str: drop it, the bytes are UTF-8
            end = arch.find("?>")
            data = arch[end + 2 :].encode("utf-8")
    else:
        data = arch
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ArchError("invalid XML: DOCTYPE and entity declarations are not allowed in archs")
    try:
        root = etree.fromstring(data, _parser(keep_blank_text))
    except etree.XMLSyntaxError as error:
        raise ArchError(f"invalid XML: {error}") from None
    if root is None:
        raise ArchError("invalid XML: empty arch")
    return root


def to_string(node: etree._Element) -> str:
    """The arch serialised as text (no XML declaration)."""
    return etree.tostring(node, encoding="unicode")


def describe_node(node: etree._Element) -> str:
    """The start tag of ``node`` with its attributes, for error messages."""
    attrs = " ".join(f'{name}="{value}"' for name, value in node.attrib.items())
    return f"<{node.tag}{' ' + attrs if attrs else ''}>"


def locate_node(arch: etree._Element, spec: etree._Element) -> etree._Element | None:
    """The node of ``arch`` that ``spec`` designates (see the module docstring), or None."""
    if spec.tag == "xpath":
        expr = spec.get("expr")
        if not expr:
            raise ArchError(f"{describe_node(spec)} has no expr")
        try:
            found = arch.xpath(expr)
        except etree.XPathError as error:
            raise ArchError(f"invalid xpath {expr!r} in {describe_node(spec)}: {error}") from None
        nodes = [node for node in found if isinstance(node, etree._Element)]
        return nodes[0] if nodes else None
    if spec.tag == "field":
        name = spec.get("name")
        for node in arch.iter("field"):
            if node.get("name") == name:
                return node
        return None
    keys = [attr for attr in spec.attrib if attr not in ("position", "version", "mode")]
    for node in arch.iter(spec.tag):
        if all(node.get(attr) == spec.get(attr) for attr in keys):
            return node
    return None


def apply_inheritance_specs(arch: etree._Element, specs: etree._Element) -> etree._Element:
    """Apply the spec(s) of an inheriting view to ``arch`` (modified in place) and return the
    resulting root (a new element when the root itself is replaced)."""
    queue = [specs] if specs.tag != "data" else list(specs)
    while queue:
        spec = queue.pop(0)
        if not isinstance(spec.tag, str):
            continue  # comments, processing instructions
        if spec.tag == "data":
            queue = list(spec) + queue
            continue
        node = locate_node(arch, spec)
        if node is None:
            raise ArchError(f"element {describe_node(spec)} cannot be located in parent view")
        arch = _apply_spec(arch, node, spec)
    return arch


def _apply_spec(arch: etree._Element, node: etree._Element, spec: etree._Element):
    position = spec.get("position", "inside")
    if position not in _POSITIONS:
        raise ArchError(
            f"invalid position {position!r} in {describe_node(spec)}: use one of "
            + ", ".join(_POSITIONS)
        )
    if position == "attributes":
        _set_attributes(node, spec)
        return arch
    if position == "replace":
        return _replace(arch, node, spec)
    content = _content(arch, spec)
    if position == "inside":
        # the spec's own text goes in too, as in Odoo (it matters in QWeb templates)
        _append_text(node, spec.text)
        for child in content:
            node.append(child)
        return arch
    parent = node.getparent()
    if parent is None:
        raise ArchError(f"{describe_node(spec)}: cannot put nodes {position} the root node")
    if position == "after":
        if spec.text:  # the node, the spec's text, its nodes, then what followed the node
            rest, node.tail = node.tail or "", spec.text
            if content:
                content[-1].tail = (content[-1].tail or "") + rest
            else:
                node.tail += rest
        anchor = node
        for child in content:
            anchor.addnext(child)
            anchor = child
    else:  # before
        previous = node.getprevious()
        if spec.text and previous is not None:
            previous.tail = (previous.tail or "") + spec.text
        elif spec.text:
            parent.text = (parent.text or "") + spec.text
        for child in content:
            node.addprevious(child)
    return arch


def _append_text(node: etree._Element, text: str | None) -> None:
    """Put ``text`` at the end of ``node``'s content."""
    if not text:
        return
    if len(node):
        last = node[-1]
        last.tail = (last.tail or "") + text
    else:
        node.text = (node.text or "") + text


def _content(arch: etree._Element, spec: etree._Element) -> list[etree._Element]:
    """The nodes a spec inserts: copies of its children, or (``position="move"``) nodes of
    ``arch`` taken from where they were."""
    nodes = []
    for child in spec:
        if not isinstance(child.tag, str):
            continue
        if child.get("position") == "move":
            moved = locate_node(arch, child)
            if moved is None:
                raise ArchError(f"element {describe_node(child)} cannot be located in parent view")
            tail = moved.tail
            parent = moved.getparent()
            if parent is not None:
                _keep_tail(moved, tail)
                parent.remove(moved)
            moved.tail = None
            nodes.append(moved)
        else:
            nodes.append(copy.deepcopy(child))
    return nodes


def _keep_tail(node: etree._Element, tail: str | None) -> None:
    """Before ``node`` leaves its parent, give its tail text to what precedes it."""
    if not tail or not tail.strip():
        return
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent = node.getparent()
        parent.text = (parent.text or "") + tail


def _replace(arch: etree._Element, node: etree._Element, spec: etree._Element):
    if spec.get("mode", "outer") == "inner":
        for child in list(node):
            node.remove(child)
        node.text = spec.text
        for child in _content(arch, spec):
            node.append(child)
        return arch
    content = _content(arch, spec)
    parent = node.getparent()
    if parent is None:
        if len(content) != 1:
            raise ArchError(
                f"{describe_node(spec)}: replacing the root node needs exactly one new root"
            )
        return content[0]
    for child in content:
        node.addprevious(child)
    _keep_tail(node, node.tail)
    parent.remove(node)
    return arch


def _set_attributes(node: etree._Element, spec: etree._Element) -> None:
    for child in spec:
        if not isinstance(child.tag, str):
            continue
        if child.tag != "attribute":
            raise ArchError(
                f'{describe_node(spec)}: position="attributes" takes <attribute> children, '
                f"not {describe_node(child)}"
            )
        name = child.get("name")
        if not name:
            raise ArchError(f"{describe_node(child)} has no name")
        if child.get("add") is not None or child.get("remove") is not None:
            separator = child.get("separator", ",")
            strip = separator.strip() == separator or separator.strip() != ""
            values = [v.strip() if strip else v for v in (node.get(name) or "").split(separator)]
            values = [v for v in values if v]
            removed = {v.strip() for v in (child.get("remove") or "").split(separator) if v.strip()}
            values = [v for v in values if v not in removed]
            for added in (child.get("add") or "").split(separator):
                added = added.strip()
                if added and added not in values:
                    values.append(added)
            joined = separator.join(values)
            if joined:
                node.set(name, joined)
            elif name in node.attrib:
                del node.attrib[name]
            continue
        value = child.text or ""
        if value:
            node.set(name, value)
        elif name in node.attrib:
            del node.attrib[name]
