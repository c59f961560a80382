"""A running ``erplite cron`` across a PostgreSQL restart: the runner survives the outage, runs
the jobs that fall due after the server is back, and listens again for ``NOTIFY`` (a job
triggered after the restart wakes it, though its next scheduled look is minutes away)."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from erplite import SUPERUSER_ID, Registry, api
from erplite.sql import close_pool
from erplite.testing import create_database

pytestmark = pytest.mark.reliability

PAST = datetime.datetime(2020, 1, 1, 12, 0, 0)
FAR = datetime.datetime(2999, 1, 1)
#: seconds PostgreSQL stays down
OUTAGE = 2.0


@pytest.fixture(scope="module")
def cron_registry(cluster: Any, erplite_addons_paths: tuple) -> Iterator[Any]:
    """A database on the suite's own cluster with the counting jobs of ``test_scheduler``."""
    dsn = create_database(cluster.uri, "cron_restart")
    registry = Registry.new(dsn, install=("test_scheduler",), addons_paths=erplite_addons_paths)
    yield registry
    close_pool(dsn)


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` (exceptions count as not yet) until it is true or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except psycopg.OperationalError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.2)


def runs_of(dsn: str, key: str) -> int:
    with psycopg.connect(dsn, connect_timeout=2) as conn:
        row = conn.execute("SELECT count(*) FROM test_cron_run WHERE key = %s", [key]).fetchone()
        return row[0] if row else 0


def make_job(registry: Any, key: str, nextcall: datetime.datetime) -> int:
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        job = env["ir.cron"].create(
            {
                "name": f"job {key}",
                "model_id": env["ir.model"]._get_id("test.cron.run"),
                "method_name": "record_run",
                "args": json.dumps([key]),
                "nextcall": nextcall,
                "interval_type": "days",
                "numbercall": -1,
                "user_id": env.ref("base.user_admin").id,
            }
        )
        return job.id


def trigger(registry: Any, job_id: int) -> None:
    with registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["ir.cron"].browse(job_id)._trigger()


def listeners(dsn: str) -> int:
    """The backends of the database listening for jobs (the runner's LISTEN connection)."""
    with psycopg.connect(dsn, connect_timeout=2) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query = 'LISTEN \"erplite_cron\"' AND pid <> pg_backend_pid()"
        ).fetchone()
        return row[0] if row else 0


def test_cron_runs_jobs_and_listens_again_after_postgres_restarts(
    cluster: Any, cron_registry: Any, erplite_addons_paths: tuple, tmp_path: Path, figures: Any
) -> None:
    cron_dsn = cron_registry.dsn
    log = tmp_path / "cron.log"
    environ = {
        **os.environ,
        "ERPLITE_DSN": cron_dsn,
        "ERPLITE_ADDONS_PATH": ",".join(erplite_addons_paths),
    }
    with log.open("w") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "erplite.cli.main", "cron", "--max-cron-threads", "1"],
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        make_job(cron_registry, "before", PAST)
        wait_until(lambda: runs_of(cron_dsn, "before") == 1, 60, "the job due before the restart")
        wait_until(lambda: listeners(cron_dsn) == 1, 30, "the runner listening")

        cluster.stop("fast")  # the runner's connections break, the job's and the LISTEN one
        time.sleep(OUTAGE)
        cluster.start()
        back = time.monotonic()
        assert child.poll() is None, log.read_text()  # the runner outlived the outage

        # a job due after the restart is run
        make_job(cron_registry, "after", PAST)
        wait_until(lambda: runs_of(cron_dsn, "after") == 1, 60, "the job due after the restart")
        ran_after = time.monotonic() - back
        # the runner listens again: a job triggered now (scheduled for 2999) wakes it
        wait_until(lambda: listeners(cron_dsn) == 1, 60, "the runner listening again")
        relistened = time.monotonic() - back
        woken = make_job(cron_registry, "woken", FAR)
        trigger(cron_registry, woken)
        wait_until(lambda: runs_of(cron_dsn, "woken") == 1, 60, "the triggered job")
        assert child.poll() is None, log.read_text()
        assert (runs_of(cron_dsn, "before"), runs_of(cron_dsn, "after")) == (1, 1)  # once each
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=30)
        if not cluster.running():
            cluster.start()
    text = log.read_text()
    # an outage is a warning (a job it interrupted fails, logged, and runs again), never the
    # waker's last resort for surprises
    assert "unexpected error" not in text, text
    # back within seconds: the runner looks again 1, 2, 4... s after losing the server, not
    # only every 30 s (generous bounds for a busy machine; about 1 s on a quiet one)
    assert ran_after < 15, text
    assert relistened < 20, text
    figures(job_run_after_restart_s=round(ran_after, 2), listening_again_s=round(relistened, 2))
