"""The cron runner: jobs shared by parallel runners without running one twice, a job whose
runner dies run again by another, runners woken by NOTIFY rather than by polling."""

from __future__ import annotations

import datetime
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from erplite import SUPERUSER_ID, api
from erplite.http.databases import Databases
from erplite.scheduler import CronRunner
from erplite.sql import SQL

PAST = datetime.datetime(2020, 1, 1, 12, 0, 0)  # the jobs fixture's nextcall
HOLD_LOCK = 4242  # tests/addons/test_scheduler: slow_run waits while this lock is held


def _runner(registry: Any, **options: Any) -> CronRunner:
    databases = Databases(registry.dsn, registry.addons_paths)
    databases.get(databases.single_name)  # the registry is built before the race starts
    return CronRunner(databases, **options)


def test_four_runners_run_200_jobs_each_exactly_once(cron_registry, jobs, runs, run_counts):
    jobs(200)
    runners = [_runner(cron_registry, threads=2) for _ in range(4)]
    for runner in runners:
        runner.start()
    try:
        announced = runs.wait_for(200, timeout=120)
    finally:
        for runner in runners:
            runner.stop()
    assert len(announced) == 200
    counts = run_counts()
    assert len(counts) == 200 and set(counts.values()) == {1}  # each once, none lost
    assert sum(runner.jobs_run for runner in runners) == 200
    assert sum(1 for runner in runners if runner.jobs_run) >= 2  # the work was shared
    with cron_registry.cursor() as cr:
        cr.execute(SQL("SELECT count(*) FROM ir_cron WHERE nextcall <= %s", PAST))
        assert cr.fetchone()[0] == 0  # every job rescheduled


def _read_line_until(stream: Any, text: str, timeout: float) -> list[str]:
    """Lines of ``stream`` up to one containing ``text`` (or until the timeout)."""
    lines: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not selector.select(deadline - time.monotonic()):
                break
            line = stream.readline()
            if not line:
                break
            lines.append(line)
            if text in line:
                return lines
    finally:
        selector.close()
    raise AssertionError(f"{text!r} not seen in {timeout}s; output:\n{''.join(lines)}")


def test_a_job_whose_runner_is_killed_is_run_again_by_another(
    cron_registry, jobs, runs, run_counts
):
    [job_id] = jobs(1, method="slow_run", prefix="slow")
    holder = cron_registry.cursor()  # keeps the job waiting in the middle of its run
    holder.execute(SQL("SELECT pg_advisory_lock(%s)", HOLD_LOCK))
    environ = {
        **os.environ,
        "ERPLITE_DSN": cron_registry.dsn,
        "ERPLITE_ADDONS_PATH": ",".join(cron_registry.addons_paths),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "erplite.cli.main", "cron", "--max-cron-threads", "1"],
        env=environ,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent,
    )
    try:
        _read_line_until(child.stderr, f"job 'job slow0' ({job_id}) starting", timeout=60)
        child.send_signal(signal.SIGKILL)  # no chance to clean up: PostgreSQL must
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stderr.close()
        holder.execute(SQL("SELECT pg_advisory_unlock(%s)", HOLD_LOCK))
        holder.close()
    assert run_counts() == {}  # the killed run committed nothing
    with cron_registry.cursor() as cr:
        cr.execute(SQL("SELECT nextcall FROM ir_cron WHERE id = %s", job_id))
        assert cr.fetchone()[0] == PAST  # still due: its claim died with the runner
    runner = _runner(cron_registry, threads=1)
    runner.start()
    try:
        assert runs.wait_for(1, timeout=60) == ["slow0"]
    finally:
        runner.stop()
    assert run_counts() == {"slow0": 1}


def test_notify_wakes_a_sleeping_runner(cron_registry, jobs, runs, run_counts):
    far = datetime.datetime(2999, 1, 1)
    [job_id] = jobs(1, prefix="woken", nextcall=far)
    runner = _runner(cron_registry, threads=1, max_sleep=3600)
    runner.start()
    try:
        # the runner looked, found nothing due before 2999, and sleeps (up to an hour)
        assert runner.idle.wait(30)
        with cron_registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(job_id)._trigger()
        assert runs.wait_for(1, timeout=30) == ["woken0"]
    finally:
        runner.stop()
    with cron_registry.cursor() as cr:
        cr.execute(SQL("SELECT nextcall FROM ir_cron WHERE id = %s", job_id))
        assert cr.fetchone()[0] == far  # a triggered run keeps the schedule
        cr.execute(SQL("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", job_id))
        assert cr.fetchone()[0] == 0  # the trigger was honoured and deleted


def test_a_rolled_back_trigger_wakes_nobody_and_runs_nothing(cron_registry, jobs, runs, run_counts):
    [job_id] = jobs(1, prefix="rolled", nextcall=datetime.datetime(2999, 1, 1))
    with cron_registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(job_id)._trigger()
        cr.rollback()
    assert cron_registry["ir.cron"]._run_due(cron_registry) == 0
    assert runs.wait_for(1, timeout=0.5) == []


def test_a_failing_job_is_logged_with_its_traceback_and_blocks_no_other(
    cron_registry, jobs, run_counts, caplog
):
    [broken] = jobs(1, prefix="broken", args='{"unknown": 1}', priority=0)
    jobs(2, prefix="fine", priority=1)
    with caplog.at_level("ERROR"):
        assert cron_registry["ir.cron"]._run_due(cron_registry) == 3
    assert run_counts() == {"fine0": 1, "fine1": 1}
    [record] = [r for r in caplog.records if "failed" in r.getMessage()]
    assert f"job 'job broken0' ({broken}) failed" in record.getMessage()
    assert record.exc_info and "unexpected keyword argument 'unknown'" in str(record.exc_info[1])
    with cron_registry.cursor() as cr:
        cr.execute(
            SQL("SELECT nextcall > now() AT TIME ZONE 'UTC' FROM ir_cron WHERE id = %s", broken)
        )
        assert cr.fetchone()[0] is True  # retried at its next interval, not at once


def test_serve_runs_a_runner_beside_werkzeug_unless_no_cron(cron_registry, jobs, runs):
    from erplite.cli.commands.server import _cron_threads
    from erplite.cli.config import Config

    jobs(1, prefix="served")
    addons = list(cron_registry.addons_paths)
    with _cron_threads(cron_registry.dsn, Config(no_cron=True, addons_path=addons)):
        assert runs.wait_for(1, timeout=1) == []  # --no-cron: nobody runs it
    with _cron_threads(cron_registry.dsn, Config(max_cron_threads=1, addons_path=addons)):
        assert runs.wait_for(1, timeout=60) == ["served0"]
