"""Sales teams (``crm.team``): a leader and members, per company, as Odoo 17's sales_team."""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import ValidationError


class CrmTeam(models.Model):
    """A sales team. Its leader (``user_id``) sees the team's documents in the modules built on
    it (a CRM rule); its members are the salespeople the team assigns work to."""

    _name = "crm.team"
    _description = "Sales Team"
    _order = "sequence ASC, create_date DESC, id DESC"
    _check_company_auto = True

    name = fields.Char("Sales Team", required=True)
    sequence = fields.Integer("Sequence", default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency", string="Currency", related="company_id.currency_id", readonly=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        check_company=True,
        domain=[("share", "=", False)],
    )
    member_ids = fields.Many2many(
        "res.users",
        "crm_team_member_rel",
        "team_id",
        "user_id",
        string="Salespersons",
        check_company=True,
        domain=[("share", "=", False)],
    )
    color = fields.Integer("Color Index")

    @api.constrains("user_id", "member_ids", "company_id")
    def _check_member_company(self) -> None:
        """A team of a company has only users allowed in that company (Odoo 17's check on
        ``crm.team.member``)."""
        for team in self:
            if not team.company_id:
                continue
            users: Any = team.user_id | team.member_ids
            company = team.company_id
            strangers = users.filtered(
                lambda user, company=company: company not in user.company_ids
            )
            if strangers:
                raise ValidationError(
                    f"Team {team.name!r} belongs to {team.company_id.name!r}, which "
                    f"{strangers[0].name!r} may not access."
                )

    def _get_default_team_id(self, user_id: int | None = None) -> Any:
        """The team of ``user_id`` (the current user by default): the first team they lead or
        belong to in the current company, else the first team of that company."""
        user = self.env["res.users"].browse(user_id or self.env.uid)
        company_domain = ["|", ("company_id", "=", False), ("company_id", "=", self.env.company.id)]
        team = self.search(
            [*company_domain, "|", ("user_id", "=", user.id), ("member_ids", "in", [user.id])],
            limit=1,
        )
        return team or self.search(company_domain, limit=1)
