"""``crm.partner.binding``: what the CRM's wizards share to choose a lead's customer (Odoo 17's
model of that name): link the customer found for the lead (``exist``), create one from its
contact details (``create``), or none (``nothing``). The lead is the wizard's ``lead_id``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

BINDING_ACTIONS = [
    ("create", "Create a new customer"),
    ("exist", "Link to an existing customer"),
    ("nothing", "Do not link to a customer"),
]


class CrmPartnerBinding(models.AbstractModel):
    _name = "crm.partner.binding"
    _description = "Handle partner binding or generation in CRM wizards."

    lead_id = fields.Many2one(
        "crm.lead", string="Associated Lead", required=True, ondelete="cascade"
    )
    action = fields.Selection(
        BINDING_ACTIONS,
        string="Related Customer",
        compute="_compute_action",
        store=True,
        readonly=False,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )

    @api.model
    def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]:
        """The lead is the context's ``active_id`` (with ``active_model`` ``crm.lead``)."""
        fields_list = list(fields_list)
        result = super().default_get(fields_list)
        context = self.env.context
        if (
            "lead_id" in fields_list
            and not result.get("lead_id")
            and context.get("active_model") == "crm.lead"
            and context.get("active_id")
        ):
            result["lead_id"] = int(context["active_id"])
        return result

    @api.depends("lead_id")
    def _compute_action(self) -> None:
        """``exist`` when the lead has or matches a customer, else ``create``."""
        wizard: Any
        for wizard in self:
            if not wizard.lead_id:
                wizard.action = "nothing"
            elif wizard.lead_id._find_matching_partner():
                wizard.action = "exist"
            else:
                wizard.action = "create"

    @api.depends("action", "lead_id")
    def _compute_partner_id(self) -> None:
        """The customer found for the lead (by its customer, email, then name) when linking
        to an existing one; none otherwise."""
        wizard: Any
        for wizard in self:
            if wizard.action == "exist" and wizard.lead_id:
                wizard.partner_id = wizard.lead_id._find_matching_partner()
            else:
                wizard.partner_id = False

    def _bind_partner(self) -> None:
        """Give the lead the customer the wizard chose: the one picked, a new one, or none.
        Refused (nothing changed) when linking to an existing customer without one."""
        self.ensure_one()
        if self.action == "exist":
            if not self.partner_id:
                raise UserError("Choose the existing customer to link, or create a new one.")
            self.lead_id._handle_partner_assignment(
                force_partner_id=self.partner_id.id, create_missing=False
            )
        elif self.action == "create" and not self.lead_id.partner_id:
            self.lead_id.partner_id = self.lead_id._create_customer()
