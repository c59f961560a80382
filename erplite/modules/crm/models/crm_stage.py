"""``crm.stage``: the columns of a sales pipeline, shared or specific to one team."""

from __future__ import annotations

from erplite import fields, models


class CrmStage(models.Model):
    """A step of the pipeline. Stages without a team are every team's; a won stage
    (``is_won``) closes the opportunities moved into it."""

    _name = "crm.stage"
    _description = "CRM Stages"
    _rec_name = "name"
    _order = "sequence, name, id"

    name = fields.Char("Stage Name", required=True)
    sequence = fields.Integer("Sequence", default=1, help="Used to order stages. Lower is better.")
    is_won = fields.Boolean("Is Won Stage?")
    fold = fields.Boolean(
        "Folded in Pipeline",
        help="This stage is folded in the kanban view when there are no records in that stage.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        ondelete="set null",
        help="Specific team that uses this stage. Other teams will not be able to see or use it.",
    )
    requirements = fields.Text("Requirements", help="What a salesperson checks before this stage.")
