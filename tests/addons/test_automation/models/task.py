"""Tasks on which automation rules fire, and notes that rules create."""

from __future__ import annotations

from erplite import api, fields, models
from erplite.exceptions import UserError


class TestAutomationStage(models.Model):
    _name = "test.automation.stage"
    _description = "Stage"

    name = fields.Char(required=True)


class TestAutomationTask(models.Model):
    _name = "test.automation.task"
    _description = "Task"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [("draft", "Draft"), ("open", "Open"), ("done", "Done")], default="draft"
    )
    priority = fields.Selection([("0", "Normal"), ("1", "High")], default="0")
    stage_id = fields.Many2one("test.automation.stage")
    user_id = fields.Many2one("res.users")
    deadline = fields.Datetime()
    due_date = fields.Date()
    counter = fields.Integer()
    note = fields.Char()
    line_ids = fields.One2many("test.automation.line", "task_id")
    total = fields.Integer(compute="_compute_total", store=True)

    @api.depends("line_ids.amount")
    def _compute_total(self):
        for task in self:
            task.total = sum(task.line_ids.mapped("amount"))

    @api.model_create_multi
    def create(self, vals_list):
        tasks = super().create(vals_list)
        # the total computed inside create, as mail.thread computes a tracked total there
        tasks.mapped("total")
        return tasks

    def action_bump(self, step: int = 1) -> bool:
        """A declared public method for ``method`` server actions: count up."""
        for task in self:
            task.counter += step
        return True

    def action_note_call(self) -> bool:
        """Note the records of the call and the context's ``active_ids`` (one note a call)."""
        self.env["test.automation.note"].sudo().create(
            {"name": f"self={sorted(self.ids)} active_ids={self.env.context.get('active_ids')}"}
        )
        return True

    def action_add_line(self, amount: int = 1) -> bool:
        """Add a line of ``amount`` to each task (its stored total changes)."""
        self.env["test.automation.line"].create(
            [{"task_id": task.id, "amount": amount} for task in self]
        )
        return True

    def action_bump_unless_broken(self) -> bool:
        """Count up, refusing (an error) for the tasks named ``broken``."""
        for task in self:
            if task.name == "broken":
                raise UserError(f"task {task.id} is broken")
            task.counter += 1
        return True

    @api.model
    def record_payload(self) -> bool:
        """Store the payload of an incoming webhook as a note."""
        payload = self.env.context.get("payload") or {}
        self.env["test.automation.note"].sudo().create({"name": repr(sorted(payload.items()))})
        return True


class TestAutomationNote(models.Model):
    _name = "test.automation.note"
    _description = "Note made by a rule"

    name = fields.Char()
    task_id = fields.Many2one("test.automation.task")


class TestAutomationLine(models.Model):
    _name = "test.automation.line"
    _description = "Line of a task (its amounts make the task's stored total)"

    task_id = fields.Many2one("test.automation.task", ondelete="cascade")
    amount = fields.Integer()
    doubled = fields.Integer(compute="_compute_doubled", store=True)

    @api.depends("amount")
    def _compute_doubled(self):
        for line in self:
            line.doubled = 2 * line.amount
