"""``crm.lead``: leads and opportunities, their fields, defaults and the probability rules.

The steps of the pipeline and the states they go between (:data:`TRANSITIONS`; any other step
raises :class:`PipelineError`, a ``UserError`` naming both states)::

    lead ──convert──► open ──(won stage / action_set_won)──► won
     │                 │ ▲                                   │
     └──action_set_lost┴─┼──► lost ──action_restore──► lead or open (by type)
                         └── move to another stage ◄─────────┘

A lead is created in its salesperson's team and in the first open stage of that team's pipeline.
Its ``automated_probability`` follows the stage: the open stages of the team's pipeline share
the range 0-100 evenly in their order (with New, Qualified, Proposition and Won: 25, 50, 75 and
100), a won stage is 100 and a lost lead 0. ``probability`` follows ``automated_probability``
until someone sets it by hand (``is_automated_probability`` tells which); ``prorated_revenue``
is ``expected_revenue`` weighted by it.

Moving a lead to another stage stamps ``date_last_stage_update``; a won stage also sets the
probability to 100 and ``date_closed``. The pipeline's steps (convert, won, lost, restore,
merge) are in :mod:`.crm_lead_pipeline`.
"""

from __future__ import annotations

from typing import Any

from erplite import api, fields, models
from erplite.exceptions import UserError

PRIORITIES = [
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Very High"),
]

STATE_LABELS = {
    "lead": "Lead",
    "open": "Open opportunity",
    "won": "Won",
    "lost": "Lost",
    "archived": "Archived",
}

#: step -> (states the step starts from, state it leads to; None: lead or open, by type)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "convert": (("lead",), "open"),
    "move": (("lead", "open", "won"), None),
    "won": (("lead", "open"), "won"),
    "lost": (("lead", "open"), "lost"),
    "restore": (("lost", "archived"), None),
}


class PipelineError(UserError):
    """A step of the pipeline refused because of a lead's state; it names both states."""


