"""Data files (``.xml`` and ``.csv``) parsed into plain operations, without a database.

:func:`parse_data_file` reads one file of a module and returns its operations in document order:
:class:`RecordOp`, :class:`FunctionOp`, :class:`DeleteOp`, :class:`MenuOp` for XML, one
:class:`CsvOp` for CSV. Each operation and each value carries the file (``"<module>/<relpath>"``)
and the 1-based line it comes from, so the step that applies them can report any failure
precisely. Nothing is evaluated here: ``eval=``, ``search=`` and ``context=`` stay expression
strings for the restricted evaluator; xml ids are qualified (``x`` -> ``<module>.x``).

The XML dialect is Odoo 17's (``odoo/tools/convert.py``, ``odoo/import_xml.rng``): root
``<odoo>`` (also ``<openerp>``, and ``<data>`` as Odoo accepts), ``<data noupdate=..>`` blocks,
``<record>``, ``<field>``, ``<function>`` with ``<value>`` arguments, ``<delete>``, nested
``<menuitem>``. Differences, all stricter: unknown tags and attributes, ``<record>`` and
``<menuitem>`` without id, contradictory attributes (``ref`` with ``eval``...), ``context`` on both
a ``<data>`` and an operation inside it, and any DTD are errors. ``<template id=..>`` (QWeb) is
read as Odoo 17 reads it: a :class:`RecordOp` of an ``ir.ui.view`` of type ``qweb`` whose arch
is ``<t t-name="<module>.<id>">`` around the template's content (``<data>`` for an extension,
``inherit_id=``), with ``name``, ``key``, ``priority``, ``active`` and ``primary``. Parsing uses :mod:`xml.parsers.expat` directly, which gives line numbers and lets us
refuse ``<!DOCTYPE`` before any entity can be declared (no billion laughs, no external entities).

Field values (:class:`FieldValue`), by ``kind``:

- ``text``: the text content as written (``type="char"`` or no type), or the text of the file
  named by ``file=``.
- ``int`` / ``float``: the converted number, from ``type="int"`` (the text ``None`` gives
  ``None``) / ``type="float"``.
- ``xml``: ``'<?xml version="1.0"?>\\n'`` followed by the inner XML (several top elements are
  wrapped in one ``<data>``, as Odoo does), from ``type="xml"``; ``%(xmlid)d`` is not resolved.
- ``html``: the inner markup serialised as HTML, from ``type="html"``.
- ``file``: ``"<module>,<path>"`` for ``type="file"``, the path checked to exist.
- ``base64``: the base64-encoded ``bytes`` of the file named by ``file=``.
- ``list`` / ``tuple``: the ``list[FieldValue]`` of the ``<value>`` children.
- ``ref``: the qualified xml id. ``eval``: the expression string. ``search``: the domain
  expression string (``model_hint`` is the ``model=`` attribute).
- ``records``: the ``list[RecordOp]`` of nested ``<record>`` children (one2many lines); their
  ``xml_id`` may be ``None``.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NoReturn, Union

from erplite.tools.lazy_modules import lazy_module

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
    from xml.parsers import expat
else:  # imported on first use (erplite.tools.lazy_modules): a JSON-RPC worker parses no XML
    ET = lazy_module("xml.etree.ElementTree", __name__, "ET")
    expat = lazy_module("xml.parsers.expat", __name__, "expat")

__all__ = [
    "FIELD_KINDS",
    "CsvOp",
    "DataFileError",
    "DeleteOp",
    "FieldValue",
    "FunctionOp",
    "MenuOp",
    "Op",
    "RecordOp",
    "parse_data_file",
    "qualify_xml_id",
]

FIELD_KINDS = (
    "text",
    "int",
    "float",
    "xml",
    "html",
    "file",
    "base64",
    "list",
    "tuple",
    "ref",
    "eval",
    "search",
    "records",
)


class DataFileError(Exception):
    """A data file is invalid. ``str(error)`` is ``"<path>:<line>: <detail>"``.

    ``path`` is the file as ``"<module>/<relpath>"``, ``line`` the 1-based line (``None`` when
    the problem is the file as a whole, e.g. it does not exist).
    """

    def __init__(self, path: str, line: int | None, detail: str) -> None:
        self.path = path
        self.line = line
        self.detail = detail
        super().__init__(f"{path}:{line}: {detail}" if line is not None else f"{path}: {detail}")


# -- operations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldValue:
    """One ``<field>`` of a record, or one ``<value>`` of a function or list.

    ``name`` is the field name (for ``<value>``: the keyword argument name, or ``None`` for a
    positional argument); see the module docstring for ``kind`` and ``value``. ``model_hint``
    is the ``model=`` attribute, when given.
    """

    name: str | None
    kind: str
    value: Any
    model_hint: str | None
    path: str
    line: int


@dataclass(frozen=True)
class RecordOp:
    """``<record model=.. id=..>``: create or update one record of ``model``.

    ``xml_id`` is qualified; it is ``None`` only for a nested record (inside a field).
    ``context`` is the expression string of the record's (or its ``<data>``'s) ``context=``.
    """

    model: str
    xml_id: str | None
    fields: list[FieldValue]
    noupdate: bool
    forcecreate: bool
    context: str | None
    path: str
    line: int


@dataclass(frozen=True)
class FunctionOp:
    """``<function model=.. name=..>``: call a model method.

    The arguments are either ``eval`` (an expression giving the positional arguments) or
    ``args``: the ``<value>`` (:class:`FieldValue`, keyword arguments have a ``name``) and nested
    ``<function>`` (:class:`FunctionOp`, positional) children in document order. As in Odoo, a
    function under ``noupdate`` runs only when the module is installed, not when it is updated.
    """

    model: str
    name: str
    eval: str | None
    args: list[FieldValue | FunctionOp]
    context: str | None
    noupdate: bool
    path: str
    line: int


@dataclass(frozen=True)
class DeleteOp:
    """``<delete model=.. id=..|search=..>``: delete the record ``xml_id`` and/or the search's."""

    model: str
    xml_id: str | None
    search: str | None
    path: str
    line: int


