"""The steps of the pipeline on ``crm.lead``: convert a lead into an opportunity (with its
customer found or created), mark won, mark lost with a reason, restore, and merge duplicates
into the oldest (with the others' messages and activities). Each step checks the leads' states first (``_check_transition``), so a wrong
step changes nothing."""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

#: fields a merge takes from the first lead (oldest first) that has a value
MERGE_FIRST_VALUE = (
    "partner_id",
    "partner_name",
    "contact_name",
    "email_from",
    "phone",
    "user_id",
    "team_id",
    "stage_id",
    "expected_revenue",
    "date_deadline",
    "company_id",
    "lost_reason_id",
)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # -- conversion -----------------------------------------------------------------------------

    def _find_matching_partner(self, email_only: bool = False) -> Any:
        """The customer of this lead: its ``partner_id``, else the partner with its email, else
        (unless ``email_only``) the partner named as its company, its contact or itself
        (case-insensitive, whole name)."""
        self.ensure_one()
        partners = self.env["res.partner"]
        if self.partner_id:
            return self.partner_id
        if self.email_from:
            partner = partners.search([("email", "=ilike", self.email_from.strip())], limit=1)
            if partner:
                return partner
        if not email_only:
            for name in (self.partner_name, self.contact_name, self.name):
                if name:
                    partner = partners.search([("name", "=ilike", name.strip())], limit=1)
                    if partner:
                        return partner
        return partners

    def _create_customer(self) -> Any:
        """A new customer made from the lead: its company (``partner_name``) and, when both are
        known, its contact inside that company (the contact is returned)."""
        self.ensure_one()
        partners = self.env["res.partner"]
        contact_values = {"email": self.email_from or False, "phone": self.phone or False}
        if self.partner_name:
            company = partners.create(
                {"name": self.partner_name, "is_company": True, **contact_values}
            )
            if not self.contact_name:
                return company
            return partners.create(
                {"name": self.contact_name, "parent_id": company.id, **contact_values}
            )
        return partners.create(
            {"name": self.contact_name or self.email_from or self.name, **contact_values}
        )

    def _handle_partner_assignment(
        self, force_partner_id: int | bool = False, create_missing: bool = True
    ) -> None:
        """Link each lead to ``force_partner_id``, or to the customer it matches, or to a new
        one made from its contact details (``create_missing``)."""
        lead: Any
        for lead in self:
            if force_partner_id:
                lead.partner_id = force_partner_id
                continue
            partner = lead._find_matching_partner()
            if not partner and create_missing:
                partner = lead._create_customer()
            if partner:
                lead.partner_id = partner

    def _convert_opportunity_data(self, customer: Any, team_id: int | bool = False) -> dict:
        """The values a lead takes when it becomes an opportunity."""
        self.ensure_one()
        values: dict[str, Any] = {"type": "opportunity", "date_conversion": fields.Datetime.now()}
        if customer:
            values["partner_id"] = customer.id
        if team_id:
            values["team_id"] = team_id
        if not self.stage_id or (team_id and team_id != self.team_id.id):
            stage = self._stage_find(team_id or self.team_id.id, [("fold", "=", False)])
            if stage and stage != self.stage_id:
                values["stage_id"] = stage.id
        return values

    def convert_opportunity(
        self, partner: Any, user_ids: list[int] | None = None, team_id: int | bool = False
    ) -> bool:
        """Turn the leads into opportunities, linked to ``partner`` (when it is empty, each
        keeps its own customer or none, as in Odoo 17: :meth:`action_convert_opportunity` and
        the conversion wizard choose the customer first); salespeople ``user_ids`` are given in
        turn and ``team_id`` set when given. Refused (nothing changed) if one of them is not a
        lead."""
        self._check_transition("convert")
        for index, lead in enumerate(self):
            values = lead._convert_opportunity_data(partner or lead.partner_id, team_id)
            if user_ids:
                values["user_id"] = user_ids[index % len(user_ids)]
            lead.write(values)
        return True

    def action_convert_opportunity(self) -> bool:
        """Convert at once, with the customer found by email or name, or a new one (the
        form's button opens the ``crm.lead2opportunity.partner`` wizard instead)."""
        self._check_transition("convert")
        self._handle_partner_assignment(create_missing=True)
        return self.convert_opportunity(self.env["res.partner"])

    def redirect_lead_opportunity_view(self) -> dict[str, Any]:
        """The form of this lead or opportunity (what the conversion wizard opens)."""
        self.ensure_one()
        form: Any = self.env.ref("crm.crm_lead_view_form")
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "crm.lead",
            "res_id": self.id,
            "view_mode": "form",
            "views": [[form.id, "form"]],
            "domain": [("type", "=", self.type)],
            "context": {"default_type": self.type},
        }

    @api.model
    def _get_lead_duplicates(
        self, partner: Any = None, email: str | bool | None = None, include_lost: bool = False
    ) -> Any:
        """The leads and opportunities of customer ``partner`` or with address ``email``
        (case-insensitive), as Odoo 17: the active ones that are not won, or with
        ``include_lost`` every opportunity and the active leads."""
        domain: list = []
        address = (email or "").strip() if isinstance(email, str) else ""
        if address:
            domain.append(("email_from", "=ilike", address))
        if partner:
            domain.append(("partner_id", "=", partner.id))
        if not domain:
            return self.browse()
        domain = ["|"] * (len(domain) - 1) + domain
        if include_lost:
            domain += ["|", ("type", "=", "opportunity"), ("active", "=", True)]
        else:
            domain += [
                "&",
                ("active", "=", True),
                "|",
                ("stage_id", "=", False),
                ("stage_id.is_won", "=", False),
            ]
        return self.with_context(active_test=False).search(domain)

    # -- won, lost, restore ---------------------------------------------------------------------

    def action_set_won(self) -> bool:
        """Move each lead to the first won stage of its team's pipeline (probability 100, closed
        now). Refused for lost or already won leads."""
        self._check_transition("won")
        for lead in self:
            stage = lead._stage_find(lead.team_id.id, [("is_won", "=", True)])
            if not stage:
                raise UserError(
                    f"{lead.name!r} cannot be marked won: its pipeline has no won stage."
                )
            lead.write({"stage_id": stage.id, "probability": 100.0})
        return True

    def action_set_lost(self, lost_reason_id: int | bool = False, **additional_values: Any) -> bool:
        """Archive the leads as lost: probability 0, ``lost_reason_id`` recorded, closed now.
        Refused for won or already lost leads, and for a reason that does not exist."""
        self._check_transition("lost")
        if lost_reason_id and not self.env["crm.lost.reason"].browse(lost_reason_id).exists():
            raise UserError(f"Lost reason {lost_reason_id} does not exist.")
        self.write(
            {
                "active": False,
                "probability": 0.0,
                "automated_probability": 0.0,
                "lost_reason_id": lost_reason_id or False,
                "date_closed": fields.Datetime.now(),
                **additional_values,
            }
        )
        return True

    def action_restore(self) -> bool:
        """Bring lost (or archived) leads back: active, no lost reason, not closed, the
        probability of their stage."""
        self._check_transition("restore")
        self.write({"active": True, "lost_reason_id": False, "date_closed": False})
        self._update_automated_probabilities()
        return True

    def action_unarchive(self) -> bool:
        """Unarchiving a lead restores it (:meth:`action_restore`)."""
        return self.filtered(lambda lead: not lead.active).action_restore()

    # -- merge ----------------------------------------------------------------------------------

    def _merge_values(self, head: Any, others: Any) -> dict:
        """The values of the merged lead: the first value of each field (oldest lead first),
        the union of the tags, the notes one after the other, an opportunity if one of them is,
        the highest priority."""
        ordered = [head, *others]
        values: dict[str, Any] = {}
        for name in MERGE_FIRST_VALUE:
            field = self._fields[name]
            for lead in ordered:
                value = lead[name]
                if value:
                    values[name] = value.id if field.type == "many2one" else value
                    break
        values["tag_ids"] = [(6, 0, self.mapped("tag_ids").ids)]
        notes = [str(lead.description) for lead in ordered if lead.description]
        values["description"] = "<br/>".join(notes) if notes else False
        values["type"] = "opportunity" if "opportunity" in self.mapped("type") else "lead"
        values["priority"] = max(self.mapped("priority") or ["0"])
        return values

    def merge_opportunity(
        self, user_id: int | bool = False, team_id: int | bool = False, auto_unlink: bool = True
    ) -> Any:
        """Merge the leads of ``self`` into the oldest one and delete the others (unless
        ``auto_unlink`` is false); ``user_id`` and ``team_id`` override the merged values.
        Returns the lead that was kept."""
        if len(self) <= 1:
            raise UserError(
                "Please select more than one element (lead or opportunity) from the list view."
            )
        leads = self.with_context(active_test=False)
        if len(leads.mapped("company_id")) > 1:
            raise UserError("Leads of different companies cannot be merged.")
        ordered = leads.sorted(lambda lead: (lead.create_date, lead.id))
        head, others = ordered[0], ordered[1:]
        values = leads._merge_values(head, others)
        if user_id:
            values["user_id"] = user_id
        if team_id:
            values["team_id"] = team_id
        if values.get("stage_id") == head.stage_id.id:
            del values["stage_id"]
        head.write(values)
        others._merge_move_chatter(head)
        if auto_unlink:
            others.unlink()
        return head

    def _merge_move_chatter(self, head: Any) -> None:
        """Move the messages and the activities of the leads of ``self`` to ``head`` (before
        they are deleted with their leads)."""
        if not self:
            return
        self.env["mail.message"].sudo().search(
            [("model", "=", self._name), ("res_id", "in", self.ids)]
        ).write({"res_id": head.id})
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        ).write({"res_id": head.id})

    def action_merge(self) -> Any:
        """Merge the selected leads (the list's action); opens the lead that was kept."""
        head = self.merge_opportunity()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": head.id,
            "views": [[False, "form"]],
        }
