"""``res.groups``: groups of users; a group implies others (``implied_ids``)."""

from __future__ import annotations

from erplite import api, fields, models
from erplite.exceptions import ValidationError
from erplite.security import invalidate_access_cache


class ResGroups(models.Model):
    _name = "res.groups"
    _description = "Access Groups"
    _order = "name"

    name = fields.Char(required=True)
    full_name = fields.Char(compute="_compute_full_name")
    category_name = fields.Char("Application")
    comment = fields.Text()
    share = fields.Boolean("Share Group", help="Group of external users (portal, public)")
    users = fields.Many2many("res.users", "res_groups_users_rel", "gid", "uid")
    implied_ids = fields.Many2many(
        "res.groups", "res_groups_implied_rel", "gid", "hid", string="Inherits"
    )
    trans_implied_ids = fields.Many2many(
        "res.groups", compute="_compute_trans_implied", string="Transitively inherits"
    )
    model_access = fields.One2many("ir.model.access", "group_id", string="Access Controls")
    rule_groups = fields.Many2many(
        "ir.rule", "rule_group_rel", "group_id", "rule_group_id", string="Rules"
    )

    _sql_constraints = [
        (
            "name_uniq",
            "unique (category_name, name)",
            "The name of the group must be unique within an application!",
        )
    ]

    @api.depends("name", "category_name")
    def _compute_full_name(self):
        for group in self:
            group.full_name = (
                f"{group.category_name} / {group.name}" if group.category_name else group.name
            )

    @api.depends("implied_ids.implied_ids")
    def _compute_trans_implied(self):
        for group in self:
            seen = self.browse()
            todo = group.implied_ids
            while todo:
                seen |= todo
                todo = todo.implied_ids - seen
            group.trans_implied_ids = seen

    @api.constrains("implied_ids")
    def _check_implied_cycle(self):
        for group in self:
            if group in group.trans_implied_ids:
                raise ValidationError(f"Group {group.name!r} cannot imply itself (recursion)")

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        invalidate_access_cache(self.env)
        # a group created with users and implied groups: its users get those groups too, as
        # a later write of either would give them (Odoo adds its users by a write, likewise)
        given = [group.id for group, vals in zip(groups, vals_list) if vals.get("users")]
        if given:
            groups.browse(given)._add_users_to_implied()
        return groups

    def write(self, vals):
        result = super().write(vals)
        invalidate_access_cache(self.env)
        if "implied_ids" in vals or "users" in vals:
            self._add_users_to_implied()
        return result

    def _add_users_to_implied(self) -> None:
        """List the users of each group of ``self`` in the groups it implies (transitively),
        as Odoo 17 does: ``B.users`` holds the users of every group implying ``B``."""
        for group in self:
            implied = group.trans_implied_ids
            if implied and group.users:
                implied.sudo().write({"users": [(4, user.id) for user in group.users]})

    def unlink(self):
        result = super().unlink()
        invalidate_access_cache(self.env)
        return result
