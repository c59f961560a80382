"""Fixtures of the scheduler's tests: a database of their own with the counting jobs of
``tests/addons/test_scheduler`` (the runners commit), and a listener of their runs."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from erplite import SUPERUSER_ID, Registry, api, pooler
from erplite.sql import SQL, dbname_of
from erplite.testing import create_database, drop_database

PAST = datetime.datetime(2020, 1, 1, 12, 0, 0)
RUN_CHANNEL = "test_cron_run"


@pytest.fixture(scope="module")
def cron_registry(
    erplite_server: str, erplite_template: tuple[str, Any], erplite_addons_paths: tuple
) -> Iterator[Any]:
    """A copy of the template database with ``test_scheduler`` installed."""
    name = f"erplite_s_{uuid.uuid4().hex[:12]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    try:
        yield Registry.new(dsn, install=("test_scheduler",), addons_paths=erplite_addons_paths)
    finally:
        drop_database(erplite_server, name)


@pytest.fixture
def jobs(cron_registry: Any) -> Iterator[Callable[..., list[int]]]:
    """``jobs(count, method=..., **values)`` commits ``count`` due jobs calling
    ``test.cron.run.<method>(key)`` (keys ``k0``, ``k1``, ...) and returns their ids. Every job
    and run is deleted before and after the test."""

    def clear() -> None:
        with cron_registry.cursor() as cr:
            cr.execute(SQL("DELETE FROM ir_cron"))
            cr.execute(SQL("DELETE FROM test_cron_run"))

    def make(count: int, method: str = "record_run", prefix: str = "k", **values: Any) -> list[int]:
        with cron_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            model_id = env["ir.model"]._get_id("test.cron.run")
            admin = env.ref("base.user_admin").id
            vals_list = [
                {
                    "name": f"job {prefix}{i}",
                    "model_id": model_id,
                    "method_name": method,
                    "args": json.dumps([f"{prefix}{i}"]),
                    "nextcall": PAST,
                    "interval_type": "days",
                    "numbercall": -1,
                    "user_id": admin,
                    **values,
                }
                for i in range(count)
            ]
            return env["ir.cron"].create(vals_list).ids

    clear()
    yield make
    clear()


class RunListener:
    """LISTEN test_cron_run on a connection of its own: :meth:`wait_for` blocks until ``n``
    runs were announced (a NOTIFY per committed run), or the timeout passes."""

    def __init__(self, dsn: str):
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(RUN_CHANNEL)))
        self.keys: list[str] = []

    def wait_for(self, count: int, timeout: float) -> list[str]:
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=timeout)
        while len(self.keys) < count:
            left = (deadline - datetime.datetime.now()).total_seconds()
            if left <= 0:
                break
            for notify in self.conn.notifies(timeout=left, stop_after=count - len(self.keys)):
                self.keys.append(notify.payload)
        return self.keys

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def runs(cron_registry: Any) -> Iterator[RunListener]:
    # LISTEN needs a session: directly to PostgreSQL when the suite runs through PgBouncer
    listener = RunListener(pooler.admin_dsn(cron_registry.dsn))
    yield listener
    listener.close()


@pytest.fixture
def run_counts(cron_registry: Any) -> Callable[[], dict[str, int]]:
    """``run_counts()``: how many times each key ran, from the table."""

    def count() -> dict[str, int]:
        with cron_registry.cursor() as cr:
            cr.execute(SQL("SELECT key, count(*) FROM test_cron_run GROUP BY key"))
            return dict(cr.fetchall())

    return count
