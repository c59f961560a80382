"""``sa.membership``: a user's role in a service account, valid from/to.

Rights follow the role: a manager sees every customer of the SA (and of its branches) and may
assign, reassign and revoke; an agent and a viewer see what the SA's visibility policy grants.
A membership is never deleted: :meth:`SaMembership.action_revoke` ends it, with its side effects
(the member's active assignments in the SA are expired, then handed to the SA's default actor
or left unassigned, by the SA's ``revocation_policy``).
"""

from __future__ import annotations

from typing import cast

from erplite import api, fields, models, security
from erplite.exceptions import UserError, ValidationError

ROLES = [("manager", "Manager"), ("agent", "Agent"), ("viewer", "Viewer")]
STATES = [("active", "Active"), ("revoked", "Revoked")]


class SaMembership(models.Model):
    _name = "sa.membership"
    _description = "Service Account Membership"
    _order = "account_id, user_id, id"

    account_id = fields.Many2one(
        "sa.account", string="Service Account", required=True, index=True, ondelete="restrict"
    )
    user_id = fields.Many2one("res.users", string="User", required=True, index=True)
    role = fields.Selection(ROLES, required=True, default="agent")
    date_from = fields.Date("Valid From", required=True, default=fields.Date.context_today)
    date_to = fields.Date("Valid To")
    state = fields.Selection(STATES, required=True, default="active", readonly=True, index=True)
    revoked_by_id = fields.Many2one("res.users", string="Revoked By", readonly=True)
    revoke_date = fields.Datetime("Revoked On", readonly=True)
    revoke_reason = fields.Char("Revocation Reason", readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)

    @api.model
    def _valid_domain(self, prefix: str = "") -> list:
        """The domain of memberships valid today (active, inside their validity dates)."""
        today = fields.Date.context_today(self)
        return [
            (f"{prefix}state", "=", "active"),
            (f"{prefix}date_from", "<=", today),
            "|",
            (f"{prefix}date_to", "=", False),
            (f"{prefix}date_to", ">=", today),
        ]

    @api.model
    def _visibility_scope(self) -> dict[str, frozenset[int]]:
        """The service accounts whose customers the current user sees, by case: ``all`` (every
        customer: managed, at any depth below a manager membership, or ``sa_wide``),
        ``member`` (those assigned to the user: any valid membership), ``unassigned`` (those
        without actor: ``assigned_plus_unassigned``). Read once per user and day and cached with
        the security answers; :meth:`_governance_changed` drops it."""
        uid = self.env.uid
        today = fields.Date.context_today(self)
        key = ("customer_governance.visibility_scope", uid, today)
        cache = security.shared_cache(self.env)
        scope = cache.get(key)
        if scope is not None:
            return cast(dict[str, frozenset[int]], scope)
        memberships = self.sudo().search([("user_id", "=", uid), *self._valid_domain()])
        managed_roots = [m.account_id.id for m in memberships if m.role == "manager"]
        managed: list[int] = []
        if managed_roots:
            Account = self.env["sa.account"].sudo().with_context(active_test=False)
            managed = Account.search([("lineage_ids", "in", managed_roots)]).ids
        policies = {m.account_id.id: m.account_id.visibility_policy for m in memberships}
        wide = [account for account, policy in policies.items() if policy == "sa_wide"]
        scope = {
            "all": frozenset([*managed, *wide]),
            "member": frozenset(policies),
            "unassigned": frozenset(
                account
                for account, policy in policies.items()
                if policy == "assigned_plus_unassigned"
            ),
        }
        cache[key] = scope
        return scope

    def _governance_changed(self) -> None:
        """Memberships or service accounts changed: who sees which customers may have too."""
        security.invalidate_access_cache(self.env)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for membership in self:
            if membership.date_to and membership.date_to < membership.date_from:
                raise ValidationError(
                    f"Membership of {membership.user_id.login!r}: valid to "
                    f"{membership.date_to} is before valid from {membership.date_from}."
                )

    @api.constrains("user_id", "account_id", "state")
    def _check_single_active(self):
        for membership in self.filtered(lambda m: m.state == "active"):
            duplicates = self.sudo().search_count(
                [
                    ("id", "!=", membership.id),
                    ("user_id", "=", membership.user_id.id),
                    ("account_id", "=", membership.account_id.id),
                    ("state", "=", "active"),
                ]
            )
            if duplicates:
                raise ValidationError(
                    f"User {membership.user_id.login!r} already has an active membership of "
                    f"service account {membership.account_id.complete_name!r}."
                )

    @api.model_create_multi
    def create(self, vals_list):
        accounts = self.env["sa.account"].browse(
            [vals["account_id"] for vals in vals_list if vals.get("account_id")]
        )
        accounts._check_can_govern()
        memberships = super(SaMembership, cast(SaMembership, self.sudo())).create(vals_list)
        self._governance_changed()
        return memberships.with_env(self.env)

    def write(self, vals):
        if "state" in vals or "revoked_by_id" in vals:
            raise UserError("A membership is revoked with its action 'Revoke', not by a write.")
        self.account_id._check_can_govern()
        result = super(SaMembership, cast(SaMembership, self.sudo())).write(vals)
        self._governance_changed()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError("A membership is never deleted: revoke it (its history is kept).")

    def action_revoke(self, reason: str = "") -> bool:
        """End these memberships now. Side effects, in this transaction: the user loses the
        visibility the membership gave at once; their active assignments in the SA are expired
        and handed to the SA's default actor (``revocation_policy`` ``default_actor``, when that
        actor is another valid member) or left unassigned; their open activities on those
        customers and their documents are reassigned (see
        :mod:`.sa_customer_assignment_activities` for who receives them)."""
        self.account_id._check_can_govern()
        for membership in self:
            if membership.state != "active":
                raise UserError(
                    f"The membership of {membership.user_id.login!r} in "
                    f"{membership.account_id.complete_name!r} is already revoked."
                )
        now = fields.Datetime.now()
        super(SaMembership, cast(SaMembership, self.sudo())).write(
            {
                "state": "revoked",
                "revoked_by_id": self.env.uid,
                "revoke_date": now,
                "revoke_reason": reason or False,
                "date_to": fields.Date.context_today(self),
            }
        )
        self._governance_changed()  # the user loses the visibility at once
        Assignment = self.env["sa.customer.assignment"].sudo()
        for membership in self:
            account = membership.account_id.sudo()
            assignments = Assignment.search(
                [
                    ("account_id", "=", account.id),
                    ("user_id", "=", membership.user_id.id),
                    ("state", "=", "active"),
                ]
            )
            if not assignments:
                continue
            close_reason = f"membership revoked: {reason}" if reason else "membership revoked"
            heir = account.default_actor_id
            if (
                account.revocation_policy == "default_actor"
                and heir
                and heir != membership.user_id
                and account._is_member(heir)
            ):
                assignments._reassign(heir, close_reason)
            else:
                assignments._hand_over_activities(
                    assignments._activities_heir_without_actor(account)
                )
                assignments._expire(close_reason)
        return True
