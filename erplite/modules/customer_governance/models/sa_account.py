"""``sa.account``: a service account (a branch, team or reseller) that governs customers.

Service accounts form a tree (``_parent_store``): a seed SA with its branch SAs. Each SA has a
``visibility_policy`` that decides what its members see of its customers (see
:mod:`.res_partner`), a default actor and a setting saying what becomes of a revoked member's
active assignments (handed to the default actor, or left unassigned).
"""

from __future__ import annotations

from typing import cast

from erplite import Command, api, fields, models
from erplite.exceptions import AccessError, UserError, ValidationError

VISIBILITY_POLICIES = [
    ("sa_wide", "SA-wide: every member sees every customer"),
    ("assigned_plus_unassigned", "Assigned to the member, plus the unassigned ones"),
    ("assigned_only", "Only the customers assigned to the member"),
]

REVOCATION_POLICIES = [
    ("default_actor", "Hand them to the default actor"),
    ("unassigned", "Leave them unassigned"),
]


class SaAccount(models.Model):
    _name = "sa.account"
    _description = "Service Account"
    _order = "complete_name, id"
    _rec_name = "complete_name"
    _parent_name = "parent_id"
    _parent_store = True

    name = fields.Char(required=True)
    code = fields.Char(required=True, index=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    parent_id = fields.Many2one(
        "sa.account", string="Seed Account", index=True, ondelete="restrict"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sa.account", "parent_id", string="Branches")
    lineage_ids = fields.Many2many(
        "sa.account",
        "sa_account_lineage_rel",
        "account_id",
        "ancestor_id",
        string="Lineage",
        readonly=True,
        copy=False,
        help="This account and every account above it, from ``parent_path``: whose managers "
        "govern it. Kept by the model when the tree changes.",
    )
    visibility_policy = fields.Selection(
        VISIBILITY_POLICIES, required=True, default="assigned_plus_unassigned"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    default_actor_id = fields.Many2one(
        "res.users",
        string="Default Actor",
        help="Receives the active assignments of a revoked member when the revocation policy "
        "says so.",
    )
    revocation_policy = fields.Selection(
        REVOCATION_POLICIES,
        string="On Revocation",
        required=True,
        default="unassigned",
        help="What becomes of the active assignments of a member whose membership is revoked.",
    )
    membership_ids = fields.One2many("sa.membership", "account_id", string="Members")
    assignment_ids = fields.One2many("sa.customer.assignment", "account_id", string="Assignments")

    _sql_constraints = [
        (
            "code_company_uniq",
            "UNIQUE (code, company_id)",
            "The code of a service account must be unique per company.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._update_lineage()
        self.env["sa.membership"]._governance_changed()
        return accounts

    def write(self, vals):
        if "lineage_ids" in vals:
            raise UserError("The lineage of a service account follows its seed account.")
        result = super().write(vals)
        if "parent_id" in vals:
            self._update_lineage()
        if {"parent_id", "visibility_policy", "active"} & set(vals):
            self.env["sa.membership"]._governance_changed()
        return result

    def _update_lineage(self) -> None:
        """Set ``lineage_ids`` of these accounts and of everything below them from their
        ``parent_path`` (a moved branch moves its whole subtree)."""
        tree = self.sudo().with_context(active_test=False)
        tree.flush_model(["parent_path"])
        subtree = tree.search([("id", "child_of", self.ids)])
        by_lineage: dict[tuple[int, ...], list[int]] = {}
        for account in subtree:
            lineage = tuple(int(part) for part in (account.parent_path or "").split("/") if part)
            if set(lineage) != set(account.lineage_ids.ids):
                by_lineage.setdefault(lineage, []).append(account.id)
        for lineage, account_ids in by_lineage.items():
            super(SaAccount, cast(SaAccount, tree.browse(account_ids))).write(
                {"lineage_ids": [Command.set(list(lineage))]}
            )

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for account in self:
            if account.parent_id:
                account["complete_name"] = f"{account.parent_id.complete_name} / {account.name}"
            else:
                account["complete_name"] = account.name

    @api.constrains("parent_id")
    def _check_parent_id(self):
        for account in self:
            seen = set()
            node = account
            while node:
                if node.id in seen:
                    raise ValidationError(
                        f"Service account {account.name!r} cannot be its own ancestor."
                    )
                seen.add(node.id)
                node = node.parent_id

    # ------------------------------------------------------------------------------------------
    # who may govern
    # ------------------------------------------------------------------------------------------
    def _is_manager(self, user) -> bool:
        """Whether ``user`` manages this SA: an active manager membership of it or of one of
        its ancestors (a seed SA's managers manage its branches)."""
        self.ensure_one()
        ancestor_ids = [int(part) for part in (self.sudo().parent_path or "").split("/") if part]
        ancestor_ids = ancestor_ids or [self.id]
        return bool(
            self.env["sa.membership"]
            .sudo()
            .search_count(
                [
                    ("account_id", "in", ancestor_ids),
                    ("user_id", "=", user.id),
                    ("role", "=", "manager"),
                    *self.env["sa.membership"]._valid_domain(),
                ]
            )
        )

    def _is_member(self, user, roles: tuple[str, ...] = ("manager", "agent", "viewer")) -> bool:
        """Whether ``user`` holds a membership of this SA valid today with one of ``roles``."""
        self.ensure_one()
        return bool(
            self.env["sa.membership"]
            .sudo()
            .search_count(
                [
                    ("account_id", "=", self.id),
                    ("user_id", "=", user.id),
                    ("role", "in", list(roles)),
                    *self.env["sa.membership"]._valid_domain(),
                ]
            )
        )

    def _check_can_govern(self) -> None:
        """Refuse unless the current user may assign, reassign and revoke in these SAs: the
        superuser, a governance administrator or a manager of the SA."""
        env = self.env
        if env.su or env.user.has_group("customer_governance.group_governance_admin"):
            return
        for account in self:
            if not account._is_manager(env.user):
                raise AccessError(
                    f"Only a manager of service account {account.sudo().complete_name!r} or a "
                    f"governance administrator may change its assignments or memberships "
                    f"(user {env.user.login!r})."
                )
