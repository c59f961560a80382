"""Backfill: build the assignment history from the stamps of the older generation.

Customers imported from an older system, or written by an integration that only knows the
stamps, carry ``x_sa_id`` / ``x_actor_id`` without an ``sa.customer.assignment``. The backfill
opens the missing active assignments; it is idempotent (a second run creates nothing) and
refuses, listing them and writing nothing for them, the stamps that contradict the rules:

==================================================  ========
customer's stamps                                   outcome
==================================================  ========
SA and actor, no active assignment, actor valid     created
SA without actor (governed, unassigned)             skipped
active assignment already equal to the stamps       skipped
active assignment to another actor or SA            refused
actor not a valid manager/agent of the SA           refused
SA or customer archived                             refused
==================================================  ========

``erplite governance backfill -d DB [--dry-run]`` runs it (:mod:`erplite.cli.commands.governance`).
"""

from __future__ import annotations

from typing import Any

from erplite import api, models

BACKFILL_REASON = "backfill from stamps"


class SaCustomerAssignment(models.Model):
    _inherit = "sa.customer.assignment"

    @api.model
    def _backfill_from_stamps(self, dry_run: bool = False) -> dict[str, list[dict[str, Any]]]:
        """Open the active assignments the stamps describe. Returns ``{"created": [...],
        "skipped": [...], "refused": [...]}``, each entry ``{"partner_id", "name", "account",
        "actor", "reason"}``; with ``dry_run`` nothing is written."""
        assignments = self.sudo()
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("x_sa_id", "!=", False)], order="id")
        )
        active = assignments.search([("partner_id", "in", partners.ids), ("state", "=", "active")])
        by_partner: dict[int, list[Any]] = {}
        for assignment in active:
            by_partner.setdefault(assignment.partner_id.id, []).append(assignment)
        summary: dict[str, list[dict[str, Any]]] = {"created": [], "skipped": [], "refused": []}
        to_create: list[dict[str, Any]] = []
        for partner in partners:
            account, actor = partner.x_sa_id, partner.x_actor_id
            entry = {
                "partner_id": partner.id,
                "name": partner.display_name,
                "account": account.code,
                "actor": actor.login if actor else False,
            }
            outcome, reason = assignments._backfill_outcome(partner, by_partner.get(partner.id, []))
            summary[outcome].append({**entry, "reason": reason})
            if outcome == "created":
                to_create.append(
                    {
                        "account_id": account.id,
                        "partner_id": partner.id,
                        "user_id": actor.id,
                        "open_reason": BACKFILL_REASON,
                    }
                )
        if to_create and not dry_run:
            assignments.create(to_create)
        return summary

    def _backfill_outcome(self, partner: Any, active: list[Any]) -> tuple[str, str]:
        """``(outcome, reason)`` of one stamped customer (see the module's table)."""
        account, actor = partner.x_sa_id, partner.x_actor_id
        for assignment in active:
            if (assignment.account_id, assignment.user_id) == (account, actor):
                return "skipped", "the active assignment already matches the stamps"
            return "refused", (
                f"conflict: the stamps say {account.code}/{actor.login if actor else '-'}, the "
                f"active assignment says {assignment.account_id.code}/{assignment.user_id.login}"
            )
        if not actor:
            return "skipped", "governed without an actor: nothing to assign"
        if not partner.active:
            return "refused", "the customer is archived"
        if not account.active:
            return "refused", f"service account {account.code} is archived"
        if not actor.active or not account._is_member(actor, ("manager", "agent")):
            return "refused", (
                f"{actor.login} is not a valid manager or agent of service account {account.code}"
            )
        return "created", BACKFILL_REASON
