"""Fixtures of the sale_crm tests, on a template with ``crm`` and ``orders`` installed (and so
the bridge, auto-installed): a customer, a product, salespeople, a team and ``make_opportunity``
/ ``make_order``."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command

SALE_CRM_MODULES = ("base", "product", "orders", "crm")


@pytest.fixture(scope="session")
def erplite_template(erplite_templates: Any) -> tuple[str, Any]:
    return erplite_templates(*SALE_CRM_MODULES)


@pytest.fixture
def company(env: Any) -> Any:
    company = env.ref("base.main_company")
    company.so_double_validation_amount = 5000.0
    return company


@pytest.fixture
def make_user(make_user: Any, company: Any) -> Any:
    """The shared ``make_user`` (tests/modules/conftest.py), the company's settings of these
    tests applied first."""
    return make_user


@pytest.fixture
def salesman(make_user: Any) -> Any:
    return make_user("sam", "sales_team.group_sale_salesman")


@pytest.fixture
def team(env: Any, salesman: Any) -> Any:
    return env["crm.team"].create(
        {"name": "Direct Sales", "member_ids": [Command.set(salesman.ids)]}
    )


@pytest.fixture
def customer(env: Any) -> Any:
    return env["res.partner"].create(
        {"name": "Azure Interior", "is_company": True, "email": "info@azure.example.com"}
    )


@pytest.fixture
def desk(env: Any) -> Any:
    return env["product.product"].create({"name": "Desk", "list_price": 100.0})


@pytest.fixture
def make_opportunity(env: Any, customer: Any, salesman: Any, team: Any) -> Any:
    def make(name: str, **values: Any) -> Any:
        return env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "partner_id": customer.id,
                "user_id": salesman.id,
                "team_id": team.id,
                **values,
            }
        )

    return make


@pytest.fixture
def make_order(env: Any, desk: Any) -> Any:
    """``make_order(opportunity, quantity)``: a quotation of ``quantity`` desks made from it."""

    def make(opportunity: Any, quantity: float = 1, **values: Any) -> Any:
        context = opportunity._prepare_opportunity_quotation_context()
        return (
            env["sale.order"]
            .with_context(**context)
            .create(
                {
                    "order_line": [
                        Command.create({"product_id": desk.id, "product_uom_qty": quantity})
                    ],
                    **values,
                }
            )
        )

    return make
