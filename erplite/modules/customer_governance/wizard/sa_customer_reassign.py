"""``sa.customer.reassign``: the dialog that reassigns a governed customer to another actor.

Opened from the customer's form (``active_model`` ``res.partner``, ``active_id`` the customer),
it shows the customer's service account and current actor, asks for the new actor and a reason,
and :meth:`SaCustomerReassign.action_reassign` (behind a confirmation) calls
``sa.customer.assignment.assign`` as the user: the old assignment expired, the new one opened,
the previous actor's open activities handed over, in one transaction. Only a manager of the SA
or a governance administrator may do it; the refusal is shown in the dialog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError


class SaCustomerReassign(models.TransientModel):
    _name = "sa.customer.reassign"
    _description = "Reassign a Customer"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, domain=[("x_sa_id", "!=", False)]
    )
    account_id = fields.Many2one(related="partner_id.x_sa_id", string="Service Account")
    current_actor_id = fields.Many2one(related="partner_id.x_actor_id", string="Current Actor")
    user_id = fields.Many2one("res.users", string="New Actor", required=True)
    reason = fields.Char(help="Kept in the customer's assignment history.")

    @api.model
    def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]:
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_id"):
            values.setdefault("partner_id", context["active_id"])
        return values

    def action_reassign(self) -> dict[str, str]:
        """Reassign the customer to the new actor; close the dialog."""
        self.ensure_one()
        partner = self.partner_id
        if not partner.x_sa_id:
            raise UserError(
                f"Customer {partner.display_name!r} is not governed by a service account: "
                "set its service account before assigning it."
            )
        if self.user_id == partner.x_actor_id:
            raise UserError(
                f"Customer {partner.display_name!r} is already assigned to "
                f"{self.user_id.display_name!r}."
            )
        self.env["sa.customer.assignment"].assign(
            partner.x_sa_id.id, partner.id, self.user_id.id, self.reason or ""
        )
        return {"type": "ir.actions.act_window_close"}