@dataclass(frozen=True)
class MenuOp:
    """``<menuitem>``: create or update an ``ir.ui.menu``.

    ``parent``, ``action`` and the ids of ``groups`` are qualified xml ids (``groups`` keeps
    Odoo's ``"a.x,-b.y"`` form, ``-`` removing a group). ``name`` is ``None`` when it is to be
    taken from the action (or the id). A nested ``<menuitem>`` has its enclosing one as parent.
    ``web_icon`` is kept for top-level menus only, as in Odoo.
    """

    xml_id: str
    name: str | None
    parent: str | None
    action: str | None
    sequence: int | None
    groups: str | None
    web_icon: str | None
    active: bool
    noupdate: bool
    path: str
    line: int


@dataclass(frozen=True)
class CsvOp:
    """A CSV data file: ``model`` is the file name's stem up to any ``-``
    (``ir.model.access.csv`` -> ``ir.model.access``, ``res.partner-demo.csv`` -> ``res.partner``);
    ``rows`` are ``(line, cells)``, blank rows left out."""

    model: str
    path: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


Op = Union[RecordOp, FunctionOp, DeleteOp, MenuOp, CsvOp]


# -- entry point -------------------------------------------------------------------------------


def parse_data_file(module: str, module_dir: Path | str, relpath: str) -> list[Op]:
    """Parse the data file ``relpath`` of ``module`` (in folder ``module_dir``) into operations.

    Raises :class:`DataFileError` for a missing file, a path outside the module, a file type
    other than ``.xml`` and ``.csv``, or any invalid content.
    """
    module_dir = Path(module_dir)
    where = f"{module}/{relpath}"
    file = _inside(module_dir, relpath, where, None, where)
    suffix = file.suffix.lower()
    if suffix not in (".xml", ".csv"):
        raise DataFileError(
            where, None, f"unsupported data file type {suffix or '(none)'!r}: use .xml or .csv"
        )
    try:
        content = file.read_bytes()
    except FileNotFoundError:
        raise DataFileError(where, None, "data file not found") from None
    except OSError as exc:
        raise DataFileError(where, None, f"cannot read data file: {exc}") from exc
    if suffix == ".csv":
        return _parse_csv(content, file, where)
    return _XmlReader(module, module_dir, where).read(content)


