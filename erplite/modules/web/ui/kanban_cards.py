"""Kanban cards: the ``kanban-box`` template of an Odoo 17 kanban arch, rendered on the server
by QWeb (:mod:`erplite.tools.qweb`).

Worked example::

    spec = KanbanSpec.from_arch(arch, fields)       # parsed and compiled once per arch
    spec.read_fields      # ['name', 'partner_id', 'amount_total', ...]: one search_read
    spec.render_card(row, formatted, open_url=...)  # Markup of one card

What a card template sees, as Odoo 17's kanban record:

- ``record.<field>.value``: the value as the list shows it (a many2one's name, a monetary
  amount with its currency, a date in the user's format), ``''`` when empty;
  ``record.<field>.raw_value``: the value itself (a many2one's id, the ids of an x2many, a
  date as ISO text, ``False`` when empty).
- ``<field name="x" widget=".."/>`` inside the template: the field's ``value`` in a
  ``<span class="o-field o-field-<widget or type>">``.
- ``t-field="record.<field>"`` with ``t-options`` (Odoo 17's QWeb): the field formatted by
  its type and the options (:mod:`erplite.tools.qweb_fields`: a monetary amount with its
  currency, a datetime in the user's time zone, ``widget='date'``...), read from the record
  as the user (the cards' batch is in the cache: no query per card).
- ``<a type="open">`` / ``<a type="edit">``: a link to the record's form.
- ``widget.editable``, ``widget.deletable``: whether the user may write and delete records of
  the model; ``read_only_mode`` and ``selection_mode``: ``False``.

The fields read for the cards are the ``<field>`` nodes of the arch (at its top and inside the
template) and the fields named as ``record.<field>`` in the template's expressions: all read in
one batch for the page, never per card. Expressions are evaluated as Python by the restricted
evaluator; Odoo 17's client evaluates them as JavaScript, so the operators archs use from it
(``!``, ``&&``, ``||``, ``===``, ``!==``, ``true``/``false``/``null``) are translated first.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from erplite.tools.lazy_modules import lazy_module
from erplite.tools.qweb import QWeb, QWebError, Template
from erplite.tools.qweb_fields import format_field

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

__all__ = [
    "FieldValue",
    "KanbanSpec",
    "javascript_to_python",
    "render_error",
    "render_plain_card",
    "widget_state",
]

_RECORD_FIELD = re.compile(r"\brecord\.([A-Za-z_][A-Za-z0-9_]*)")


class FieldValue:
    """``record.<field>`` in a card template."""

    __slots__ = ("raw_value", "value")
    _safe_eval_attributes = frozenset({"value", "raw_value"})

    def __init__(self, value: str, raw_value: Any):
        self.value = value
        self.raw_value = raw_value

    def __str__(self) -> str:
        return self.value


class _WidgetState:
    """``widget`` in a card template: what the user may do with the cards."""

    __slots__ = ("deletable", "editable")
    _safe_eval_attributes = frozenset({"editable", "deletable"})

    def __init__(self, editable: bool, deletable: bool):
        self.editable = editable
        self.deletable = deletable


class _CardRecord:
    """``record`` in a card template: one attribute per field read for the cards."""

    __slots__ = ("_record", "_values")
    _safe_eval_attributes: frozenset[str] = frozenset()

    def __init__(self, values: dict[str, FieldValue], record: Any = None):
        self._values = values
        self._record = record  # the ORM record, for t-field

    def __getattr__(self, name: str) -> FieldValue:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class KanbanSpec:
    """What the page needs of a kanban arch: the card template, the fields to read, and the
    column options (``default_group_by``, ``quick_create``, the progress bar's sum)."""

    read_fields: list[str]
    template: Template | None
    default_group_by: str = ""
    quick_create: bool = True
    sum_field: str = ""
    title_field: str = ""
    record_class: type[_CardRecord] = field(default=_CardRecord)

    @classmethod
    def from_arch(
        cls, arch: str, fields: Mapping[str, Any], name: str = "kanban-box"
    ) -> KanbanSpec:
        """Parse a kanban arch (as ``get_views`` gives it) for a model of ``fields``.

        :raises QWebError: when the card template does not compile.
        """
        root = etree.fromstring(arch.encode())
        names: list[str] = [node.get("name", "") for node in root if node.tag == "field"]
        box = root.find("./templates/t[@t-name='kanban-box']")
        if box is None:
            box = root.find("./templates/t[@t-name='card']")  # Odoo 18's name
        template = None
        if box is not None:
            box = copy.deepcopy(box)
            for node in box.iter("field"):
                names.append(node.get("name", ""))
            for value in _expressions(box):
                names.extend(_RECORD_FIELD.findall(value))
            _translate_javascript(box)
            _replace_field_nodes(box, fields)
            _link_open_anchors(box)
            template = QWeb().compile(box, name)
        read = [n for n in dict.fromkeys(names) if n in fields and n != "id"]
        progressbar = root.find("progressbar")
        sum_field = progressbar.get("sum_field", "") if progressbar is not None else ""
        title = next((n for n in read if n not in ("currency_id",)), "")
        record_class = type(
            "CardRecord",
            (_CardRecord,),
            {"__slots__": (), "_safe_eval_attributes": frozenset(read)},
        )
        return cls(
            read_fields=read,
            template=template,
            default_group_by=root.get("default_group_by", ""),
            quick_create=root.get("quick_create", "true").strip().lower() not in ("false", "0"),
            sum_field=sum_field if sum_field in fields else "",
            title_field=title,
            record_class=record_class,
        )

    def render_card(
        self,
        row: Mapping[str, Any],
        fields: Mapping[str, Any],
        formatted: Callable[[str], str],
        *,
        open_url: str,
        widget: _WidgetState,
        record: Any = None,
    ) -> Markup:
        """One card: the template rendered for ``row`` (a ``search_read`` row);
        ``formatted(name)`` gives a field's text as the list shows it; ``record`` is the
        row's record (for ``t-field``)."""
        assert self.template is not None
        values = {
            name: FieldValue(formatted(name), _raw_value(fields[name], row.get(name, False)))
            for name in self.read_fields
        }
        context = {
            "record": self.record_class(values, record),
            "widget": widget,
            "read_only_mode": False,
            "selection_mode": False,
            "kanban_open_url": open_url,
        }
        return QWeb(field_renderer=_card_field).render_template(self.template, context)


def _card_field(target: Any, name: str, options: dict) -> Any:
    """``t-field`` in a card: a field read for the cards, formatted from the record."""
    if not isinstance(target, _CardRecord):
        raise TypeError(f"t-field needs the card's record, not {type(target).__name__}")
    if target._record is None or name not in target._values:
        raise KeyError(f"{name!r} is not a field of the cards")
    return format_field(target._record, name, options)


def widget_state(model: Any) -> _WidgetState:
    """``widget`` of the cards of ``model`` for the current user."""
    return _WidgetState(
        editable=model.check_access_rights("write", raise_exception=False),
        deletable=model.check_access_rights("unlink", raise_exception=False),
    )


def _raw_value(description: Mapping[str, Any], value: Any) -> Any:
    kind = description.get("type")
    if kind == "many2one":
        return value[0] if isinstance(value, (list, tuple)) and value else False
    if kind in ("one2many", "many2many"):
        return list(value or [])
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _expressions(box: etree._Element) -> list[str]:
    return [
        value
        for node in box.iter()
        if isinstance(node.tag, str)
        for key, value in node.attrib.items()
        if key.startswith("t-") and key not in ("t-name", "t-as", "t-set")
    ]


_STRING_LITERAL = re.compile(r"""('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")""")
_JAVASCRIPT = [
    (re.compile(r"!=="), "!="),
    (re.compile(r"==="), "=="),
    (re.compile(r"&&"), " and "),
    (re.compile(r"\|\|"), " or "),
    (re.compile(r"!(?!=)"), " not "),
    (re.compile(r"\btrue\b"), "True"),
    (re.compile(r"\bfalse\b"), "False"),
    (re.compile(r"\b(?:null|undefined)\b"), "None"),
]
_TRANSLATED = ("t-if", "t-elif", "t-out", "t-esc", "t-foreach", "t-value", "t-att")


def javascript_to_python(expression: str) -> str:
    """An Odoo 17 kanban expression (evaluated as JavaScript by Odoo's client) in Python:
    ``!``, ``&&``, ``||``, ``===``, ``!==``, ``true``, ``false``, ``null`` outside string
    literals. Python expressions come out unchanged."""
    parts = _STRING_LITERAL.split(expression)
    for index in range(0, len(parts), 2):  # the even parts are outside string literals
        text = parts[index]
        for pattern, replacement in _JAVASCRIPT:
            text = pattern.sub(replacement, text)
        parts[index] = text
    return "".join(parts).strip()


def _translate_javascript(box: etree._Element) -> None:
    for node in box.iter():
        if not isinstance(node.tag, str):
            continue
        for key, value in node.attrib.items():
            if key in _TRANSLATED or key.startswith("t-att-"):
                node.set(key, javascript_to_python(value))


def _replace_field_nodes(box: etree._Element, fields: Mapping[str, Any]) -> None:
    """``<field name="x" widget="w"/>`` -> ``<span class="o-field o-field-w" t-out=...>``."""
    for node in list(box.iter("field")):
        name = node.get("name", "")
        if name not in fields:  # removed by get_views: the user may not read it
            _drop_keeping_tail(node)
            continue
        kind = node.get("widget") or str(fields[name].get("type") or "char")
        span = etree.Element("span")
        span.set("class", f"o-field o-field-{kind} o-field-name-{name}")
        span.set("t-out", f"record.{name}.value")
        for key, value in node.attrib.items():
            if key.startswith("t-") or key in ("invisible",):
                span.set(key, value)
        span.tail = node.tail
        node.getparent().replace(node, span)


def _drop_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (node.tail or "")
    else:
        parent.text = (parent.text or "") + (node.tail or "")
    parent.remove(node)


def _link_open_anchors(box: etree._Element) -> None:
    """``<a type="open">`` and ``<a type="edit">`` open the record's form."""
    for node in box.iter("a"):
        if node.get("type") in ("open", "edit"):
            del node.attrib["type"]
            node.set("t-att-href", "kanban_open_url")


def render_error(error: QWebError) -> Markup:
    """What a card shows when its template fails: the reason, not a traceback."""
    return Markup('<p class="o-kanban-error" role="alert">{}</p>').format(
        f"This card cannot be shown: {error}"
    )


def render_plain_card(title: str, lines: list[tuple[str, str]]) -> Markup:
    """The card of an arch without a ``kanban-box`` template: a title and labelled lines."""
    parts = [Markup('<div class="o-kanban-title">{}</div>').format(title)]
    for label, text in lines:
        if text:
            parts.append(
                Markup(
                    '<div class="o-kanban-line"><span class="o-muted">{}</span> {}</div>'
                ).format(label, text)
            )
    return Markup("").join(parts)
