"""``ir.filters``: saved searches ("favorites") of the backoffice, Odoo 17's model.

A filter belongs to a model (``model_id``, the model's name), to a user (``user_id``; False:
shared with everyone) and optionally to an action (``action_id``; False: every action of the
model). It stores the search as data: ``domain``, ``context`` (group-bys...), ``sort`` (a
list of orders). ``is_default`` marks the filter applied when the action opens: one per user,
model and action, and one shared default at most.

``get_filters(model, action_id)`` and ``create_or_replace(vals)`` are Odoo 17's: a user sees
their own filters and the shared ones; saving a filter under an existing name (same model and
user) replaces it. ``get_default_filter(model, action_id)`` is the one an action opens with;
the default filters are read once per registry (an action opening costs no query) and dropped,
in every process, when a default filter is created, changed or deleted.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError
from erplite.security import check_model_access, invalidate_access_cache, shared_cache

#: what :meth:`IrFilters.get_default_filter` answers of a filter
_DEFAULT_FIELDS = ["name", "is_default", "domain", "context", "user_id", "sort"]


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
    def get_default_filter(self, model: str, action_id: int | None = None) -> dict | None:
        """The filter ``action_id`` opens with for the current user, as a ``get_filters`` row
        (``user_id`` as an id, ``False`` when shared), or None: the user's own default before a
        shared one (as Odoo 17 picks it), among the filters ``get_filters`` answers.

        Every user's defaults of ``model`` and ``action_id`` are read once per registry, with
        superuser rights: the rows a user gets are only their own and the shared ones, which
        ``get_filters`` shows them too (the read right on filters is checked)."""
        check_model_access(self.env, self._name, "read")
        cache = shared_cache(self.env)
        key = ("ir.filters.defaults", model, action_id or False)
        defaults = cache.get(key)
        if defaults is None:
            domain = self._get_action_domain(action_id) + [
                ("model_id", "=", model),
                ("is_default", "=", True),
            ]
            rows = self.sudo().search_read(
                domain, _DEFAULT_FIELDS, order="id", load="_classic_write"
            )
            defaults = cache[key] = tuple(rows)
        uid = self.env.uid
        mine = [row for row in defaults if row["user_id"] in (uid, False)]
        if not mine:
            return None
        return dict(min(mine, key=lambda row: (not row["user_id"], row["id"])))

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if any(vals.get("is_default") for vals in vals_list):
            invalidate_access_cache(self.env)  # the cached defaults (get_default_filter)
        return records

    def write(self, vals: dict) -> Any:
        if vals.get("is_default") or any(self.sudo().mapped("is_default")):
            invalidate_access_cache(self.env)
        return super().write(vals)

    def unlink(self) -> Any:
        if any(self.sudo().mapped("is_default")):
            invalidate_access_cache(self.env)
        return super().unlink()

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
