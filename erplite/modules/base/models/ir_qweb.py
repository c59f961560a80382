"""``ir.qweb``: rendering the QWeb templates stored as ``ir.ui.view`` records of type ``qweb``.

The renderer itself is :mod:`erplite.tools.qweb` (no ORM there); this model gives it the
database's templates and the records a template reads. Odoo 17's entry point::

    env["ir.qweb"]._render("orders.report_saleorder_document", {"doc": order})   # by xml id
    env["ir.qweb"]._render(view.id, values)                                     # by view id
    env["ir.qweb"]._render(lxml_element, values)                                # inline (a mail body)

A template is declared in a module's data file with Odoo 17's shortcut
``<template id="greeting"><p>Dear <t t-out="partner.name"/>,</p></template>`` (xml id and
``t-name`` ``mymodule.greeting``), or as the view record the shortcut stands for (``<t t-name>``
as the arch's root; ``type`` becomes ``qweb``)::

    <record id="greeting" model="ir.ui.view">
      <field name="name">greeting</field>
      <field name="type">qweb</field>
      <field name="arch" type="xml">
        <t t-name="mymodule.greeting"><p>Dear <t t-out="partner.name"/>,</p></t>
      </field>
    </record>

and may be extended by other views (``inherit_id`` with xpath specs, as any view). Templates
are compiled once and kept in the registry's shared cache, which every change of a view drops
(in every worker process); inline templates are kept compiled by their text. ``t-call`` names
another template by xml id.

Records in ``values`` are wrapped (:class:`QWebRecord`): an expression reads their fields as
attributes (``doc.partner_id.name``), through the ORM as the environment's user, so access
rights, record rules and field groups apply to templates as to any read. The variables ``user``
(the current user) and ``res_company`` (the current company) are always defined.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from erplite import api, models
from erplite.security import check_field_access, shared_cache
from erplite.tools.lazy_modules import lazy_module
from erplite.tools.qweb import QWeb, QWebError, Template
from erplite.tools.qweb_fields import format_field
from erplite.tools.view_inheritance import ArchError

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

__all__ = ["INLINE_CACHE_SIZE", "IrQweb", "QWebRecord"]

#: Most inline templates (``_render`` of an element) kept compiled per registry.
INLINE_CACHE_SIZE = 256


class QWebRecord:
    """A recordset as template expressions see it.

    Its fields are attributes (a relational field gives another :class:`QWebRecord`; on
    several records, a field gives the values of all, as ``mapped``), plus ``id``, ``ids`` and
    ``display_name``. Reading a field checks, as ``read()`` does, the user's access rights and
    record rules (once per wrapped recordset) and the field's groups. Iterating gives one wrapper per record; ``len()`` and truth work as on
    the recordset. Anything else (methods, private attributes, ``env``) is out of reach.
    """

    __slots__ = ("_checked", "_records")
    _safe_eval_attributes: frozenset[str] = frozenset()

    def __init__(self, records: Any, checked: bool = False):
        self._records = records
        self._checked = checked or records.env.su

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in type(self)._safe_eval_attributes:
            raise AttributeError(name)
        records = self._records
        if name == "ids":
            return list(records.ids)
        if name == "id":
            return records.id if len(records) == 1 else False
        if not self._checked:  # once per wrapped recordset: the user may read these records
            records.check_access("read")
            self._checked = True
        check_field_access(records, [name], "read")
        value = records[name] if len(records) == 1 else records.mapped(name)
        return wrap_value(value)

    def __iter__(self) -> Iterator[QWebRecord]:
        for record in self._records:
            yield type(self)(record, self._checked)

    def __len__(self) -> int:
        return len(self._records)

    def __bool__(self) -> bool:
        return bool(self._records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QWebRecord):
            return self._records == other._records
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._records)

    def __repr__(self) -> str:
        return repr(self._records)


_WRAPPERS: weakref.WeakKeyDictionary[type, type[QWebRecord]] = weakref.WeakKeyDictionary()


def render_field(target: Any, name: str, options: dict) -> Any:
    """``t-field`` on a wrapped record (``o.amount_total``): its access checked as reading
    the attribute would be, then formatted by :func:`erplite.tools.qweb_fields.format_field`
    (records given in the options, such as ``display_currency``, unwrapped)."""
    if not isinstance(target, QWebRecord):
        raise TypeError(f"t-field needs a record, not {type(target).__name__}")
    records = target._records
    if name not in records._fields:
        raise KeyError(f"{records._name} has no field {name!r}")
    if not target._checked:
        records.check_access("read")
        target._checked = True
    check_field_access(records, [name], "read")
    plain = {k: v._records if isinstance(v, QWebRecord) else v for k, v in options.items()}
    return format_field(records, name, plain)


def wrap_value(value: Any) -> Any:
    """``value`` as templates see it: a recordset wrapped, anything else as it is."""
    if not isinstance(value, models.BaseModel):
        return value
    cls = type(value)
    wrapper = _WRAPPERS.get(cls)
    if wrapper is None:
        names = frozenset(value._fields) | {"id", "ids", "display_name"}
        wrapper = type(
            f"QWebRecord[{value._name}]",
            (QWebRecord,),
            {"__slots__": (), "_safe_eval_attributes": names},
        )
        _WRAPPERS[cls] = wrapper
    return wrapper(value)


class IrQweb(models.AbstractModel):
    _name = "ir.qweb"
    _description = "Qweb"

    @api.model
    def _render(
        self,
        template: str | int | etree._Element,
        values: Mapping[str, Any] | None = None,
        raise_if_not_found: bool = True,
    ) -> Markup:
        """Render ``template`` (an xml id, a view id, or an lxml element of an inline
        template) with ``values``; records in ``values`` are wrapped for expressions.

        :raises QWebError: when the template is unknown (unless ``raise_if_not_found`` is
            false: then the result is empty), invalid, or fails to render; an ``AccessError``
            when it reads what the user may not read.
        """
        engine = QWeb(
            self._template_arch, cache=self._compiled_templates(), field_renderer=render_field
        )
        prepared = self._prepare_values(values or {})
        if isinstance(template, etree._Element):
            return engine.render_template(self._compiled_inline(engine, template), prepared)
        name = str(template)
        if not raise_if_not_found and self._template_arch(name) is None:
            return Markup("")
        return engine.render(name, prepared)

    def _prepare_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        prepared = {
            "user": wrap_value(self.env.user),
            "res_company": wrap_value(self.env.company),
        }
        prepared.update((key, wrap_value(value)) for key, value in values.items())
        return prepared

    def _compiled_inline(self, engine: QWeb, element: etree._Element) -> Template:
        """An inline template (a mail body rendered for each of its records) compiled once
        per registry, by its text; at most :data:`INLINE_CACHE_SIZE` are kept."""
        cache = shared_cache(self.env).setdefault(("ir.qweb.inline",), {})
        key = etree.tostring(element, encoding="unicode")
        template = cache.get(key)
        if template is None:
            template = engine.compile(element)
            if len(cache) >= INLINE_CACHE_SIZE:
                cache.pop(next(iter(cache)), None)  # the oldest goes first
            cache[key] = template
        return template

    def _compiled_templates(self) -> dict:
        """The compiled templates of this database (dropped whenever a view changes)."""
        return shared_cache(self.env).setdefault(("ir.qweb.templates",), {})

    def _template_arch(self, name: str) -> etree._Element | None:
        """The arch of the active qweb view named ``name`` (xml id, or id as digits), with
        its extensions applied; ``None`` when there is none."""
        views = self.env["ir.ui.view"].sudo()
        index = views._view_index()
        view_id: int | None = None
        if name.isdigit():
            view_id = int(name)
        elif "." in name:
            model, res_id = self.env["ir.model.data"].sudo()._xmlid_to_res_model_res_id(name)
            if model == "ir.ui.view":
                view_id = res_id
        row = index.by_id.get(view_id) if view_id else None
        if row is None or row.type != "qweb":
            return None
        while row.mode != "primary" and row.inherit_id in index.by_id:
            row = index.by_id[row.inherit_id]
        try:
            return views._combined_root(index, row.id, None)
        except ArchError as error:
            raise QWebError(f"invalid template: {error}", template=name) from None
