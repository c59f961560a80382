"""``sa.membership.revoke``: the dialog that revokes a membership, saying what will follow.

Opened from the membership's form (``active_model`` ``sa.membership``), it shows the member,
the service account and what becomes of the member's customers (the SA's revocation policy and
default actor), asks for a reason, and :meth:`SaMembershipRevoke.action_revoke` (behind a
confirmation) calls ``sa.membership.action_revoke`` as the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from erplite import api, fields, models


class SaMembershipRevoke(models.TransientModel):
    _name = "sa.membership.revoke"
    _description = "Revoke a Membership"

    membership_id = fields.Many2one(
        "sa.membership", string="Membership", required=True, domain=[("state", "=", "active")]
    )
    account_id = fields.Many2one(related="membership_id.account_id", string="Service Account")
    user_id = fields.Many2one(related="membership_id.user_id", string="Member")
    revocation_policy = fields.Selection(
        related="membership_id.account_id.revocation_policy", string="Their Customers"
    )
    default_actor_id = fields.Many2one(
        related="membership_id.account_id.default_actor_id", string="Default Actor"
    )
    reason = fields.Char(help="Kept on the membership and in the closed assignments.")

    @api.model
    def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]:
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "sa.membership" and context.get("active_id"):
            values.setdefault("membership_id", context["active_id"])
        return values

    def action_revoke(self) -> dict[str, str]:
        """Revoke the membership now (see ``sa.membership.action_revoke``); close the dialog."""
        self.ensure_one()
        self.membership_id.action_revoke(self.reason or "")
        return {"type": "ir.actions.act_window_close"}
