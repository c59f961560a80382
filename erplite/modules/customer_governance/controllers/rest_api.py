"""The REST API of customer governance, listed in the OpenAPI document ``/api/openapi.json``.

Routes (an API key in ``Authorization: bearer <key>`` or a logged-in session; every call runs
with the caller's rights: the SA's visibility policy decides what they read, only a manager of
the SA or a governance administrator may assign, reassign and revoke):

=====================================================  ========================================
``GET /api/governance/accounts``                       the service accounts (tree order)
``GET /api/governance/memberships``                    memberships, by SA, user, state
``POST /api/governance/memberships/{id}/revoke``       revoke a membership (its side effects:
                                                       see ``sa.membership.action_revoke``)
``GET /api/governance/assignments``                    assignments, by SA, customer, actor,
                                                       state, newest first
``POST /api/governance/assignments``                   assign a customer (reassigns it when it
                                                       has an active assignment in the SA); 201
``POST /api/governance/assignments/{id}/reassign``     reassign an active assignment; 201
``GET /api/governance/customers/{id}/history``         a customer's assignments, newest first
=====================================================  ========================================

Worked example::

    curl -H "Authorization: bearer $KEY" -H "Content-Type: application/json" \\
         -d '{"account_id": 3, "partner_id": 41, "user_id": 9, "reason": "new territory"}' \\
         https://erp.example.com/api/governance/assignments
    → 201 {"id": 17, "account_id": {"id": 3, "name": "North"}, "partner_id": {...},
           "user_id": {"id": 9, "name": "Alice"}, "state": "active", ...}

Errors: 403 the caller may not govern the SA (or read the record), 404 no such record, 422 a
rule refused it (the actor is not a valid manager or agent of the SA, the customer is governed
by another SA, the assignment or membership is not active any more).
"""

from __future__ import annotations

from typing import Any

from erplite import http
from erplite.http import request, rest

from ..models.sa_account import VISIBILITY_POLICIES
from ..models.sa_customer_assignment import STATES as ASSIGNMENT_STATES
from ..models.sa_membership import ROLES
from ..models.sa_membership import STATES as MEMBERSHIP_STATES

TAGS = ["Customer governance"]

ACCOUNT = rest.RecordSchema(
    "ServiceAccount",
    "sa.account",
    [
        "id",
        "name",
        "code",
        "complete_name",
        "parent_id",
        "visibility_policy",
        "default_actor_id",
        "revocation_policy",
        "company_id",
        "active",
    ],
)
MEMBERSHIP = rest.RecordSchema(
    "ServiceAccountMembership",
    "sa.membership",
    [
        "id",
        "account_id",
        "user_id",
        "role",
        "date_from",
        "date_to",
        "state",
        "revoked_by_id",
        "revoke_date",
        "revoke_reason",
    ],
)
ASSIGNMENT = rest.RecordSchema(
    "CustomerAssignment",
    "sa.customer.assignment",
    [
        "id",
        "account_id",
        "partner_id",
        "user_id",
        "date_start",
        "date_end",
        "state",
        "opened_by_id",
        "open_reason",
        "closed_by_id",
        "close_reason",
    ],
)

_REASON = {"type": "string", "maxLength": 1000, "description": "Why (kept in the history)"}
ASSIGN = rest.component(
    "CustomerAssign",
    {
        "type": "object",
        "description": "Assign a customer to an actor within a service account.",
        "properties": {
            "account_id": {**rest.ID, "description": "The service account"},
            "partner_id": {**rest.ID, "description": "The customer"},
            "user_id": {**rest.ID, "description": "The actor (a valid manager or agent)"},
            "reason": _REASON,
        },
        "required": ["account_id", "partner_id", "user_id"],
        "additionalProperties": False,
    },
)
REASSIGN = rest.component(
    "CustomerReassign",
    {
        "type": "object",
        "description": "Hand an active assignment to another actor.",
        "properties": {
            "user_id": {**rest.ID, "description": "The new actor (a valid manager or agent)"},
            "reason": _REASON,
        },
        "required": ["user_id"],
        "additionalProperties": False,
    },
)
REVOKE = rest.component(
    "MembershipRevoke",
    {
        "type": "object",
        "description": "End a membership now.",
        "properties": {"reason": _REASON},
        "additionalProperties": False,
    },
)


ACCOUNT_PAGE = rest.page_component("ServiceAccountPage", ACCOUNT.ref)
MEMBERSHIP_PAGE = rest.page_component("ServiceAccountMembershipPage", MEMBERSHIP.ref)
ASSIGNMENT_PAGE = rest.page_component("CustomerAssignmentPage", ASSIGNMENT.ref)

PAGING = {
    "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 80,
        "description": "How many records at most (default 80)",
    },
    "offset": {
        "type": "integer",
        "minimum": 0,
        "maximum": rest.MAX_ID,
        "default": 0,
        "description": "How many matching records to skip",
    },
}
_NOT_ACTIVE = "Refused: the record is not active any more, or the values break a rule"


def _page(model: str, schema: rest.RecordSchema, domain: list, limit: int, offset: int) -> dict:
    Model = request.env[model]
    return {
        "count": Model.search_count(domain),
        "limit": limit,
        "offset": offset,
        "items": schema.dump(Model.search(domain, offset=offset, limit=limit)),
    }


def _filters(**values: Any) -> list:
    return [(name, "=", value) for name, value in values.items() if value is not None]


