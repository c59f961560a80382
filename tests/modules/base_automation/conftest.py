"""Fixtures of the automation tests: a database with ``base_automation`` and the tasks of
``tests/addons/test_automation``, an environment rolled back after each test, and helpers
that build rules and server actions through the public API."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from erplite import SUPERUSER_ID, Registry, api
from erplite.sql import dbname_of
from erplite.testing import create_database, drop_database

TASK = "test.automation.task"


@pytest.fixture(scope="session")
def automation_registry(
    erplite_server: str, erplite_template: tuple[str, Any], erplite_addons_paths: tuple
) -> Iterator[Any]:
    name = f"erplite_a_{uuid.uuid4().hex[:12]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    try:
        yield Registry.new(dsn, install=("test_automation",), addons_paths=erplite_addons_paths)
    finally:
        drop_database(erplite_server, name)


@pytest.fixture
def env(automation_registry: Any) -> Iterator[Any]:
    """A superuser environment on the automation database, rolled back after the test."""
    cr = automation_registry.cursor()
    try:
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


@pytest.fixture
def make_rule(env: Any) -> Callable[..., Any]:
    """``make_rule(trigger, actions, **values)``: a rule on tasks; ``actions`` are dicts of
    server action values (model, name and usage filled in)."""

    def make(trigger: str, actions: list[dict], **values: Any) -> Any:
        model_id = env["ir.model"]._get_id(values.pop("model", TASK))
        return env["base.automation"].create(
            {
                "name": f"rule {trigger}",
                "model_id": model_id,
                "trigger": trigger,
                "action_server_ids": [
                    (0, 0, {"name": f"action {i}", "model_id": model_id, **action})
                    for i, action in enumerate(actions)
                ],
                **values,
            }
        )

    return make


@pytest.fixture
def user(env: Any) -> Any:
    """An internal user (tasks: read, write, create, unlink; notes: read)."""
    return env["res.users"].create(
        {
            "name": "Uma",
            "login": f"uma-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )
