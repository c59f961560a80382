"""Governed customers: the stamps on ``res.partner`` and the visibility they carry.

A customer is plain (no ``x_sa_id``), governed by an SA (``x_sa_id``) and possibly assigned
within it (``x_actor_id``, equal to its active ``sa.customer.assignment``). Which governed
customers an internal user sees is the domain of :meth:`ResPartner._search_x_sa_visible`, used
by the record rules of this module on customers and orders. The domain is compiled into the
query's SQL (conditions on the customer's own columns), so a search stays one statement.

For a member of the customer's SA, by the SA's ``visibility_policy``:

==========================  ==================  =====================  ===========
role / policy               assigned to member  unassigned (SA's)      other actor
==========================  ==================  =====================  ===========
manager (any policy)        yes                 yes                    yes
sa_wide                     yes                 yes                    yes
assigned_plus_unassigned    yes                 yes                    no
assigned_only               yes                 no                     no
==========================  ==================  =====================  ===========

A manager of an SA also sees the customers of every SA below it, at any depth (through the
SA's ``lineage_ids``, kept from ``parent_path``). The SAs each user sees all, their own or the
unassigned customers of are read once and cached with the security answers
(:meth:`SaMembership._visibility_scope`), dropped whenever a membership or an SA changes, in
this process and the others, so a revoked membership hides its customers at once. Plain
customers, governance administrators, the superuser and portal/public users (whose own rules
apply) are not restricted by governance.
"""

from __future__ import annotations

from erplite import SUPERUSER_ID, api, fields, models
from erplite.exceptions import UserError, ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    x_sa_id = fields.Many2one(
        "sa.account", string="Service Account", index=True, ondelete="restrict", copy=False
    )
    x_actor_id = fields.Many2one("res.users", string="Actor", index=True, copy=False)
    x_assignment_ids = fields.One2many(
        "sa.customer.assignment", "partner_id", string="Assignment History"
    )
    x_sa_visible = fields.Boolean(
        "Visible by Governance",
        compute="_compute_x_sa_visible",
        search="_search_x_sa_visible",
        help="Whether the current user's memberships let them see this customer.",
    )

    def _compute_x_sa_visible(self):
        visible = set(self.search([("id", "in", self.ids), ("x_sa_visible", "=", True)]).ids)
        for partner in self:
            partner["x_sa_visible"] = partner.id in visible

    @api.model
    def _governance_unrestricted(self) -> bool:
        # not env.su: rule domains are compiled in a superuser environment of the same uid
        # group checks only (cached by the security layer): reading ``user.share`` would cost
        # a statement on every search; a share user is one outside ``base.group_user``
        user = self.env.user
        return bool(
            user.id == SUPERUSER_ID
            or not user.has_group("base.group_user")
            or user.has_group("customer_governance.group_governance_admin")
        )

    @api.model
    def _search_x_sa_visible(self, operator, value):
        return _visibility(self._governance_visible_domain(""), operator, value)

    @api.model
    def _governance_visible_domain(self, prefix: str) -> list:
        """The customers (``prefix`` leads to one from another model, e.g. ``partner_id.``)
        whose governance lets the current user see them: a domain compiled into SQL."""
        if self._governance_unrestricted():
            return [(f"{prefix}id", "!=", False)]
        uid = self.env.uid
        scope = self.env["sa.membership"]._visibility_scope()
        sa_id, actor_id = f"{prefix}x_sa_id", f"{prefix}x_actor_id"
        # plain column conditions (ids of SAs, cached per user): the planner may use the
        # indexes on x_sa_id / x_actor_id, and no join is made per customer
        return [
            "|",
            (sa_id, "=", False),
            "|",
            (sa_id, "in", sorted(scope["all"])),
            "|",
            "&",
            (actor_id, "=", uid),
            (sa_id, "in", sorted(scope["member"])),
            "&",
            (actor_id, "=", False),
            (sa_id, "in", sorted(scope["unassigned"])),
        ]

    @api.constrains("x_sa_id", "x_actor_id")
    def _check_stamps_follow_assignment(self):
        """Stamps mirror the active assignment: a write that contradicts it is refused (use
        assign/reassign); stamps of customers without one are free (the older generation)."""
        assignments = (
            self.env["sa.customer.assignment"]
            .sudo()
            .search(
                [("partner_id", "in", self.ids), ("state", "=", "active")],
                order="date_start desc, id desc",
            )
        )
        latest: dict[int, models.BaseModel] = {}
        for assignment in assignments:
            latest.setdefault(assignment.partner_id.id, assignment)
        for partner in self.sudo():
            current = latest.get(partner.id)
            if current and (partner.x_sa_id, partner.x_actor_id) != (
                current.account_id,
                current.user_id,
            ):
                raise ValidationError(
                    f"The stamps of customer {partner.display_name!r} must equal its active "
                    f"assignment ({current.account_id.complete_name!r}, "
                    f"{current.user_id.login!r}): reassign it instead of writing the stamps."
                )

    def write(self, vals):
        archiving = "active" in vals and not vals["active"]
        result = super().write(vals)
        if archiving:
            assignments = (
                self.env["sa.customer.assignment"]
                .sudo()
                .search([("partner_id", "in", self.ids), ("state", "=", "active")])
            )
            assignments._expire("customer archived")
        return result


def _visibility(domain: list, operator: str, value: object) -> list:
    """``domain`` for ``x_sa_visible = True`` (or ``!= False``), its negation otherwise."""
    if operator not in ("=", "!=") or not isinstance(value, bool):
        raise UserError(
            f"x_sa_visible is searched with = or != and a boolean, not {operator} {value!r}."
        )
    return domain if (operator == "=") == value else ["!", *domain]
