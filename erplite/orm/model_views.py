"""Odoo 17's screen API on every model: ``get_views`` and ``get_view``.

Worked example::

    result = env["sale.order"].get_views([[False, "list"], [False, "form"], [False, "search"]],
                                         {"toolbar": True, "load_filters": True})
    result["views"]["list"]   # {'arch': '<tree>...</tree>', 'id': 42, 'model': 'sale.order',
                              #  'toolbar': {'action': [...]}}
    result["views"]["search"]["filters"]                 # the user's ir.filters of the model
    result["models"]["sale.order"]["amount_total"]       # fields_get() of the fields used
    env["sale.order"].get_view(view_type="form")         # {'arch', 'id', 'model', 'models'}

The answer has Odoo 17.0's shape: ``views`` is keyed by the requested types (``list`` is
served by the ``tree`` view), ``models`` maps each model an arch uses (sub-views of x2many
fields included) to the ``fields_get`` of the fields it uses. Archs are combined (inheritance),
then tailored to the user: nodes with ``groups=`` the user lacks and fields of ``groups`` the
user lacks are removed. Views themselves are data of ``ir.ui.view`` (base module), which does
the work and caches it per registry and group set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from erplite import api
from erplite.orm.fields import Selection
from erplite.orm.recordset import Recordset

#: The ``fields_get`` attributes ``get_views`` describes (Odoo 17's ``_get_view_field_attributes``).
VIEW_FIELD_ATTRIBUTES = (
    "change_default",
    "context",
    "currency_field",
    "digits",
    "domain",
    "group_operator",
    "help",
    "name",
    "readonly",
    "related",
    "relation",
    "relation_field",
    "required",
    "searchable",
    "selection",
    "size",
    "sortable",
    "store",
    "string",
    "translate",
    "trim",
    "type",
)


class ViewsMixin(Recordset):
    """``get_views`` / ``get_view`` of every model."""

    __slots__ = ()

    @api.model
    def get_views(
        self, views: Sequence[Sequence[Any]], options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The arch of each ``[view_id, view_type]`` of ``views`` (``view_id`` False: the
        default view of the type) and the descriptions of the fields they use.

        ``options``: ``toolbar`` adds to each view the actions bound to the model
        (``{'action': [...], 'print': [...]}``, filtered by ``binding_view_types``),
        ``load_filters`` adds ``filters`` to the search view (the user's ``ir.filters`` of the
        model, for ``action_id`` when given).
        """
        options = dict(options or {})
        result: dict[str, Any] = {
            "views": {
                view_type: self.get_view(view_id, view_type, **options)
                for view_id, view_type in views
            }
        }
        used: dict[str, set[str]] = {}
        for view in result["views"].values():
            for model_name, names in view.pop("models").items():
                used.setdefault(model_name, set()).update(names)
        result["models"] = {
            model_name: self.env[model_name].fields_get(
                allfields=sorted(names), attributes=list(self._get_view_field_attributes())
            )
            for model_name, names in used.items()
        }
        if options.get("toolbar"):
            for view in result["views"].values():
                view["toolbar"] = {}
            if "ir.actions.actions" in self.env:
                bindings = self.env["ir.actions.actions"].get_bindings(self._name)
                for action_type, key in (("report", "print"), ("action", "action")):
                    for action in bindings.get(action_type, ()):
                        types = (
                            action["binding_view_types"].split(",")
                            if action.get("binding_view_types")
                            else list(result["views"])
                        )
                        for view_type in types:
                            view_type = "list" if view_type.strip() == "tree" else view_type.strip()
                            if view_type in result["views"]:
                                result["views"][view_type]["toolbar"].setdefault(key, []).append(
                                    action
                                )
        if options.get("load_filters") and "search" in result["views"]:
            if "ir.filters" in self.env:
                result["views"]["search"]["filters"] = self.env["ir.filters"].get_filters(
                    self._name, options.get("action_id")
                )
        return result

    @api.model
    def get_view(
        self, view_id: int | None = None, view_type: str = "form", **options: Any
    ) -> dict[str, Any]:
        """The combined arch of view ``view_id`` (or of the model's default ``view_type``
        view, or a default arch when the model has none), tailored to the user:
        ``{'arch', 'id', 'model', 'models'}``. A ``<type>_view_ref`` context key (an external
        id) chooses the view when ``view_id`` is not given, as in Odoo."""
        view: dict[str, Any] = self.env["ir.ui.view"]._model_view(self, view_id, view_type)
        return view

    @api.model
    def _get_view_field_attributes(self) -> tuple[str, ...]:
        return VIEW_FIELD_ATTRIBUTES

    @api.model
    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, Any]:
        """The definitions of the fields the user may see, as Odoo's ``fields_get``."""
        env = self.env
        result = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            if field.groups and not env.su and not self._field_accessible(field):
                continue
            description: dict[str, Any] = {
                "type": field.type,
                "string": field.string,
                "help": field.help or "",
                "required": bool(field.required),
                "readonly": bool(field.readonly),
                "store": bool(field.store),
                "searchable": bool(field.store or field.search or field.related),
                "sortable": bool(field.store and field.column_type is not None),
                "groupable": bool(field.store and field.column_type is not None),
                "manual": False,
                "depends": list(field.depends or ()),
                "company_dependent": False,
                "name": name,
            }
            if field.relational:
                description["relation"] = field.comodel_name
                description["domain"] = field.domain if isinstance(field.domain, list) else []
                description["context"] = field.context if isinstance(field.context, dict) else {}
            if field.type == "one2many":
                description["relation_field"] = field.inverse_name
            if field.type == "selection":
                selection = cast(Selection, field)._selection(self)
                description["selection"] = [list(item) for item in selection]
            if field.type == "char" and getattr(field, "size", None):
                description["size"] = field.size
            if attributes:
                description = {k: v for k, v in description.items() if k in attributes}
            result[name] = description
        return result
