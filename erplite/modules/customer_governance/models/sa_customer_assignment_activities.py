"""The open activities (``mail.activity``) of an actor who loses customers go with them.

When an assignment ends because its customer is reassigned or its actor's membership is revoked,
the activities the previous actor still has open on the customer and on the customer's
documents (its orders, and its leads when ``crm`` is installed) are handed to the heir:

==============================================  =============================================
the assignment ends by                          the activities go to
==============================================  =============================================
reassignment (``assign``, ``action_reassign``)  the new actor
revocation, SA policy ``default_actor``         the SA's default actor (the new actor)
revocation, SA policy ``unassigned``            the SA's default actor when a valid member,
                                                else the user who revokes, else the first
                                                valid manager of the SA or of an SA above it
archive of the customer                         nobody: they stay (the customer is archived)
==============================================  =============================================

Activities of other users are left alone; done activities no longer exist (marking one done
removes it). The statements are bounded by the number of previous actors and document models,
not by the number of customers or the length of their history.
"""

from __future__ import annotations

from typing import Any

from erplite import SUPERUSER_ID, models

#: models whose records are "documents of a governed customer" (through ``partner_id``)
CUSTOMER_DOCUMENTS = ("sale.order", "crm.lead")


class SaCustomerAssignment(models.Model):
    _inherit = "sa.customer.assignment"

    def _hand_over_activities(self, heir: Any) -> int:
        """Give ``heir`` the open activities that the actors of these assignments have on their
        customers and the customers' documents. Returns how many were handed over."""
        if not heir or "mail.activity" not in self.env:
            return 0
        partners_by_actor: dict[int, set[int]] = {}
        for assignment in self.sudo():
            if assignment.user_id != heir:
                actor_partners = partners_by_actor.setdefault(assignment.user_id.id, set())
                actor_partners.add(assignment.partner_id.id)
        handed = 0
        Activity = self.env["mail.activity"].sudo()
        for actor_id, partner_ids in partners_by_actor.items():
            activities = Activity.search(
                [("user_id", "=", actor_id), *self._documents_domain(sorted(partner_ids))]
            )
            if activities:
                activities.write({"user_id": heir.id})
                handed += len(activities)
        return handed

    def _documents_domain(self, partner_ids: list[int]) -> list:
        """The ``mail.activity`` domain of the activities on these customers and on their
        documents."""
        domain: list = ["&", ("res_model", "=", "res.partner"), ("res_id", "in", partner_ids)]
        for model in CUSTOMER_DOCUMENTS:
            if model not in self.env:
                continue
            documents = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .search([("partner_id", "in", partner_ids)])
            )
            if documents:
                domain = [
                    "|",
                    "&",
                    ("res_model", "=", model),
                    ("res_id", "in", documents.ids),
                    *domain,
                ]
        return domain

    def _activities_heir_without_actor(self, account: Any) -> Any:
        """Who takes the activities of a revoked member whose customers are left unassigned:
        the SA's default actor when a valid member, else the user who revokes (not the
        superuser), else the first valid manager of the SA or of an SA above it."""
        account = account.sudo()
        revoked = self.sudo().user_id
        default = account.default_actor_id
        if default and default not in revoked and account._is_member(default):
            return default
        if self.env.uid != SUPERUSER_ID and self.env.user not in revoked:
            return self.env.user
        Membership = self.env["sa.membership"].sudo()
        managers = Membership.search(
            [
                ("account_id", "in", account.lineage_ids.ids or [account.id]),
                ("role", "=", "manager"),
                ("user_id", "not in", revoked.ids),
                *Membership._valid_domain(),
            ]
        )
        nearest = sorted(managers, key=lambda m: -len(m.account_id.parent_path or ""))
        return nearest[0].user_id if nearest else self.env["res.users"]