class GovernanceRestApi(http.Controller):
    @rest.operation(
        "GET",
        "/api/governance/accounts",
        summary="List service accounts",
        tags=TAGS,
        query={
            "parent_id": {**rest.ID, "description": "Only the direct branches of this SA"},
            "visibility_policy": {
                "type": "string",
                "enum": [policy for policy, _label in VISIBILITY_POLICIES],
                "description": "Only the SAs with this policy",
            },
            **PAGING,
        },
        responses={200: ACCOUNT_PAGE},
    )
    def list_accounts(
        self, parent_id: int | None, visibility_policy: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        """The active service accounts of the caller's companies, in tree order."""
        domain = _filters(parent_id=parent_id, visibility_policy=visibility_policy)
        return _page("sa.account", ACCOUNT, domain, limit, offset)

    @rest.operation(
        "GET",
        "/api/governance/memberships",
        summary="List memberships",
        tags=TAGS,
        query={
            "account_id": {**rest.ID, "description": "Only the members of this SA"},
            "user_id": {**rest.ID, "description": "Only the memberships of this user"},
            "role": {"type": "string", "enum": [role for role, _label in ROLES]},
            "state": {"type": "string", "enum": [state for state, _label in MEMBERSHIP_STATES]},
            **PAGING,
        },
        responses={200: MEMBERSHIP_PAGE},
    )
    def list_memberships(
        self,
        account_id: int | None,
        user_id: int | None,
        role: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> dict[str, Any]:
        """Memberships, revoked ones included unless `state` says otherwise."""
        domain = _filters(account_id=account_id, user_id=user_id, role=role, state=state)
        return _page("sa.membership", MEMBERSHIP, domain, limit, offset)

    @rest.operation(
        "POST",
        "/api/governance/memberships/{membership_id}/revoke",
        summary="Revoke a membership",
        tags=TAGS,
        path_params={"membership_id": {**rest.ID, "description": "The membership"}},
        body=REVOKE,
        responses={200: MEMBERSHIP.ref},
        errors={422: _NOT_ACTIVE},
    )
    def revoke_membership(self, membership_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """End the membership now (a manager of the SA or a governance administrator): the user
        loses the visibility it gave at once, their active assignments in the SA are expired
        and handed to the SA's default actor or left unassigned (the SA's setting), their open
        activities on those customers go to the heir."""
        membership = rest.get_record("sa.membership", membership_id)
        membership.action_revoke(body.get("reason") or "")
        return MEMBERSHIP.dump_one(membership)

    @rest.operation(
        "GET",
        "/api/governance/assignments",
        summary="List customer assignments",
        tags=TAGS,
        query={
            "account_id": {**rest.ID, "description": "Only the assignments of this SA"},
            "partner_id": {**rest.ID, "description": "Only the assignments of this customer"},
            "user_id": {**rest.ID, "description": "Only the assignments to this actor"},
            "state": {"type": "string", "enum": [state for state, _label in ASSIGNMENT_STATES]},
            **PAGING,
        },
        responses={200: ASSIGNMENT_PAGE},
    )
    def list_assignments(
        self,
        account_id: int | None,
        partner_id: int | None,
        user_id: int | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> dict[str, Any]:
        """The assignments of the customers the caller sees, newest first."""
        domain = _filters(
            account_id=account_id, partner_id=partner_id, user_id=user_id, state=state
        )
        return _page("sa.customer.assignment", ASSIGNMENT, domain, limit, offset)

    @rest.operation(
        "POST",
        "/api/governance/assignments",
        summary="Assign a customer",
        tags=TAGS,
        body=ASSIGN,
        responses={201: ASSIGNMENT.ref},
        response_headers={201: {"Location": "The customer's assignment history"}},
    )
    def assign(self, body: dict[str, Any]) -> rest.Reply:
        """Assign the customer to the actor within the SA; when it already has an active
        assignment there, reassign it (the old one expired, the new one opened, in one
        transaction). Answers the new active assignment."""
        new_id = request.env["sa.customer.assignment"].assign(
            body["account_id"], body["partner_id"], body["user_id"], body.get("reason") or ""
        )
        return _created(new_id)

    @rest.operation(
        "POST",
        "/api/governance/assignments/{assignment_id}/reassign",
        summary="Reassign a customer",
        tags=TAGS,
        path_params={"assignment_id": {**rest.ID, "description": "The active assignment"}},
        body=REASSIGN,
        responses={201: ASSIGNMENT.ref},
        response_headers={201: {"Location": "The customer's assignment history"}},
        errors={422: _NOT_ACTIVE},
    )
    def reassign(self, assignment_id: int, body: dict[str, Any]) -> rest.Reply:
        """Expire the active assignment and open one to the new actor, in one transaction
        (the history is never rewritten). Answers the new assignment."""
        assignment = rest.get_record("sa.customer.assignment", assignment_id)
        new_ids = assignment.action_reassign(body["user_id"], body.get("reason") or "")
        return _created(new_ids[0])

    @rest.operation(
        "GET",
        "/api/governance/customers/{partner_id}/history",
        summary="A customer's assignment history",
        tags=TAGS,
        path_params={"partner_id": {**rest.ID, "description": "The customer"}},
        query=PAGING,
        responses={200: ASSIGNMENT_PAGE},
    )
    def history(self, partner_id: int, limit: int, offset: int) -> dict[str, Any]:
        """Every assignment of the customer, active and expired, newest first (403 when the
        caller may not see the customer)."""
        customer = rest.get_record("res.partner", partner_id)
        customer.check_access_rule("read")
        domain = [("partner_id", "=", customer.id)]
        return _page("sa.customer.assignment", ASSIGNMENT, domain, limit, offset)


def _created(assignment_id: int) -> rest.Reply:
    assignment = request.env["sa.customer.assignment"].browse(assignment_id)
    location = f"/api/governance/customers/{assignment.partner_id.id}/history"
    return rest.Reply(ASSIGNMENT.dump_one(assignment), 201, {"Location": location})
