"""The cron runner behind a transaction-mode pooler: it listens over the direct DSN, and with
none it polls (a triggered job still runs, within ``POLL_SLEEP`` seconds)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import psycopg
import pytest

from erplite import SUPERUSER_ID, api, pooler
from erplite.http.databases import Databases
from erplite.scheduler import CronRunner
from erplite.scheduler import runner as runner_module


@pytest.fixture
def pooler_setting() -> Iterator[None]:
    """Restores the process's pooler setting after the test."""
    saved = pooler.settings()
    yield
    pooler.configure(saved.mode, saved.direct_dsn)


def _runner(registry, **options) -> CronRunner:
    databases = Databases(registry.dsn, registry.addons_paths)
    databases.get(databases.single_name)
    return CronRunner(databases, **options)


def test_behind_a_pooler_it_listens_over_the_direct_dsn(cron_registry, pooler_setting):
    pooler.configure("transaction", direct_dsn="host=direct.example port=5433 user=erp")
    runner = _runner(cron_registry, threads=1)
    name = runner.databases.single_name
    listening = runner._listening_dsns([name])
    assert list(listening) == [name]
    assert psycopg.conninfo.conninfo_to_dict(listening[name]) == {
        "host": "direct.example",
        "port": "5433",
        "user": "erp",
        "dbname": name,
    }


def test_without_a_direct_dsn_it_polls_and_still_runs_a_triggered_job(
    cron_registry, jobs, runs, run_counts, pooler_setting, monkeypatch
):
    pooler.configure("transaction")  # no direct DSN: no session to LISTEN on
    monkeypatch.setattr(runner_module, "POLL_SLEEP", 0.5)
    [job_id] = jobs(1, prefix="polled", nextcall=datetime.datetime(2999, 1, 1))
    runner = _runner(cron_registry, threads=1, max_sleep=3600)
    runner.start()
    try:
        assert runner.idle.wait(30)
        assert runner.wakeup.listening() == []
        with cron_registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(job_id)._trigger()
        # no NOTIFY reaches it: the next poll, not the hour-long sleep, finds the job
        assert runs.wait_for(1, timeout=30) == ["polled0"]
    finally:
        runner.stop()
    assert run_counts() == {"polled0": 1}
