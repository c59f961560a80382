"""``crm.lead2opportunity.partner``: Odoo 17's "Convert to Opportunity" wizard.

Opened on a lead (``active_id``), it proposes:

- **the conversion** (``name``): convert the lead, or merge it with its duplicates (the leads
  and opportunities of the same customer or email, found by
  ``crm.lead._get_lead_duplicates``) into the oldest, when there are some;
- **the customer** (``action``): link the one found for the lead (``exist``, by its customer,
  email, then company, contact or lead name), create one from its contact details
  (``create``), or none (``nothing``);
- **the salesperson and team**: the lead's, the team following the salesperson; with
  ``force_assignment`` they replace those of a merged opportunity.

:meth:`CrmLead2opportunityPartner.action_apply` does it and returns the opportunity's form.
Everything happens in the caller's transaction: a refusal (a lead that is no longer a lead,
an ``exist`` choice without a customer) changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError


class CrmLead2opportunityPartner(models.TransientModel):
    _name = "crm.lead2opportunity.partner"
    _inherit = "crm.partner.binding"
    _description = "Convert Lead to Opportunity (not in mass)"

    name = fields.Selection(
        [("convert", "Convert to opportunity"), ("merge", "Merge with existing opportunities")],
        string="Conversion Action",
        compute="_compute_name",
        store=True,
        readonly=False,
    )
    duplicated_lead_ids = fields.Many2many(
        "crm.lead",
        "crm_convert_lead_duplicate_rel",
        "wizard_id",
        "lead_id",
        string="Opportunities",
        compute="_compute_duplicated_lead_ids",
        store=True,
        readonly=False,
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", compute="_compute_user_id", store=True, readonly=False
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", compute="_compute_team_id", store=True, readonly=False
    )
    force_assignment = fields.Boolean(
        "Force assignment",
        default=True,
        help="If checked, forces the salesperson of merged opportunities even if already set.",
    )

    @api.model
    def default_get(self, fields_list: Iterable[str]) -> dict[str, Any]:
        """Opened on a lead: it must still be a lead."""
        result = super().default_get(fields_list)
        lead_id = result.get("lead_id")
        if lead_id:
            lead = self.env["crm.lead"].browse(lead_id)
            lead._check_transition("convert")
        return result

    @api.depends("lead_id", "partner_id")
    def _compute_duplicated_lead_ids(self) -> None:
        wizard: Any
        for wizard in self:
            if not wizard.lead_id:
                wizard.duplicated_lead_ids = False
                continue
            lead = wizard.lead_id
            wizard.duplicated_lead_ids = self.env["crm.lead"]._get_lead_duplicates(
                partner=wizard.partner_id or lead.partner_id,
                email=lead.partner_id.email or lead.email_from,
                include_lost=True,
            )

    @api.depends("duplicated_lead_ids")
    def _compute_name(self) -> None:
        wizard: Any
        for wizard in self:
            # a choice already made stays (the ORM wants every record assigned)
            wizard.name = wizard.name or (
                "merge" if len(wizard.duplicated_lead_ids) >= 2 else "convert"
            )

    @api.depends("lead_id")
    def _compute_action(self) -> None:
        """``exist`` when a customer is found, else ``create`` when the lead names a contact,
        else ``nothing`` (Odoo 17)."""
        wizard: Any
        for wizard in self:
            lead = wizard.lead_id
            if not lead:
                wizard.action = "nothing"
            elif lead._find_matching_partner():
                wizard.action = "exist"
            elif lead.contact_name or lead.partner_name:
                wizard.action = "create"
            else:
                wizard.action = "nothing"

    @api.depends("lead_id")
    def _compute_user_id(self) -> None:
        wizard: Any
        for wizard in self:
            wizard.user_id = wizard.lead_id.user_id or False

    @api.depends("user_id")
    def _compute_team_id(self) -> None:
        """The lead's team when the salesperson is in it, else the salesperson's team."""
        wizard: Any
        for wizard in self:
            user = wizard.user_id
            if not user:
                if not wizard.team_id:
                    wizard.team_id = wizard.lead_id.team_id
                continue
            for team in (wizard.team_id, wizard.lead_id.team_id):
                if team and user in (team.member_ids | team.user_id):
                    wizard.team_id = team
                    break
            else:
                wizard.team_id = self.env["crm.team"]._get_default_team_id(user.id)

    # -- apply ----------------------------------------------------------------------------------

    def action_apply(self) -> dict[str, Any]:
        """Convert (or merge), then open the opportunity."""
        self.ensure_one()
        if self.name == "merge":
            opportunity = self._action_merge()
        else:
            opportunity = self._action_convert()
        return opportunity.redirect_lead_opportunity_view()

    def _action_convert(self) -> Any:
        leads = self.lead_id
        self._convert_and_allocate(leads)
        return leads

    def _action_merge(self) -> Any:
        """Merge the lead and its duplicates into the oldest one, which becomes (or stays) an
        opportunity with the wizard's salesperson and team."""
        to_merge = self.duplicated_lead_ids | self.lead_id
        if len(to_merge) < 2:
            raise UserError(f"{self.lead_id.name!r} has no duplicate to merge with.")
        head = to_merge.merge_opportunity(auto_unlink=False)
        if not head.active:
            head.action_restore()
        if head.type == "lead":
            self._convert_and_allocate(head)
        elif not head.user_id or self.force_assignment:
            head.write({"user_id": self.user_id.id, "team_id": self.team_id.id})
        (to_merge - head).unlink()
        return head

    def _convert_and_allocate(self, leads: Any) -> None:
        """Bind each lead's customer as chosen, convert it, then give it the salesperson and
        team (unless it has a salesperson and the assignment is not forced)."""
        self.ensure_one()
        leads._check_transition("convert")
        lead: Any
        for lead in leads:
            self._bind_partner_of(lead)
            lead.convert_opportunity(lead.partner_id)
        if self.user_id:
            to_allocate = (
                leads if self.force_assignment else leads.filtered(lambda lead: not lead.user_id)
            )
            to_allocate.write({"user_id": self.user_id.id, "team_id": self.team_id.id or False})

    def _bind_partner_of(self, lead: Any) -> None:
        if self.action == "exist":
            partner = self.partner_id or lead.partner_id
            if not partner:
                raise UserError("Choose the existing customer to link, or create a new one.")
            lead.partner_id = partner
        elif self.action == "create" and not lead.partner_id:
            lead.partner_id = lead._create_customer()
