"""``test.cron.run``: one row per run of a job, and a ``NOTIFY test_cron_run`` at its commit,
so that tests count runs in a table and wait for them without polling."""

from __future__ import annotations

from erplite import api, fields, models
from erplite.sql import SQL

CHANNEL = "test_cron_run"

#: The advisory lock a slow run waits for (a test holds it to keep a job running).
HOLD_LOCK = 4242


class TestCronRun(models.Model):
    _name = "test.cron.run"
    _description = "A run of a test job"

    key = fields.Char(required=True, index=True)

    @api.model
    def record_run(self, key: str) -> bool:
        """Count a run of the job ``key`` (one row), announced at commit."""
        self.create({"key": key})
        self.env.cr.execute(SQL("SELECT pg_notify(%s, %s)", CHANNEL, key), flush=False)
        return True

    @api.model
    def slow_run(self, key: str) -> bool:
        """Wait while a test holds the advisory lock :data:`HOLD_LOCK`, then count the run."""
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock_shared(%s)", HOLD_LOCK), flush=False)
        return self.record_run(key)
