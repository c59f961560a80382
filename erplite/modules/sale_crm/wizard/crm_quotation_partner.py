"""``crm.quotation.partner``: "New Quotation" on an opportunity without a customer first asks
for one (Odoo 17's wizard): link the customer found for it, create one from its contact
details, or none; then the quotation form opens (``crm.lead.action_new_quotation``)."""

from __future__ import annotations

from typing import Any

from erplite import models


class CrmQuotationPartner(models.TransientModel):
    _name = "crm.quotation.partner"
    _inherit = "crm.partner.binding"
    _description = "Create new or use existing Customer on new Quotation"

    def action_apply(self) -> dict[str, Any]:
        """Bind the customer chosen, then open the new quotation."""
        self.ensure_one()
        self._bind_partner()
        return self.lead_id.action_new_quotation()
