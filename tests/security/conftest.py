"""Fixtures of the security tests: users in chosen groups and companies, a second company, and
cleanup of the login-failure counters that authentication commits on its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import sql

from erplite.security.throttle import TABLE_NAME


@pytest.fixture
def make_user(env: Any) -> Any:
    """``make_user(groups=("base.group_user",), company=None, companies=None, **vals)``: a new
    user (login made unique) in ``env``'s transaction."""
    counter = iter(range(1, 10_000))

    def make(
        groups: tuple[str, ...] = ("base.group_user",),
        company: Any = None,
        companies: Any = None,
        **vals: Any,
    ) -> Any:
        company = company or env.ref("base.main_company")
        companies = companies if companies is not None else company
        values = {
            "name": vals.pop("name", f"User {next(counter)}"),
            "login": vals.pop("login", f"user-{uuid.uuid4().hex[:10]}"),
            "groups_id": [(6, 0, [env.ref(xml_id).id for xml_id in groups])],
            "company_id": company.id,
            "company_ids": [(6, 0, companies.ids)],
            **vals,
        }
        return env["res.users"].create(values)

    return make


@pytest.fixture
def company_b(env: Any) -> Any:
    return env["res.company"].create({"name": f"Company B {uuid.uuid4().hex[:6]}"})


@pytest.fixture
def throttle_cleanup(registry: Any) -> Iterator[list[str]]:
    """A list to fill with the logins and addresses a test fails to authenticate with; their
    committed failure counters are deleted after the test."""
    used: list[str] = []
    yield used
    keys = [f"login:{value.lower()}" for value in used] + [f"ip:{value}" for value in used]
    with registry.cursor() as cr:
        cr.execute(
            sql.SQL("DELETE FROM {} WHERE key = ANY(%s)").format(sql.Identifier(TABLE_NAME)), [keys]
        )
