"""Fixtures shared by the module tests: ``make_user`` (a user of chosen groups and
companies), and ``stock_template``, the template database with ``orders`` and ``inventory``
installed (and so the ``sale_stock`` bridge, auto-installed), made by ``erplite_templates`` the
first time a test of tests/modules/inventory or tests/modules/sale_stock needs it. Those
folders point their ``erplite_template`` at it; the other tests keep the main template, whose
statement counts do not include the inventory's work."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command

STOCK_MODULES = ("base", "product", "orders", "inventory")


@pytest.fixture(scope="session")
def stock_template(erplite_templates: Any) -> tuple[str, Any]:
    """``(dsn, registry)`` of a database with orders and inventory installed (no demo)."""
    return erplite_templates(*STOCK_MODULES)


@pytest.fixture
def make_user(env: Any) -> Any:
    """``make_user(login, *group_xml_ids, company=..., companies=...)``: a new user of
    ``company`` (the main one by default) allowed in ``companies`` (that one by default)."""

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
