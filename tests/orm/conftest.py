"""Shared helpers of the ORM tests: an internal (non-superuser) user, and the call logs of the
test models' compute and constraint methods."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def internal_user(env: Any) -> Any:
    """A plain internal user (``base.group_user`` only), created in the test's transaction."""
    return env["res.users"].create(
        {
            "name": "Ingrid Internal",
            "login": "ingrid.internal",
            "groups_id": [(6, 0, [env.ref("base.group_user").id])],
        }
    )


@pytest.fixture
def compute_calls() -> Any:
    """The list the computed-field test models append ``(name, ids, su)`` to; emptied first."""
    from erplite.addons.test_orm.models import computed

    computed.CALLS.clear()
    yield computed.CALLS
    computed.CALLS.clear()


@pytest.fixture
def constraint_calls() -> Any:
    """The list the constraint test model appends ``(check, ids)`` to; emptied first."""
    from erplite.addons.test_orm.models import constraints

    constraints.CHECKED.clear()
    yield constraints.CHECKED
    constraints.CHECKED.clear()


def table_columns(cr: Any, table: str) -> dict[str, tuple[str, bool]]:
    """``{column: (udt name, nullable)}`` of ``table`` from the catalog."""
    from erplite.sql import SQL

    cr.execute(
        SQL(
            "SELECT column_name, udt_name, is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_name = %s",
            table,
        )
    )
    return {name: (udt, nullable) for name, udt, nullable in cr.fetchall()}