def qualify_xml_id(xml_id: str, module: str) -> str:
    """``x`` -> ``<module>.x``; ``other.x`` is kept. Raises :class:`ValueError` for an empty id,
    an empty part or more than one dot."""
    parts = xml_id.split(".")
    if len(parts) > 2:
        raise ValueError(
            f"xml id {xml_id!r} has more than one dot; use 'module.name' to refer to another module"
        )
    if not all(parts):
        raise ValueError(f"invalid xml id {xml_id!r}")
    return xml_id if len(parts) == 2 else f"{module}.{xml_id}"


def _inside(module_dir: Path, relpath: str, where: str, line: int | None, label: str) -> Path:
    """``module_dir / relpath``, refusing absolute paths and paths leaving the module."""
    rel = PurePosixPath(relpath.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise DataFileError(
            where, line, f"path {relpath!r} must be relative to the module ({label})"
        )
    return module_dir.joinpath(*rel.parts)


# -- CSV ---------------------------------------------------------------------------------------


def _parse_csv(content: bytes, file: Path, where: str) -> list[Op]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise DataFileError(where, line, f"not valid UTF-8: {exc.reason}") from None
    if not text.strip():
        return []
    # strict: an unterminated quote is an error, not a cell swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), quotechar='"', delimiter=",", strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    header_line = 0
    next_line = 1  # line on which the next record starts
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank line or empty cells only: skipped, as Odoo does
            if header is None:
                header, header_line = cells, line
                _check_header(header, where, line)
                continue
            if len(cells) != len(header):
                raise DataFileError(
                    where,
                    line,
                    f"row has {len(cells)} columns but the header (line {header_line}) has "
                    f"{len(header)}",
                )
            rows.append((line, cells))
    except csv.Error as exc:
        raise DataFileError(where, reader.line_num, f"invalid CSV: {exc}") from None
    if header is None:  # only blank rows
        return []
    model = file.stem.split("-")[0]
    return [CsvOp(model=model, path=where, header=header, rows=rows)]


def _check_header(header: list[str], where: str, line: int) -> None:
    for index, column in enumerate(header):
        if not column.strip():
            raise DataFileError(where, line, f"column {index + 1} of the header is empty")
        if column in header[:index]:
            raise DataFileError(where, line, f"column {column!r} appears twice in the header")


# -- XML ---------------------------------------------------------------------------------------

_ROOTS = ("odoo", "openerp", "data")
_ATTRIBUTES = {
    "odoo": {"noupdate", "context"},
    "openerp": {"noupdate", "context"},
    "data": {"noupdate", "context"},
    "record": {"id", "model", "forcecreate", "context"},
    "field": {"name", "ref", "eval", "search", "type", "model", "use", "file"},
    "value": {"name", "eval", "search", "type", "model", "use", "file"},
    "function": {"id", "model", "name", "eval", "context"},
    "delete": {"model", "id", "search"},
    "template": {
        *("id", "name", "inherit_id", "priority", "active", "primary", "forcecreate"),
        *("context", "t-name"),
    },
    # icon, web_icon_hover and string are accepted and ignored, as by Odoo.
    "menuitem": {
        *("id", "name", "parent", "action", "sequence", "groups", "active", "web_icon"),
        *("icon", "web_icon_hover", "string"),
    },
}
_FALSE = ("0", "false", "off")


@dataclass
class _Lines:
    """Where things are in a parsed XML file: each element's start tag, and the first
    non-blank character of each element's ``text`` and ``tail``."""

    elements: dict[ET.Element, int] = field(default_factory=dict)
    texts: dict[tuple[ET.Element, str], int] = field(default_factory=dict)


def _parse_xml(content: bytes, where: str) -> tuple[ET.Element, _Lines]:
    """Parse XML into an ElementTree, remembering lines; DTDs are refused."""
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder(insert_comments=True)
    lines = _Lines()
    slot: tuple[ET.Element, str] | None = None  # the text or tail that character data extends

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal slot
        element = builder.start(tag, attrib)
        lines.elements[element] = parser.CurrentLineNumber
        slot = (element, "text")

    def end(tag: str) -> None:
        nonlocal slot
        slot = (builder.end(tag), "tail")

    def comment(text: str) -> None:
        nonlocal slot
        slot = (builder.comment(text), "tail")

    def data(text: str) -> None:
        builder.data(text)
        stripped = text.lstrip()
        if stripped and slot is not None and slot not in lines.texts:
            blank = text[: len(text) - len(stripped)]
            lines.texts[slot] = parser.CurrentLineNumber + blank.count("\n")

    def refuse(*_: Any) -> NoReturn:
        raise DataFileError(
            where,
            parser.CurrentLineNumber,
            "DOCTYPE and entity declarations are not allowed in data files",
        )

    # Unbuffered: each chunk of character data arrives while the parser is at its position.
    parser.buffer_text = False
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.CommentHandler = comment
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise DataFileError(
            where, exc.lineno, f"malformed XML: {expat.errors.messages[exc.code]}"
        ) from None
    return builder.close(), lines


class _XmlReader:
    """Walks one XML data file, turning its elements into operations."""

    def __init__(self, module: str, module_dir: Path, where: str) -> None:
        self.module = module
        self.module_dir = module_dir
        self.where = where
        self.lines: dict[ET.Element, int] = {}
        self.text_lines: dict[tuple[ET.Element, str], int] = {}
        self.ops: list[Op] = []

    # helpers

    def error(self, el: ET.Element, detail: str) -> DataFileError:
        return DataFileError(self.where, self.lines.get(el), detail)

    def check(self, el: ET.Element) -> None:
        """Refuse attributes that ``el``'s tag does not take."""
        for name in el.attrib:
            if name not in _ATTRIBUTES[el.tag]:
                raise self.error(el, f"<{el.tag}> has unknown attribute {name!r}")

    def no_text(self, el: ET.Element) -> None:
        """Refuse text in an element that holds only elements (blanks are fine)."""
        texts = [(el, "text", el.text)] + [(child, "tail", child.tail) for child in el]
        for owner, slot, text in texts:
            if text and text.strip():
                raise DataFileError(
                    self.where,
                    self.text_lines.get((owner, slot), self.lines.get(el)),
                    f"unexpected text {text.strip()[:40]!r} in <{el.tag}>",
                )

    def children(self, el: ET.Element) -> list[ET.Element]:
        return [child for child in el if child.tag is not ET.Comment]

    def required(self, el: ET.Element, attr: str) -> str:
        value = el.get(attr)
        if not value:
            raise self.error(el, f"<{el.tag}> without {attr}")
        return value

    def qualify(self, el: ET.Element, xml_id: str) -> str:
        try:
            return qualify_xml_id(xml_id.strip(), self.module)
        except ValueError as exc:
            raise self.error(el, str(exc)) from None

    def flag(self, el: ET.Element, attr: str, default: bool) -> bool:
        value = (el.get(attr) or "").strip()
        return default if not value else value.lower() not in _FALSE

    def context(self, el: ET.Element, inherited: str | None) -> str | None:
        own = el.get("context")
        if own is not None and inherited is not None:
            raise self.error(
                el, f"<{el.tag}> has a context while its enclosing <data> or <odoo> has one too"
            )
        return own if own is not None else inherited

    # structure

    def read(self, content: bytes) -> list[Op]:
        root, lines = _parse_xml(content, self.where)
        self.lines, self.text_lines = lines.elements, lines.texts
        if root.tag not in _ROOTS:
            raise self.error(root, f"root element must be <odoo>, not <{root.tag}>")
        self.block(root, noupdate=False, context=None)
        return self.ops

    def block(self, el: ET.Element, *, noupdate: bool, context: str | None) -> None:
        self.check(el)
        self.no_text(el)
        noupdate = self.flag(el, "noupdate", noupdate)
        context = self.context(el, context)
        for child in self.children(el):
            if child.tag == "data":
                self.block(child, noupdate=noupdate, context=context)
            elif child.tag == "record":
                self.ops.append(self.record(child, noupdate=noupdate, context=context))
            elif child.tag == "function":
                self.ops.append(self.function(child, noupdate=noupdate, context=context))
            elif child.tag == "delete":
                self.ops.append(self.delete(child))
            elif child.tag == "template":
                self.ops.append(self.template(child, noupdate=noupdate, context=context))
            elif child.tag == "menuitem":
                self.menuitem(child, parent=None, noupdate=noupdate)
            else:
                raise self.error(child, f"unknown tag <{child.tag}> in <{el.tag}>")

    def record(
        self, el: ET.Element, *, noupdate: bool, context: str | None, nested: bool = False
    ) -> RecordOp:
        self.check(el)
        self.no_text(el)
        model = self.required(el, "model")
        xml_id = el.get("id")
        if not xml_id and not nested:
            raise self.error(el, "<record> without id")
        fields = []
        for child in self.children(el):
            if child.tag != "field":
                raise self.error(child, f"unknown tag <{child.tag}> in <record>")
            name = self.required(child, "name")
            if "@" in name:
                continue  # a translation (field@lang): handled with translations, as by Odoo
            fields.append(self.value(child, name, noupdate=noupdate, context=context))
        return RecordOp(
            model=model,
            xml_id=self.qualify(el, xml_id) if xml_id else None,
            fields=fields,
            noupdate=noupdate,
            forcecreate=self.flag(el, "forcecreate", True),
            context=self.context(el, context),
            path=self.where,
            line=self.lines[el],
        )

    def template(self, el: ET.Element, *, noupdate: bool, context: str | None) -> RecordOp:
        """``<template id=..>``: the ``ir.ui.view`` record of a QWeb template (Odoo 17's
        ``_tag_template``)."""
        self.check(el)
        short_id = el.get("id") or el.get("t-name")
        if not short_id:
            raise self.error(el, "<template> without id")
        xml_id = self.qualify(el, short_id)
        line = self.lines[el]

        def field(name: str, kind: str, value: Any) -> FieldValue:
            return FieldValue(name, kind, value, None, self.where, line)

        inherit_id = el.get("inherit_id")
        root = ET.Element("data" if inherit_id else "t", {} if inherit_id else {"t-name": xml_id})
        root.text = el.text
        root.extend(list(el))
        fields = [
            field("name", "text", el.get("name") or short_id),
            field("key", "text", xml_id),
            field("type", "text", "qweb"),
            field("arch", "xml", '<?xml version="1.0"?>\n' + ET.tostring(root, encoding="unicode")),
        ]
        if el.get("priority"):
            try:
                fields.append(field("priority", "int", int(el.get("priority", ""))))
            except ValueError:
                raise self.error(
                    el, f"<template> priority {el.get('priority')!r} is not an integer"
                ) from None
        if inherit_id:
            fields.append(field("inherit_id", "ref", self.qualify(el, inherit_id)))
            if self.flag(el, "primary", False):
                fields.append(field("mode", "text", "primary"))
        if el.get("active") is not None:
            fields.append(field("active", "eval", el.get("active")))
        return RecordOp(
            model="ir.ui.view",
            xml_id=xml_id,
            fields=fields,
            noupdate=noupdate,
            forcecreate=self.flag(el, "forcecreate", True),
            context=self.context(el, context),
            path=self.where,
            line=line,
        )

    def function(self, el: ET.Element, *, noupdate: bool, context: str | None) -> FunctionOp:
        self.check(el)
        self.no_text(el)
        model = self.required(el, "model")
        name = self.required(el, "name")
        args: list[FieldValue | FunctionOp] = []
        for child in self.children(el):
            if child.tag == "value":
                args.append(self.value(child, child.get("name"), noupdate=noupdate, context=None))
            elif child.tag == "function":
                args.append(self.function(child, noupdate=noupdate, context=None))
            else:
                raise self.error(child, f"unknown tag <{child.tag}> in <function>")
        if el.get("eval") is not None and args:
            raise self.error(el, "<function> takes either eval= or <value> children, not both")
        return FunctionOp(
            model=model,
            name=name,
            eval=el.get("eval"),
            args=args,
            context=self.context(el, context),
            noupdate=noupdate,
            path=self.where,
            line=self.lines[el],
        )

    def delete(self, el: ET.Element) -> DeleteOp:
        self.check(el)
        self.no_text(el)
        model = self.required(el, "model")
        if self.children(el):
            raise self.error(el, "<delete> must be empty")
        xml_id, search = el.get("id"), el.get("search")
        if not xml_id and not search:
            raise self.error(el, "<delete> needs id= or search=")
        return DeleteOp(
            model=model,
            xml_id=self.qualify(el, xml_id) if xml_id else None,
            search=search or None,
            path=self.where,
            line=self.lines[el],
        )

    def menuitem(self, el: ET.Element, *, parent: str | None, noupdate: bool) -> None:
        self.check(el)
        self.no_text(el)
        xml_id = self.qualify(el, self.required(el, "id"))
        if parent is not None and el.get("parent"):
            raise self.error(el, "a nested <menuitem> takes its parent from the enclosing one")
        if parent is None and el.get("parent"):
            parent = self.qualify(el, el.get("parent", ""))
        sequence = el.get("sequence")
        if sequence:
            try:
                sequence_value: int | None = int(sequence)
            except ValueError:
                raise self.error(
                    el, f"<menuitem> sequence {sequence!r} is not an integer"
                ) from None
        else:
            sequence_value = None
        groups = el.get("groups")
        if groups:
            qualified = []
            for group in groups.split(","):
                group = group.strip()
                if group:
                    sign = "-" if group.startswith("-") else ""
                    qualified.append(sign + self.qualify(el, group.removeprefix("-")))
            groups = ",".join(qualified) or None
        self.ops.append(
            MenuOp(
                xml_id=xml_id,
                name=el.get("name") or None,
                parent=parent,
                action=self.qualify(el, el.get("action", "")) if el.get("action") else None,
                sequence=sequence_value,
                groups=groups or None,
                web_icon=(el.get("web_icon") or None) if parent is None else None,
                active=self.flag(el, "active", True),
                noupdate=noupdate,
                path=self.where,
                line=self.lines[el],
            )
        )
        for child in self.children(el):
            if child.tag != "menuitem":
                raise self.error(child, f"unknown tag <{child.tag}> in <menuitem>")
            self.menuitem(child, parent=xml_id, noupdate=noupdate)

    # values

    def value(
        self, el: ET.Element, name: str | None, *, noupdate: bool, context: str | None
    ) -> FieldValue:
        """A ``<field>`` or ``<value>`` element as a :class:`FieldValue`: ``ref=``/``eval=``/
        ``search=``, else by its ``type=``: markup, a list of ``<value>``, nested records, a
        file's content, or its text."""
        self.check(el)
        label = f"<{el.tag} name={name!r}>" if name else f"<{el.tag}>"
        line = self.lines[el]
        model_hint = el.get("model")

        def make(kind: str, value: Any) -> FieldValue:
            return FieldValue(name, kind, value, model_hint, self.where, line)

        given = [attr for attr in ("ref", "eval", "search") if el.get(attr) is not None]
        if given:
            return self._attribute_value(el, label, given, make)
        if el.get("use") is not None:
            raise self.error(el, f"{label}: use= goes with search= only")

        kind = el.get("type", "char")
        children = self.children(el)
        if kind in ("xml", "html"):
            return make(kind, self.inner_markup(el, html=kind == "html"))
        if kind in ("list", "tuple"):
            items = []
            for child in children:
                if child.tag != "value":
                    raise self.error(child, f"unknown tag <{child.tag}> in {label}")
                items.append(self.value(child, None, noupdate=noupdate, context=context))
            return make(kind, items)
        if kind not in ("char", "int", "float", "file", "base64"):
            raise self.error(el, f"{label} has unknown type {kind!r}")

        if el.tag == "field" and children and all(child.tag == "record" for child in children):
            if kind != "char":
                raise self.error(el, f"{label} with nested <record> takes no type=")
            self.no_text(el)
            records = [
                self.record(child, noupdate=noupdate, context=context, nested=True)
                for child in children
            ]
            return make("records", records)
        if children:
            raise self.error(
                children[0],
                f'unexpected <{children[0].tag}> in {label}: use type="xml" for markup',
            )
        if el.get("file") is not None:
            return self._file_value(el, kind, label, make)
        return self._text_value(el, kind, label, make)

    def _attribute_value(
        self,
        el: ET.Element,
        label: str,
        given: list[str],
        make: Callable[[str, Any], FieldValue],
    ) -> FieldValue:
        """A value given by one of ``ref=``, ``eval=``, ``search=`` (the element is empty)."""
        if len(given) > 1:
            raise self.error(el, f"{label} has both {given[0]}= and {given[1]}=")
        attr = given[0]
        if el.get("type") is not None or el.get("file") is not None:
            raise self.error(el, f"{label} with {attr}= takes no type= or file=")
        if self.children(el) or (el.text and el.text.strip()):
            raise self.error(el, f"{label} with {attr}= must be empty")
        if attr == "ref":
            return make("ref", self.qualify(el, el.get("ref", "")))
        if attr == "search" and el.get("use", "id") != "id":
            raise self.error(el, f"{label}: use= other than 'id' is not supported")
        return make(attr, el.get(attr))

    def _file_value(
        self, el: ET.Element, kind: str, label: str, make: Callable[[str, Any], FieldValue]
    ) -> FieldValue:
        """The content of the module's file named by ``file=``: text, or base64."""
        if kind not in ("char", "base64"):
            raise self.error(el, f"{label}: file= goes with type char or base64 only")
        content = self.read_file(el, el.get("file", ""))
        if kind == "base64":
            return make("base64", base64.b64encode(content))
        try:
            return make("text", content.decode("utf-8"))
        except UnicodeDecodeError:
            raise self.error(el, f"{label}: file {el.get('file')!r} is not UTF-8 text") from None

    def _text_value(
        self, el: ET.Element, kind: str, label: str, make: Callable[[str, Any], FieldValue]
    ) -> FieldValue:
        """The element's text as its ``type=``: ``char``, ``int``, ``float`` or ``file`` (a
        path in the module)."""
        text = el.text or ""
        if kind == "char":
            return make("text", text)
        if kind == "base64":
            raise self.error(el, f'{label}: type="base64" needs file=')
        if kind == "file":
            path = text.strip()
            if not _inside(self.module_dir, path, self.where, self.lines[el], label).is_file():
                raise self.error(el, f"{label}: no file {path!r} in module {self.module!r}")
            return make("file", f"{self.module},{path}")
        try:
            if kind == "int":
                return make("int", None if text.strip() == "None" else int(text.strip()))
            return make("float", float(text.strip()))
        except ValueError:
            raise self.error(el, f"{label}: {text.strip()!r} is not a valid {kind}") from None

    def inner_markup(self, el: ET.Element, *, html: bool) -> str:
        """The children of ``el`` serialised (with their tails), as Odoo stores arch/html."""
        children = list(el)
        if html:
            return "".join(
                ET.tostring(child, encoding="unicode", method="html") for child in children
            )
        if len(self.children(el)) > 1:
            # Several top elements: wrapped in one <data>, as Odoo does, to keep one root.
            wrapper = ET.Element("data")
            wrapper.extend(children)
            children = [wrapper]
        body = "".join(ET.tostring(child, encoding="unicode") for child in children)
        return '<?xml version="1.0"?>\n' + body

    def read_file(self, el: ET.Element, name: str) -> bytes:
        """Read the file of a ``file=`` attribute: ``<module>/<path>`` (or a path in the module)."""
        parts = PurePosixPath(name.replace("\\", "/")).parts
        relpath = "/".join(parts[1:]) if parts and parts[0] == self.module else name
        file = _inside(self.module_dir, relpath, self.where, self.lines[el], f"file={name!r}")
        try:
            return file.read_bytes()
        except OSError:
            raise self.error(el, f"file {name!r} not found in module {self.module!r}") from None
