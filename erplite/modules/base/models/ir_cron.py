"""``ir.cron``: scheduled jobs, run by any number of worker processes.

A job calls one public method of one model: ``model_id`` + ``method_name`` + ``args`` (a JSON
list of positional arguments, or a JSON object of keyword arguments). Unlike Odoo there is no
Python code to evaluate: the job is data, the behaviour is the model's method.

Scheduling follows Odoo 17: a job is due when it is active, ``numbercall`` is not 0 (``-1``:
forever) and ``nextcall`` has passed; running it advances ``nextcall`` by ``interval_number``
``interval_type`` until it is in the future, runs the method once (once per missed interval
with ``doall``), counts ``numbercall`` down and deactivates the job when it reaches 0.

:meth:`IrCron._run_due` is what a worker calls, as often as it likes, from as many processes as
it likes: each job is claimed with ``SELECT ... FOR NO KEY UPDATE SKIP LOCKED`` in a transaction
that holds the claim while the job runs, so a job runs once however many workers poll. The
method runs in a transaction of its own, as the job's user (not as superuser): a failure is
logged and rolled back, and the job is still rescheduled.

Early runs (Odoo 17's ``ir.cron.trigger``): ``job._trigger(at)`` records that the job must run at
``at`` (default now) whatever its ``nextcall``; a job claimed for a trigger runs once and keeps
its ``nextcall`` unless that is due too. Triggers, and every change of a job, send a PostgreSQL
``NOTIFY`` on channel :data:`CRON_CHANNEL` (payload: the database name) when the transaction
commits, so that runners (``erplite.scheduler``) wake at once instead of polling; a rolled-back
transaction wakes nobody. :meth:`IrCron._next_wakeup` tells a runner when to look again.

Worked example::

    env["ir.cron"].create({"name": "Purge", "model_id": env["ir.model"]._get_id("res.partner"),
                           "method_name": "action_archive", "args": "[]",
                           "interval_number": 1, "interval_type": "days", "numbercall": -1})
    env["ir.cron"]._run_due(env)      # from a worker loop: runs what is due, returns a count
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from typing import Any

import psycopg
from dateutil.relativedelta import relativedelta

from erplite import api, fields, models
from erplite.exceptions import UserError, ValidationError
from erplite.sql import SQL

_logger = logging.getLogger(__name__)

INTERVALS = {
    "minutes": lambda n: relativedelta(minutes=n),
    "hours": lambda n: relativedelta(hours=n),
    "days": lambda n: relativedelta(days=n),
    "weeks": lambda n: relativedelta(days=7 * n),
    "months": lambda n: relativedelta(months=n),
}

_PUBLIC_METHOD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

#: The PostgreSQL channel runners LISTEN on; a NOTIFY's payload is the database name.
CRON_CHANNEL = "erplite_cron"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_args(text: str | None) -> tuple[list, dict]:
    """``(args, kwargs)`` of a job's ``args`` JSON; ``ValueError`` if it is neither a list nor
    an object."""
    value = json.loads(text) if text and text.strip() else []
    if isinstance(value, list):
        return value, {}
    if isinstance(value, dict):
        return [], value
    raise ValueError("args must be a JSON list (positional) or a JSON object (keyword arguments)")


class IrCronTrigger(models.Model):
    """A moment at which a job must run, whatever its ``nextcall`` (Odoo 17's model); made by
    :meth:`IrCron._trigger`, deleted by the run that honours it."""

    _name = "ir.cron.trigger"
    _description = "Triggered actions"
    _order = "call_at, id"

    cron_id = fields.Many2one("ir.cron", required=True, ondelete="cascade", index=True)
    call_at = fields.Datetime(required=True, index=True)


class IrCron(models.Model):
    _name = "ir.cron"
    _description = "Scheduled Actions"
    _order = "priority, name, id"

    name = fields.Char(required=True)
    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, ondelete="cascade", index=True
    )
    model_name = fields.Char(related="model_id.model", string="Model Name")
    method_name = fields.Char("Method", required=True, help="A public method of the model")
    args = fields.Text(
        "Arguments",
        default="[]",
        help="JSON: a list of positional arguments or an object of keyword arguments",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Scheduler User",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.user,
    )
    active = fields.Boolean(default=True)
    interval_number = fields.Integer(default=1, required=True, help="Repeat every x.")
    interval_type = fields.Selection(
        [
            ("minutes", "Minutes"),
            ("hours", "Hours"),
            ("days", "Days"),
            ("weeks", "Weeks"),
            ("months", "Months"),
        ],
        string="Interval Unit",
        default="months",
        required=True,
    )
    numbercall = fields.Integer(
        "Number of Calls", default=1, help="How many times the job runs; a negative number: forever"
    )
    doall = fields.Boolean("Repeat Missed", help="Run once per missed interval after a downtime")
    nextcall = fields.Datetime("Next Execution Date", required=True, default=fields.Datetime.now)
    lastcall = fields.Datetime("Last Execution Date", readonly=True)
    priority = fields.Integer(default=5, help="Due jobs run by increasing priority (0 first)")

    _sql_constraints = [
        (
            "check_strictly_positive_interval",
            "CHECK (interval_number > 0)",
            "The interval number must be a strictly positive number.",
        ),
    ]

    @api.constrains("method_name", "model_id", "args")
    def _check_method(self):
        for job in self:
            if not _PUBLIC_METHOD.match(job.method_name or ""):
                raise ValidationError(
                    f"Scheduled action {job.name!r}: {job.method_name!r} is not a public method name"
                )
            model_name = job.model_id.model
            if model_name in self.env and not callable(
                getattr(self.env[model_name], job.method_name, None)
            ):
                raise ValidationError(
                    f"Scheduled action {job.name!r}: model {model_name!r} has no method {job.method_name!r}"
                )
            try:
                parse_args(job.args)
            except ValueError as error:
                raise ValidationError(
                    f"Scheduled action {job.name!r}: invalid args: {error}"
                ) from None

    # -- locking: a job being run cannot be changed -------------------------------------------
    def _try_lock(self) -> None:
        """Raise ``UserError`` if a worker is running one of these jobs right now."""
        if not self._ids:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM ir_cron WHERE id = ANY(%s) FOR NO KEY UPDATE NOWAIT",
                        list(self._ids),
                    ),
                    flush=False,
                )
        except psycopg.errors.LockNotAvailable:
            raise UserError(
                "Record cannot be modified right now: this scheduled action is being run "
                "and may not be modified"
            ) from None

    @api.model_create_multi
    def create(self, vals_list):
        jobs = super().create(vals_list)
        self._notify_runners()
        return jobs

    def write(self, vals):
        self._try_lock()
        result = super().write(vals)
        self._notify_runners()
        return result

    def unlink(self):
        self._try_lock()
        return super().unlink()

    # -- early runs and wake-ups ---------------------------------------------------------------
    def _trigger(self, at: Any = None) -> Any:
        """Run these jobs at ``at`` (a naive UTC datetime, a list of them, or None: now), even if
        their ``nextcall`` is later; return the ``ir.cron.trigger`` records made. Runners are
        woken when the transaction commits (nothing happens if it rolls back)."""
        if at is None:
            moments = [_utcnow()]
        elif isinstance(at, (list, tuple, set)):
            moments = sorted(at)
        else:
            moments = [at]
        triggers = (
            self.env["ir.cron.trigger"]
            .sudo()
            .create([{"cron_id": job.id, "call_at": moment} for job in self for moment in moments])
        )
        self._notify_runners()
        return triggers

    def _notify_runners(self) -> None:
        """Wake the runners of this database once the transaction commits (PostgreSQL delivers
        a NOTIFY at commit and drops it on rollback; several in one transaction are one)."""
        self.env.cr.execute(
            SQL("SELECT pg_notify(%s, %s)", CRON_CHANNEL, self.env.cr.dbname), flush=False
        )

    @classmethod
    def _next_wakeup(cls, cr: Any) -> datetime.datetime | None:
        """When a job is due next (its ``nextcall`` or a trigger), None if no job is active."""
        cr.execute(
            SQL(
                "SELECT LEAST("
                " (SELECT min(nextcall) FROM ir_cron WHERE active AND numbercall != 0),"
                " (SELECT min(t.call_at) FROM ir_cron_trigger t JOIN ir_cron c ON c.id = t.cron_id"
                "  WHERE c.active AND c.numbercall != 0))"
            ),
            flush=False,
        )
        row = cr.fetchone()
        return row[0] if row else None

    # -- running ------------------------------------------------------------------------------
    def method_direct_trigger(self) -> bool:
        """Run these jobs now, in the current transaction, each as its user (``nextcall`` is
        not changed)."""
        self.check_access_rights("write")
        for job in self:
            job._try_lock()
            args, kwargs = parse_args(job.args)
            model = (
                self.env[job.model_id.model]
                .with_user(job.user_id)
                .with_context(lastcall=job.lastcall)
            )
            getattr(model, job.method_name)(*args, **kwargs)
            job.lastcall = fields.Datetime.now()
        return True

    @classmethod
    def _run_due(cls, env: Any, limit: int | None = None) -> int:
        """Run the jobs due now, each claimed by this process alone; return how many ran.

        ``env`` is any environment (or the registry) of the database: only its registry is
        used, every job gets transactions of its own. ``limit`` bounds the number of jobs.
        """
        registry = getattr(env, "registry", env)
        count = 0
        while limit is None or count < limit:
            try:
                with registry.cursor() as lock_cr:
                    job = cls._claim_one(lock_cr)
                    if job is None:
                        return count
                    cls._process_job(registry, lock_cr, job)
            except psycopg.errors.SerializationFailure:
                # another worker ran this job since our snapshot: look again
                continue
            count += 1
        return count

    @classmethod
    def _claim_one(cls, cr: Any) -> dict | None:
        """Lock the first due job (its ``nextcall`` passed, or a trigger) no one else holds;
        ``None`` if there is none."""
        now = _utcnow()
        cr.execute(
            SQL(
                "SELECT c.id, c.name, c.user_id, c.method_name, c.args, c.interval_number, c.interval_type, "
                "       c.numbercall, c.doall, c.nextcall, c.lastcall, m.model "
                "FROM ir_cron c JOIN ir_model m ON m.id = c.model_id "
                "WHERE c.active AND c.numbercall != 0 AND (c.nextcall <= %s OR EXISTS("
                "  SELECT 1 FROM ir_cron_trigger t WHERE t.cron_id = c.id AND t.call_at <= %s)) "
                "ORDER BY c.priority, c.nextcall, c.id LIMIT 1 "
                "FOR NO KEY UPDATE OF c SKIP LOCKED",
                now,
                now,
            ),
            flush=False,
        )
        job = cr.dictfetchone()
        if job is not None:
            job["claimed_at"] = now
        return job

    @classmethod
    def _process_job(cls, registry: Any, lock_cr: Any, job: dict) -> None:
        """Run ``job`` (locked by ``lock_cr``) as many times as due, then reschedule it."""
        now = _utcnow()
        interval = INTERVALS[job["interval_type"]](job["interval_number"])
        nextcall = job["nextcall"]
        numbercall = job["numbercall"]
        ran = False
        while nextcall <= now and numbercall:
            if numbercall > 0:
                numbercall -= 1
            if not ran or job["doall"]:
                cls._callback(registry, job)
            if numbercall:
                nextcall += interval
            ran = True
        if not ran:
            # claimed for a trigger before its nextcall: one run, the schedule is unchanged
            if numbercall > 0:
                numbercall -= 1
            cls._callback(registry, job)
        # the triggers this claim saw (the claim's snapshot: one committed since is kept)
        lock_cr.execute(
            SQL(
                "DELETE FROM ir_cron_trigger WHERE cron_id = %s AND call_at <= %s",
                job["id"],
                job.get("claimed_at", now),
            ),
            flush=False,
        )
        lock_cr.execute(
            SQL(
                "UPDATE ir_cron SET nextcall = %s, numbercall = %s, lastcall = %s, "
                "active = active AND %s != 0, write_date = %s WHERE id = %s",
                nextcall,
                numbercall,
                now,
                numbercall,
                now,
                job["id"],
            ),
            flush=False,
        )

    @classmethod
    def _callback(cls, registry: Any, job: dict) -> None:
        """Call the job's method in a transaction of its own, as the job's user."""
        from erplite import api

        _logger.info("job %r (%s) starting", job["name"], job["id"])
        start = datetime.datetime.now()
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, job["user_id"], {"lastcall": job["lastcall"]})
                if job["model"] not in env:
                    raise ValueError(f"model {job['model']!r} is not installed")
                if not _PUBLIC_METHOD.match(job["method_name"] or ""):
                    raise ValueError(f"{job['method_name']!r} is not a public method name")
                args, kwargs = parse_args(job["args"])
                getattr(env[job["model"]], job["method_name"])(*args, **kwargs)
        except Exception:
            _logger.exception(
                "job %r (%s) failed; its changes were rolled back", job["name"], job["id"]
            )
        else:
            _logger.info(
                "job %r (%s) done in %.3fs",
                job["name"],
                job["id"],
                (datetime.datetime.now() - start).total_seconds(),
            )
