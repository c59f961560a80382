"""Fixtures of the product tests: a second company, and users made with given groups."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command


@pytest.fixture
def company_b(env: Any) -> Any:
    return env["res.company"].create({"name": "Company B"})


@pytest.fixture
def make_user(env: Any) -> Any:
    """``make_user(login, *group_xml_ids, company=..., companies=...)``: a new user."""

    def make(login: str, *groups: str, company: Any = None, companies: Any = None) -> Any:
        company = company or env.ref("base.main_company")
        companies = companies or company
        return env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "company_id": company.id,
                "company_ids": [Command.set(companies.ids)],
                "groups_id": [Command.set([env.ref(xml_id).id for xml_id in groups])],
            }
        )

    return make
