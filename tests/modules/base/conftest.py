"""Fixtures of the base models' tests: an internal user, and a database of their own for the
tests whose code commits or opens its own transactions (sequences under concurrency, cron)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from erplite import Registry
from erplite.sql import dbname_of
from erplite.testing import create_database, drop_database


@pytest.fixture
def internal_user(env: Any) -> Any:
    """A user of ``base.group_user`` only."""
    return env["res.users"].create(
        {
            "name": "Ines Internal",
            "login": f"ines-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )


@pytest.fixture(scope="module")
def own_registry(
    erplite_server: str, erplite_template: tuple[str, Any], erplite_addons_paths: tuple
) -> Iterator[Any]:
    """The registry of a copy of the template database, for the tests of one file."""
    name = f"erplite_b_{uuid.uuid4().hex[:12]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    try:
        yield Registry(dsn, addons_paths=erplite_addons_paths)
    finally:
        drop_database(erplite_server, name)
