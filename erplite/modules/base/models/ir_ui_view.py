"""``ir.ui.view``: the screens of a model, declared as data by modules (Odoo 17's views).

A view has a ``model``, a ``type`` (``tree`` for lists, ``list`` accepted on input; ``form``,
``kanban``, ``search``, ``graph``, ``pivot``), an ``arch`` (XML), a ``priority`` (the lowest
is the model's default view of its type), and optionally ``inherit_id``: an *extension* view
(``mode="extension"``, the default when inheriting) changes the view it inherits in place, a
*primary* view inheriting another is a new view built from the other. Extensions are applied
in ``(priority, id)`` order, depth first; see :mod:`erplite.tools.view_inheritance` for the
specs (``<xpath>``, the ``<field name=.. position=..>`` shorthand, positions ``before``,
``after``, ``inside``, ``replace``, ``attributes``, ``move``). An extension with ``groups_id``
applies only to the users of one of those groups.

Every save checks the combined arch (:func:`erplite.tools.view_arch.check_arch`): invalid XML,
an unknown view type, a field that does not exist, a spec matching nothing are
``ValidationError``\\ s naming the view's external id, so a module whose views are wrong does
not install (the loader adds the data file and line, and rolls the whole run back).

Screens read views with ``get_views`` / ``get_view`` on any model (Odoo 17's API, see
``erplite.orm.model_views``). The views of the database, the combined archs and each group
set's tailored result are cached in the registry's shared cache and dropped, in every worker
process, when a view, a menu, an action or security data changes (``invalidate_access_cache``):
a warm ``get_views`` sends no SQL statement for views.

How a module declares a screen (``views/thing_views.xml``, listed in the manifest's ``data``)::

    <odoo>
      <record id="thing_view_tree" model="ir.ui.view">
        <field name="name">thing.tree</field>
        <field name="model">x.thing</field>
        <field name="arch" type="xml">
          <tree><field name="name"/><field name="partner_id"/><field name="amount" sum="Total"/></tree>
        </field>
      </record>
      <record id="thing_view_form" model="ir.ui.view">
        <field name="name">thing.form</field>
        <field name="model">x.thing</field>
        <field name="arch" type="xml">
          <form>
            <header>
              <button name="action_confirm" type="object" string="Confirm" invisible="state != 'draft'"/>
              <field name="state" widget="statusbar"/>
            </header>
            <sheet>
              <group><field name="name"/><field name="partner_id"/></group>
              <notebook><page name="lines" string="Lines">
                <field name="line_ids"><tree editable="bottom"><field name="product_id"/></tree></field>
              </page></notebook>
            </sheet>
          </form>
        </field>
      </record>
      <record id="thing_view_search" model="ir.ui.view">
        <field name="name">thing.search</field>
        <field name="model">x.thing</field>
        <field name="arch" type="xml">
          <search>
            <field name="name"/><field name="partner_id"/>
            <filter name="draft" string="Draft" domain="[('state', '=', 'draft')]"/>
            <filter name="by_partner" string="Partner" context="{'group_by': 'partner_id'}"/>
          </search>
        </field>
      </record>
      <record id="thing_action" model="ir.actions.act_window">
        <field name="name">Things</field>
        <field name="res_model">x.thing</field>
        <field name="view_mode">tree,form</field>
        <field name="search_view_id" ref="thing_view_search"/>
        <field name="context">{'search_default_draft': 1}</field>
      </record>
      <menuitem id="thing_menu_root" name="Things" sequence="50">
        <menuitem id="thing_menu" action="thing_action" sequence="10"/>
      </menuitem>
      <!-- another module extends the form without copying it -->
      <record id="thing_view_form_inherit" model="ir.ui.view">
        <field name="name">thing.form.extra</field>
        <field name="model">x.thing</field>
        <field name="inherit_id" ref="thing_view_form"/>
        <field name="arch" type="xml">
          <field name="partner_id" position="after"><field name="note"/></field>
        </field>
      </record>
    </odoo>
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from erplite import api, fields, models
from erplite.exceptions import UserError, ValidationError
from erplite.security import invalidate_access_cache, shared_cache, user_group_ids
from erplite.sql import SQL
from erplite.tools.lazy_modules import lazy_module
from erplite.tools.qweb import QWeb, QWebError
from erplite.tools.view_arch import (
    check_arch,
    default_arch,
    normalize_view_type,
    postprocess_arch,
    view_type_of,
)
from erplite.tools.view_inheritance import (
    ArchError,
    apply_inheritance_specs,
    parse_arch,
    to_string,
)

if TYPE_CHECKING:
    from lxml import etree
else:  # lxml imported on first use (erplite.tools.lazy_modules)
    etree = lazy_module("lxml.etree", __name__, "etree")

_VIEW_TYPE_SELECTION = [
    ("tree", "Tree"),
    ("form", "Form"),
    ("graph", "Graph"),
    ("pivot", "Pivot"),
    ("kanban", "Kanban"),
    ("search", "Search"),
    ("qweb", "QWeb"),
]

#: View types whose arch holds QWeb templates, where blank text is output and so kept.
_TEMPLATE_TYPES = ("qweb", "kanban", "activity")

#: Root tags of a QWeb template's arch (``<t t-name="...">``, or a ``<templates>`` file).
_QWEB_ROOTS = ("t", "templates")


@dataclass(frozen=True)
class ViewRow:
    """One active view, as cached: what combining and choosing views need."""

    id: int
    name: str
    model: str
    type: str
    arch: str
    priority: int
    inherit_id: int | None
    mode: str
    groups: frozenset[int]
    module: str | None = None  # of its external id


class ViewIndex:
    """The active views of the database, indexed for choosing and combining them."""

    def __init__(self, rows: list[ViewRow]) -> None:
        self.by_id = {row.id: row for row in rows}
        self.children: dict[int, list[ViewRow]] = {}
        self.primary: dict[tuple[str, str], list[ViewRow]] = {}
        for row in sorted(rows, key=lambda r: (r.priority, r.id)):
            if row.inherit_id is not None and row.mode == "extension":
                self.children.setdefault(row.inherit_id, []).append(row)
            if row.mode == "primary":
                self.primary.setdefault((row.model, row.type), []).append(row)
        #: groups some extension view is restricted to: the only groups combining depends on
        self.extension_groups = frozenset(
            gid for row in rows if row.mode == "extension" for gid in row.groups
        )

    def default_view(self, model: str, view_type: str) -> ViewRow | None:
        rows = self.primary.get((model, view_type))
        return rows[0] if rows else None


class IrUiView(models.Model):
    _name = "ir.ui.view"
    _description = "View"
    _order = "priority, name, id"

    name = fields.Char("View Name", required=True)
    model = fields.Char(index=True)
    key = fields.Char()
    priority = fields.Integer(default=16, required=True)
    type = fields.Selection(_VIEW_TYPE_SELECTION, string="View Type")
    arch = fields.Text("View Architecture")
    inherit_id = fields.Many2one(
        "ir.ui.view", string="Inherited View", ondelete="cascade", index=True
    )
    inherit_children_ids = fields.One2many(
        "ir.ui.view", "inherit_id", string="Views which inherit from this one"
    )
    mode = fields.Selection(
        [("primary", "Base view"), ("extension", "Extension View")],
        string="View inheritance mode",
        default="primary",
        required=True,
    )
    groups_id = fields.Many2many(
        "res.groups", "ir_ui_view_group_rel", "view_id", "group_id", string="Groups"
    )
    active = fields.Boolean(default=True)

    # -- saving -------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize_vals(dict(vals)) for vals in vals_list]
        # before: the constraint below must not combine views from a cache made without them
        invalidate_access_cache(self.env)
        views = super().create(vals_list)
        invalidate_access_cache(self.env)
        return views

    def write(self, vals):
        vals = dict(vals)
        if "type" in vals and vals["type"]:
            vals["type"] = self._valid_type(vals["type"])
        invalidate_access_cache(self.env)
        result = super().write(vals)
        invalidate_access_cache(self.env)
        return result

    def unlink(self):
        result = super().unlink()
        invalidate_access_cache(self.env)
        return result

    def _label(self, view: Any = None) -> str:
        """How errors name a view: its external id while a data file loads it, else its name."""
        xml_id = self.env.context.get("install_xmlid")
        if xml_id:
            return xml_id
        view = view if view is not None else self
        return f"{view.name!r} (id {view.id})" if view else "new view"

    def _valid_type(self, view_type: str) -> str:
        if view_type == "qweb":
            return view_type
        try:
            return normalize_view_type(view_type)
        except ArchError as error:
            raise ValidationError(f"Invalid view {self._label()}: {error}") from None

    def _normalize_vals(self, vals: dict) -> dict:
        """``list`` -> ``tree``; the type from the parent or the arch's root; extension mode by
        default for an inheriting view (as Odoo 17)."""
        if vals.get("type"):
            vals["type"] = self._valid_type(vals["type"])
        if vals.get("inherit_id"):
            vals.setdefault("mode", "extension")
            parent = self.browse(vals["inherit_id"]).sudo()
            if not vals.get("type"):
                vals["type"] = parent.type
            if not vals.get("model"):
                vals["model"] = parent.model
        elif not vals.get("type") and vals.get("arch"):
            try:
                root = parse_arch(vals["arch"])
                vals["type"] = "qweb" if root.tag in _QWEB_ROOTS else view_type_of(root)
            except ArchError as error:
                raise ValidationError(f"Invalid view {self._label()}: {error}") from None
        return vals

    @api.constrains("arch", "inherit_id", "type", "model", "mode", "active")
    def _check_xml(self):
        """The combined arch of each view (of its primary view, for an extension) is valid."""
        index = self._view_index(fresh=True)
        for view in self:
            if not view.active:
                continue
            label = self._label(view)
            if view.type == "qweb":
                self._check_qweb(index, view, label)
                continue
            if not view.model or view.model not in self.env:
                raise ValidationError(f"Invalid view {label}: unknown model {view.model!r}")
            if view.mode == "primary" and not view.type:
                raise ValidationError(f"Invalid view {label}: no view type")
            try:
                parse_arch(view.arch or "")
                primary = view
                while primary.mode != "primary" and primary.inherit_id:
                    primary = primary.inherit_id
                arch = self._combined_root(index, primary.id, None)
                check_arch(self.env[primary.model], arch, primary.type)
            except ArchError as error:
                raise ValidationError(f"Invalid view {label}: {error}") from None

    def _check_qweb(self, index: ViewIndex, view: Any, label: str) -> None:
        """A QWeb template (with its extensions applied) compiles: valid XML, known
        directives, expressions the restricted evaluator accepts."""
        try:
            parse_arch(view.arch or "")
            primary = view
            while primary.mode != "primary" and primary.inherit_id:
                primary = primary.inherit_id
            arch = self._combined_root(index, primary.id, None)
            QWeb().compile(arch, self._label(primary))
        except (ArchError, QWebError) as error:
            raise ValidationError(f"Invalid view {label}: {error}") from None

    # -- the cache of views -------------------------------------------------------------------
    def _view_index(self, fresh: bool = False) -> ViewIndex:
        """Every active view (one query, then cached until views or security data change;
        ``fresh``: read again)."""
        cache = shared_cache(self.env)
        index = None if fresh else cache.get(("ui.views",))
        if index is None:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT v.id, v.name, v.model, v.type, v.arch, v.priority, v.inherit_id,"
                    " v.mode, COALESCE(array_agg(DISTINCT r.group_id)"
                    " FILTER (WHERE r.group_id IS NOT NULL), '{}'), min(d.module)"
                    " FROM ir_ui_view v LEFT JOIN ir_ui_view_group_rel r ON r.view_id = v.id"
                    " LEFT JOIN ir_model_data d ON d.model = 'ir.ui.view' AND d.res_id = v.id"
                    " WHERE v.active GROUP BY v.id"
                ),
                flush=False,
            )
            rows = [
                ViewRow(
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4] or "",
                    row[5],
                    row[6],
                    row[7],
                    frozenset(row[8]),
                    row[9],
                )
                for row in self.env.cr.fetchall()
            ]
            index = cache[("ui.views",)] = ViewIndex(rows)
        return index

    def _groups_key(self, index: ViewIndex) -> frozenset[int] | None:
        """The user's groups that matter to combining views (None: superuser, all apply)."""
        if self.env.su:
            return None
        return user_group_ids(self.env, self.env.uid) & index.extension_groups

    def _combined_root(
        self, index: ViewIndex, view_id: int, groups: frozenset[int] | None
    ) -> etree._Element:
        """The arch of primary view ``view_id`` with its ancestors and every extension applied
        (extensions restricted to groups outside ``groups`` skipped; None: all applied). The
        blank text of QWeb templates is kept (it is output)."""
        row = index.by_id.get(view_id)
        if row is None:
            raise ArchError(f"view {view_id} does not exist or is archived")
        chain = [row]
        while chain[-1].inherit_id is not None:
            parent = index.by_id.get(chain[-1].inherit_id)
            if parent is None or parent in chain:
                break
            chain.append(parent)
        root_row = chain.pop()
        root = parse_arch(root_row.arch, keep_blank_text=root_row.type in _TEMPLATE_TYPES)
        arch = self._extend(index, root, root_row, groups)
        for primary in reversed(chain):
            arch = self._apply(arch, primary)
            arch = self._extend(index, arch, primary, groups)
        if root_row.type in ("kanban", "activity"):
            _drop_blank_text_outside_templates(arch)
        return arch

    def _extend(
        self, index: ViewIndex, arch: etree._Element, row: ViewRow, groups: frozenset | None
    ) -> etree._Element:
        # while modules load, the extensions of modules whose data is not reloaded yet wait
        # for it (a module upgraded with a renamed node, and the module extending it)
        pending = self.pool.modules_pending_data
        for child in index.children.get(row.id, ()):
            if groups is not None and child.groups and not child.groups & groups:
                continue
            if pending and child.module in pending:
                continue
            arch = self._apply(arch, child)
            arch = self._extend(index, arch, child, groups)
        return arch

    def _apply(self, arch: etree._Element, row: ViewRow) -> etree._Element:
        try:
            specs = parse_arch(row.arch, keep_blank_text=row.type in _TEMPLATE_TYPES)
            return apply_inheritance_specs(arch, specs)
        except ArchError as error:
            raise ArchError(f"{error} (inheriting view {row.name!r})") from None

    def _get_combined_arch(self) -> str:
        """Odoo 17's name: the combined arch of this view (as the current user sees it)."""
        self.ensure_one()
        index = self._view_index()
        primary = self.sudo()
        while primary.mode != "primary" and primary.inherit_id:
            primary = primary.inherit_id
        return to_string(self._combined_root(index, primary.id, self._groups_key(index)))

    # -- views of a model, for get_view -------------------------------------------------------
    @api.model
    def _model_view(self, model: Any, view_id: int | None, view_type: str) -> dict:
        """``get_view``'s answer for ``model``: ``{'arch', 'id', 'model', 'models'}`` where
        ``models`` maps model names to the field names the arch uses. Cached per registry and
        group set; the caller gets its own copy."""
        view_type = normalize_view_type(view_type)
        env = model.env
        index = self._view_index()
        if not view_id:
            ref = env.context.get(f"{view_type}_view_ref")
            if ref and "." in str(ref):
                found = env["ir.model.data"].sudo()._xmlid_to_res_model_res_id(str(ref))
                if found and found[0] == "ir.ui.view" and found[1] in index.by_id:
                    view_id = found[1]
            if not view_id:
                default = index.default_view(model._name, view_type)
                view_id = default.id if default else None
        groups = None if env.su else user_group_ids(env, env.uid)
        key = ("ui.get_view", model._name, view_id or 0, view_type, groups)
        cache = shared_cache(env)
        cached = cache.get(key)
        if cached is None:
            cached = self._build_view(model, index, view_id, view_type)
            cache[key] = cached
        return {
            "arch": cached["arch"],
            "id": cached["id"],
            "model": cached["model"],
            "models": {name: tuple(names) for name, names in cached["models"].items()},
        }

    def _build_view(self, model: Any, index: ViewIndex, view_id: int | None, view_type: str):
        if view_id:
            row = index.by_id.get(view_id)
            if row is None:
                raise UserError(f"View {view_id} does not exist or is archived")
            if row.model != model._name:
                raise UserError(
                    f"View {view_id} ({row.name}) is a view of {row.model}, not of {model._name}"
                )
            while row.mode != "primary" and row.inherit_id is not None:
                row = index.by_id[row.inherit_id]
            groups_key = (
                None
                if model.env.su
                else (user_group_ids(model.env, model.env.uid) & index.extension_groups)
            )
            root = self._combined_root(index, row.id, groups_key)
        else:
            root = default_arch(model, view_type)
        if root.tag == "list":
            root.tag = "tree"  # Odoo 17's root tag for lists
        used = postprocess_arch(model, root)
        return {
            "arch": to_string(root),
            "id": view_id or False,
            "model": model._name,
            "models": used,
        }


def _drop_blank_text_outside_templates(root: etree._Element) -> None:
    """Blank text is kept inside a kanban arch's ``<templates>`` (``<t t-out="a"/> <t
    t-out="b"/>`` shows the space) and dropped elsewhere, as for the other view types."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        inside = node.tag == "templates" or any(a.tag == "templates" for a in node.iterancestors())
        if not inside and node.text is not None and not node.text.strip():
            node.text = None
        parent_inside = any(a.tag == "templates" for a in node.iterancestors())
        if not parent_inside and node.tail is not None and not node.tail.strip():
            node.tail = None
