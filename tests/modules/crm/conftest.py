"""Fixtures of the CRM tests, on a template with ``crm`` installed (and so ``sales_team``, but
not ``orders``): users of each sales group, a team led by ``leader``, and ``make_lead``."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command


@pytest.fixture(scope="session")
def erplite_template(erplite_templates: Any) -> tuple[str, Any]:
    return erplite_templates("base", "crm")


@pytest.fixture
def salesman(make_user: Any) -> Any:
    return make_user("sam", "sales_team.group_sale_salesman")


@pytest.fixture
def leader(make_user: Any) -> Any:
    return make_user("leo", "sales_team.group_sale_salesman")


@pytest.fixture
def team(env: Any, leader: Any, salesman: Any) -> Any:
    return env["crm.team"].create(
        {"name": "Team Leo", "user_id": leader.id, "member_ids": [Command.set(salesman.ids)]}
    )


@pytest.fixture
def stages(env: Any) -> dict[str, Any]:
    return {
        name: env.ref(f"crm.stage_lead{index}")
        for index, name in enumerate(("new", "qualified", "proposition", "won"), start=1)
    }


@pytest.fixture
def make_lead(env: Any) -> Any:
    def make(name: str, **values: Any) -> Any:
        return env["crm.lead"].create({"name": name, **values})

    return make
