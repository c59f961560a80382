"""``ir.filters``: saved searches ("favorites") of the backoffice, Odoo 17's model.

A filter belongs to a model (``model_id``, the model's name), to a user (``user_id``; False:
shared with everyone) and optionally to an action (``action_id``; False: every action of the
model). It stores the search as data: ``domain``, ``context`` (group-bys...), ``sort`` (a
list of orders). ``is_default`` marks the filter applied when the action opens: one per user,
model and action, and one shared default at most.

``get_filters(model, action_id)`` and ``create_or_replace(vals)`` are Odoo 17's: a user sees
their own filters and the shared ones; saving a filter under an existing name (same model and
user) replaces it.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError


class IrFilters(models.Model):
    _name = "ir.filters"
    _description = "Filters"
    _order = "model_id, name, id desc"

    name = fields.Char("Filter Name", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="User",
        ondelete="cascade",
        default=lambda self: self.env.uid,
        help="The user this filter is private to; empty: shared with every user",
    )
    domain = fields.Text(default="[]", required=True)
    context = fields.Text(default="{}", required=True)
    sort = fields.Char(default="[]", required=True)
    model_id = fields.Char("Model", required=True, index=True)
    is_default = fields.Boolean("Default Filter")
    action_id = fields.Many2one(
        "ir.actions.act_window",
        string="Action",
        ondelete="cascade",
        help="The action this filter belongs to; empty: every action of the model",
    )
    active = fields.Boolean(default=True)

    @api.model
    def _get_action_domain(self, action_id: int | None = None) -> list:
        """The filters of ``action_id`` and the filters of no action."""
        if action_id:
            return ["|", ("action_id", "=", action_id), ("action_id", "=", False)]
        return [("action_id", "=", False)]

    @api.model
    def get_filters(self, model: str, action_id: int | None = None) -> list[dict]:
        """The current user's filters of ``model`` and the shared ones (for ``action_id`` and
        for no action): ``name``, ``is_default``, ``domain``, ``context``, ``user_id``,
        ``sort`` (and ``id``)."""
        domain = self._get_action_domain(action_id) + [
            ("model_id", "=", model),
            ("user_id", "in", [self.env.uid, False]),
        ]
        return self.search(domain).read(
            ["name", "is_default", "domain", "context", "user_id", "sort"]
        )

    @api.model
    def _check_global_default(self, vals: dict, matching_filters: list[dict]) -> None:
        """Refuse a second shared default filter for the same model and action."""
        domain = self._get_action_domain(vals.get("action_id")) + [
            ("model_id", "=", vals["model_id"]),
            ("user_id", "=", False),
            ("is_default", "=", True),
        ]
        defaults = self.search(domain)
        if not defaults:
            return
        if matching_filters and matching_filters[0]["id"] == defaults.id:
            return
        raise UserError(
            f"There is already a shared filter set as default for {vals['model_id']}, "
            "delete or change it before setting a new default"
        )

    @api.model
    def create_or_replace(self, vals: dict) -> Any:
        """Save a filter: replace the user's (or the shared) filter of the same name and model,
        else create it; a new default turns the user's other default off."""
        vals = dict(vals)
        vals.setdefault("user_id", self.env.uid)
        action_id = vals.get("action_id")
        current = self.get_filters(vals["model_id"], action_id)
        matching = [
            f
            for f in current
            if f["name"].lower() == vals["name"].lower()
            and (f["user_id"] and f["user_id"][0]) == vals.get("user_id")
        ]
        if vals.get("is_default"):
            if vals.get("user_id"):
                domain = self._get_action_domain(action_id) + [
                    ("model_id", "=", vals["model_id"]),
                    ("user_id", "=", vals["user_id"]),
                    ("is_default", "=", True),
                ]
                defaults = self.search(domain)
                if defaults:
                    defaults.write({"is_default": False})
            else:
                self._check_global_default(vals, matching)
        if matching:
            record = self.browse(matching[0]["id"])
            record.write(vals)
            return record
        return self.create(vals)
