"""``sa.customer.assignment``: the canonical, historised assignment of a customer to an actor
within a service account.

::

    assign ──► active ──► expired        (reassign: expire the active one, open the new one,
                  │                        in one transaction; revoke / archive: expire)
                  └── never rewritten: an expired assignment refuses every write

At most one assignment per SA and customer is active, enforced by the partial unique index
``sa_customer_assignment_one_active`` (created by :meth:`init`) and checked in Python first for
a readable message. Every change of the active assignment rewrites the customer's stamps
(``x_sa_id`` / ``x_actor_id``), which the customer's orders follow; a reassignment hands the
previous actor's open activities on the customer to the new one
(:mod:`.sa_customer_assignment_activities`).
"""

from __future__ import annotations

from typing import cast

from erplite import api, fields, models
from erplite.exceptions import UserError, ValidationError
from erplite.sql import SQL

from .res_partner import _visibility

STATES = [("active", "Active"), ("expired", "Expired")]

#: the only fields an active assignment may still change: those that close it
CLOSING_FIELDS = frozenset({"state", "date_end", "closed_by_id", "close_reason"})

ACTIVE_INDEX = "sa_customer_assignment_one_active"


class SaCustomerAssignment(models.Model):
    _name = "sa.customer.assignment"
    _description = "Customer Assignment"
    _order = "date_start desc, id desc"

    account_id = fields.Many2one(
        "sa.account", string="Service Account", required=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict"
    )
    user_id = fields.Many2one("res.users", string="Actor", required=True, index=True)
    date_start = fields.Datetime(required=True, default=fields.Datetime.now)
    date_end = fields.Datetime()
    state = fields.Selection(STATES, required=True, default="active", index=True)
    opened_by_id = fields.Many2one("res.users", string="Opened By")
    open_reason = fields.Char("Reason")
    closed_by_id = fields.Many2one("res.users", string="Closed By")
    close_reason = fields.Char("Closing Reason")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    partner_visible = fields.Boolean(
        "Customer Visible", compute="_compute_partner_visible", search="_search_partner_visible"
    )

    def _compute_partner_visible(self):
        visible = set(self.search([("id", "in", self.ids), ("partner_visible", "=", True)]).ids)
        for assignment in self:
            assignment["partner_visible"] = assignment.id in visible

    @api.model
    def _search_partner_visible(self, operator, value):
        domain = self.env["res.partner"]._governance_visible_domain("partner_id.")
        return _visibility(domain, operator, value)

    def init(self):
        """The partial unique index: one active assignment per SA and customer, whatever the
        client (the Python check below only gives the readable message first)."""
        cr = self.env.cr
        cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", ACTIVE_INDEX))
        if not cr.fetchone()[0]:
            cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX %s ON sa_customer_assignment (account_id, partner_id) "
                    "WHERE state = 'active'",
                    SQL.identifier(ACTIVE_INDEX),
                )
            )

    def _check_no_active(self, account, partner) -> None:
        """Refuse, with a readable message, a second active assignment of ``partner`` in
        ``account`` (checked before the insert; the partial unique index is the guarantee)."""
        other = self.sudo().search(
            [
                ("account_id", "=", account.id),
                ("partner_id", "=", partner.id),
                ("state", "=", "active"),
            ],
            limit=1,
        )
        if other:
            raise ValidationError(
                f"Customer {partner.display_name!r} already has an active assignment in "
                f"service account {account.complete_name!r} (to {other.user_id.login!r}); "
                "reassign it instead."
            )

    # ------------------------------------------------------------------------------------------
    # CRUD: history is never rewritten
    # ------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Open assignments (state ``active``). The actor must be a valid manager or agent of
        the SA; the customer must not be governed by another SA."""
        env = self.env
        for vals in vals_list:
            if vals.get("state", "active") != "active":
                raise UserError("An assignment is opened active; history is not written by hand.")
            account = env["sa.account"].browse(vals.get("account_id")).exists()
            partner = env["res.partner"].sudo().browse(vals.get("partner_id")).exists()
            user = env["res.users"].sudo().browse(vals.get("user_id")).exists()
            if not (account and partner and user):
                raise ValidationError(
                    "An assignment needs an existing service account, customer and actor "
                    f"(got account_id={vals.get('account_id')!r}, "
                    f"partner_id={vals.get('partner_id')!r}, user_id={vals.get('user_id')!r})."
                )
            account._check_can_govern()
            account = account.sudo()
            if partner.x_sa_id and partner.x_sa_id != account:
                raise ValidationError(
                    f"Customer {partner.display_name!r} is governed by service account "
                    f"{partner.x_sa_id.complete_name!r}, not {account.complete_name!r}."
                )
            if not account._is_member(user, ("manager", "agent")):
                raise ValidationError(
                    f"User {user.login!r} is not a valid manager or agent of service account "
                    f"{account.complete_name!r}: they cannot be assigned its customers."
                )
            self._check_no_active(account, partner)
            vals.setdefault("opened_by_id", env.uid)
        assignments = super(SaCustomerAssignment, cast(SaCustomerAssignment, self.sudo())).create(
            vals_list
        )
        assignments._stamp_customers()
        return assignments.with_env(env)

    def write(self, vals):
        """Only closing an active assignment is allowed (:meth:`_expire`); anything else would
        rewrite the history."""
        if set(vals) - CLOSING_FIELDS or vals.get("state", "expired") != "expired":
            raise UserError(
                "Assignments are history: only closing an active one is allowed "
                f"(refused fields: {', '.join(sorted(set(vals) - CLOSING_FIELDS)) or 'state'})."
            )
        closed = self.filtered(lambda a: a.state != "active")
        if closed:
            raise UserError(
                f"Assignment(s) {closed.ids} are already expired; history is never rewritten."
            )
        self.account_id._check_can_govern()
        result = super(SaCustomerAssignment, cast(SaCustomerAssignment, self.sudo())).write(vals)
        self._stamp_customers()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError("Assignments are history and are never deleted.")

    # ------------------------------------------------------------------------------------------
    # transitions
    # ------------------------------------------------------------------------------------------
    def _expire(self, reason: str) -> None:
        """Close these active assignments now (who and why recorded)."""
        if self:
            self.write(
                {
                    "state": "expired",
                    "date_end": fields.Datetime.now(),
                    "closed_by_id": self.env.uid,
                    "close_reason": reason or False,
                }
            )

    def _reassign(self, user, reason: str = "") -> SaCustomerAssignment:
        """Expire these active assignments and open one to ``user`` for each of their customers,
        in the current transaction. Returns the new assignments."""
        vals_list = [
            {
                "account_id": assignment.account_id.id,
                "partner_id": assignment.partner_id.id,
                "user_id": user.id,
                "open_reason": reason or False,
            }
            for assignment in self
        ]
        self._hand_over_activities(user)
        self._expire(
            f"reassigned to {user.login}: {reason}" if reason else f"reassigned to {user.login}"
        )
        self.flush_model()
        return self.create(vals_list)

    def action_reassign(self, user_id: int, reason: str = "") -> list[int]:
        """Public entry point: reassign these active assignments to the user ``user_id``."""
        user = self.env["res.users"].sudo().browse(user_id).exists()
        if not user:
            raise UserError(f"No user with id {user_id!r} to reassign to.")
        inactive = self.filtered(lambda a: a.state != "active")
        if inactive:
            raise UserError(
                f"Only active assignments can be reassigned; {inactive.ids} are expired."
            )
        return self._reassign(user, reason).ids

    @api.model
    def assign(self, account_id: int, partner_id: int, user_id: int, reason: str = "") -> int:
        """Assign customer ``partner_id`` to actor ``user_id`` within SA ``account_id``; when
        the customer already has an active assignment there, reassign it (expire, then open),
        in one transaction. Returns the id of the new active assignment."""
        current = self.sudo().search(
            [
                ("account_id", "=", account_id),
                ("partner_id", "=", partner_id),
                ("state", "=", "active"),
            ]
        )
        if current:
            self.env["sa.account"].browse(account_id)._check_can_govern()
            return current.with_env(self.env).action_reassign(user_id, reason)[0]
        record = self.create(
            {
                "account_id": account_id,
                "partner_id": partner_id,
                "user_id": user_id,
                "open_reason": reason or False,
            }
        )
        return record.id

    # ------------------------------------------------------------------------------------------
    # stamps
    # ------------------------------------------------------------------------------------------
    def _stamp_customers(self) -> None:
        """Make the stamps of the customers of these assignments equal their active
        assignment: ``x_sa_id`` the SA, ``x_actor_id`` the actor, or no actor when none is
        active (the customer stays governed by the SA, unassigned)."""
        partners = self.sudo().partner_id
        if not partners:
            return
        self.flush_model()
        active = self.sudo().search(
            [("partner_id", "in", partners.ids), ("state", "=", "active")],
            order="date_start desc, id desc",
        )
        latest: dict[int, SaCustomerAssignment] = {}
        for assignment in active:
            latest.setdefault(assignment.partner_id.id, assignment)
        by_stamp: dict[tuple[int, int | bool], list[int]] = {}
        for assignment in self.sudo():
            partner = assignment.partner_id
            current = latest.get(partner.id)
            stamp = (
                (current.account_id.id, current.user_id.id)
                if current
                else (partner.x_sa_id.id or assignment.account_id.id, False)
            )
            if (partner.x_sa_id.id, partner.x_actor_id.id or False) != stamp:
                by_stamp.setdefault(stamp, []).append(partner.id)
        for (account_id, user_id), partner_ids in by_stamp.items():
            self.env["res.partner"].sudo().browse(sorted(set(partner_ids))).write(
                {"x_sa_id": account_id, "x_actor_id": user_id}
            )