class CrmLead(models.Model):
    """A lead (``type`` ``lead``: not yet qualified) or an opportunity (``opportunity``)."""

    _name = "crm.lead"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Lead/Opportunity"
    _order = "priority desc, id desc"
    _check_company_auto = True

    name = fields.Char("Opportunity", required=True, index=True)
    type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")],
        string="Type",
        required=True,
        index=True,
        default="opportunity",
    )
    active = fields.Boolean("Active", default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", index=True, check_company=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", string="Company", index=True, default=lambda self: self.env.company
    )
    company_currency = fields.Many2one(
        "res.currency", string="Currency", related="company_id.currency_id", readonly=True
    )
    stage_id = fields.Many2one(
        "crm.stage",
        string="Stage",
        index=True,
        tracking=True,
        ondelete="restrict",
        copy=False,
        domain="['|', ('team_id', '=', False), ('team_id', '=', team_id)]",
        group_expand="_read_group_stage_ids",
    )
    tag_ids = fields.Many2many(
        "crm.tag", "crm_tag_rel", "lead_id", "tag_id", string="Tags", help="Classify and analyze"
    )
    priority = fields.Selection(PRIORITIES, string="Priority", index=True, default="0")
    color = fields.Integer("Color Index", default=0)
    description = fields.Html("Notes")

    # customer
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, check_company=True, tracking=True
    )
    partner_name = fields.Char("Company Name", help="The company of a lead without a customer")
    contact_name = fields.Char("Contact Name")
    email_from = fields.Char("Email", index=True)
    phone = fields.Char("Phone")

    # revenue and probability
    expected_revenue = fields.Monetary(
        "Expected Revenue", currency_field="company_currency", tracking=True
    )
    probability = fields.Float("Probability", group_operator="avg", copy=False, default=0.0)
    automated_probability = fields.Float("Automated Probability", readonly=True, copy=False)
    is_automated_probability = fields.Boolean(
        "Is automated probability?", compute="_compute_is_automated_probability"
    )
    prorated_revenue = fields.Monetary(
        "Prorated Revenue",
        currency_field="company_currency",
        compute="_compute_prorated_revenue",
        store=True,
    )

    # dates
    date_deadline = fields.Date("Expected Closing")
    date_closed = fields.Datetime("Closed Date", readonly=True, copy=False)
    date_conversion = fields.Datetime("Conversion Date", readonly=True, copy=False)
    date_last_stage_update = fields.Datetime(
        "Last Stage Update", index=True, readonly=True, copy=False
    )
    lost_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Lost Reason",
        index=True,
        ondelete="restrict",
        copy=False,
        tracking=True,
    )
    won_status = fields.Selection(
        [("won", "Won"), ("lost", "Lost"), ("pending", "Pending")],
        string="Is Won",
        compute="_compute_won_status",
        store=True,
    )

    @api.depends("expected_revenue", "probability")
    def _compute_prorated_revenue(self) -> None:
        lead: Any
        for lead in self:
            lead.prorated_revenue = round(
                (lead.expected_revenue or 0.0) * lead.probability / 100, 2
            )

    @api.depends("probability", "automated_probability")
    def _compute_is_automated_probability(self) -> None:
        lead: Any
        for lead in self:
            lead.is_automated_probability = round(lead.probability, 2) == round(
                lead.automated_probability, 2
            )

    @api.depends("active", "probability", "stage_id.is_won")
    def _compute_won_status(self) -> None:
        lead: Any
        for lead in self:
            if lead.active and lead.stage_id.is_won:
                lead.won_status = "won"
            elif not lead.active and not lead.probability:
                lead.won_status = "lost"
            else:
                lead.won_status = "pending"

    # -- stages and probabilities ---------------------------------------------------------------

    def _stage_find(self, team_id: int | bool = False, domain: list | None = None) -> Any:
        """The first stage (by sequence) of team ``team_id``'s pipeline (the shared stages and
        the team's own) that satisfies ``domain``, as Odoo 17's ``_stage_find``."""
        team_domain: list = [("team_id", "=", False)]
        if team_id:
            team_domain = ["|", ("team_id", "=", False), ("team_id", "=", team_id)]
        return self.env["crm.stage"].search([*team_domain, *(domain or [])], limit=1)

    def _stage_probabilities(self, team_id: int | bool) -> dict[int, float]:
        """``{stage id: automated probability}`` for the pipeline of team ``team_id``: its
        open stages share 0-100 evenly in their order, its won stages are 100."""
        stages = self.env["crm.stage"].search(
            [("team_id", "=", False)]
            if not team_id
            else ["|", ("team_id", "=", False), ("team_id", "=", team_id)]
        )
        open_stages = [stage for stage in stages if not stage.is_won]
        probabilities = {
            stage.id: round(100.0 * (index + 1) / (len(open_stages) + 1), 2)
            for index, stage in enumerate(open_stages)
        }
        probabilities.update({stage.id: 100.0 for stage in stages if stage.is_won})
        return probabilities

    def _automated_probabilities(self) -> dict[int, float]:
        """``{lead id: automated probability}`` of the leads of ``self`` (one search of the
        stages per team)."""
        by_team: dict[int | bool, dict[int, float]] = {}
        result: dict[int, float] = {}
        for lead in self:
            if not lead.active and not lead.probability:
                result[lead.id] = 0.0
                continue
            team_key = lead.team_id.id or False
            if team_key not in by_team:
                by_team[team_key] = self._stage_probabilities(team_key)
            result[lead.id] = by_team[team_key].get(lead.stage_id.id, 0.0)
        return result

    def _update_automated_probabilities(self, follow: Any = None) -> None:
        """Recompute ``automated_probability`` of ``self``; the leads of ``follow`` (whose
        probability was automated before the change) take it as their probability. One write
        per distinct value."""
        follow_ids = set(follow.ids) if follow is not None else set(self.ids)
        batches: dict[tuple[float, bool], list[int]] = {}
        for lead_id, value in self._automated_probabilities().items():
            batches.setdefault((value, lead_id in follow_ids), []).append(lead_id)
        for (value, follows), ids in batches.items():
            values: dict[str, Any] = {"automated_probability": value}
            if follows:
                values["probability"] = value
            records: Any = self.browse(ids)
            super(CrmLead, records).write(values)

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list: Any) -> Any:
        """Each new lead gets its salesperson's team, the first open stage of that team's
        pipeline, its stage's automated probability (unless a probability is given) and the
        date of its stage."""
        now = fields.Datetime.now()
        teams = self.env["crm.team"]
        for vals in vals_list:
            user_id = vals.get("user_id", self.env.uid if "user_id" not in vals else False)
            if "team_id" not in vals and user_id:
                vals["team_id"] = teams._get_default_team_id(user_id).id or False
            if not vals.get("stage_id"):
                vals["stage_id"] = (
                    self._stage_find(vals.get("team_id") or False, [("fold", "=", False)]).id
                    or False
                )
            vals.setdefault("date_last_stage_update", now)
        leads = super().create(vals_list)
        automated = self.browse(
            [lead.id for lead, vals in zip(leads, vals_list) if "probability" not in vals]
        )
        leads._update_automated_probabilities(follow=automated)
        won: Any = leads.filtered(lambda lead: lead.stage_id.is_won and lead.active)
        if won:
            super(CrmLead, won).write({"probability": 100.0, "date_closed": now})
        return leads

    def write(self, vals: dict) -> bool:
        """A change of stage stamps ``date_last_stage_update``; a won stage sets probability 100
        and ``date_closed``, another stage clears ``date_closed``. A change of stage or team
        updates the automated probability, and the probability of the leads that followed it.
        A lost lead cannot change stage (restore it first)."""
        if "stage_id" in vals and not vals.get("active"):
            self._check_transition("move")
        follow = self.browse()
        if ("stage_id" in vals or "team_id" in vals) and "probability" not in vals:
            follow = self.filtered(lambda lead: lead.active and lead.is_automated_probability)
        if "stage_id" in vals:
            vals = dict(vals, date_last_stage_update=fields.Datetime.now())
            # a record assigned to the field arrives as itself, a write's value as an id
            stage_value = vals["stage_id"]
            stage = self.env["crm.stage"].browse(getattr(stage_value, "id", stage_value) or [])
            if stage.is_won:
                vals.update(probability=100.0, automated_probability=100.0)
                vals["date_closed"] = fields.Datetime.now()
            else:
                vals["date_closed"] = False
        result = super().write(vals)
        if ("stage_id" in vals or "team_id" in vals) and "automated_probability" not in vals:
            self._update_automated_probabilities(follow=follow)
        return result

    # -- the pipeline's columns -------------------------------------------------------------------

    @api.model
    def _read_group_stage_ids(self, stages, domain, order):
        """Every column of the pipeline (``group_expand`` of ``stage_id``, as Odoo 17): the
        stages holding leads, the shared stages and those of the context's
        ``default_team_id``, read as superuser (a stage is the pipeline's data)."""
        team_id = self.env.context.get("default_team_id")
        shared: list[Any] = [("team_id", "=", False)]
        if team_id:
            shared = ["|", ("team_id", "=", False), ("team_id", "=", team_id)]
        found = stages.sudo().search(["|", ("id", "in", stages.ids), *shared], order=order)
        return stages.browse(found.ids)

    # -- states of the pipeline ------------------------------------------------------------------

    def _pipeline_state(self) -> str:
        """Where the lead stands: ``lead``, ``open`` (an opportunity in progress), ``won``,
        ``lost`` (archived with probability 0) or ``archived``."""
        self.ensure_one()
        if not self.active:
            return "lost" if not self.probability else "archived"
        if self.stage_id.is_won:
            return "won"
        return "lead" if self.type == "lead" else "open"

    def _check_transition(self, step: str) -> None:
        """Refuse ``step`` (a key of :data:`TRANSITIONS`) with a :class:`PipelineError` naming
        both states if a lead of ``self`` is not in one of the states it starts from."""
        sources, target = TRANSITIONS[step]
        for lead in self:
            state = lead._pipeline_state()
            if state not in sources:
                goal = target or ("lead" if lead.type == "lead" else "open")
                raise PipelineError(
                    f"{lead.name!r} cannot go from {STATE_LABELS[state]} to "
                    f"{STATE_LABELS[goal]} ({step}): only "
                    f"{' or '.join(STATE_LABELS[source] for source in sources)} records can."
                )
