"""Fixtures of the orders tests: a customer, taxed products, users made with given groups, a
second company, and ``make_order``."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command


@pytest.fixture
def company(env: Any) -> Any:
    company = env.ref("base.main_company")
    company.so_double_validation_amount = 5000.0
    return company


@pytest.fixture
def company_b(env: Any) -> Any:
    return env["res.company"].create({"name": "Company B"})


@pytest.fixture
def customer(env: Any) -> Any:
    return env["res.partner"].create({"name": "Azure Interior", "is_company": True})


@pytest.fixture
def tax10(env: Any, company: Any) -> Any:
    return env["account.tax"].create({"name": "VAT 10", "amount": 10.0, "company_id": company.id})


@pytest.fixture
def tax20(env: Any, company: Any) -> Any:
    return env["account.tax"].create({"name": "VAT 20", "amount": 20.0, "company_id": company.id})


@pytest.fixture
def desk(env: Any, tax10: Any) -> Any:
    return env["product.product"].create(
        {
            "name": "Desk",
            "default_code": "DESK",
            "list_price": 100.0,
            "taxes_id": [Command.set(tax10.ids)],
        }
    )


@pytest.fixture
def chair(env: Any, tax20: Any) -> Any:
    return env["product.product"].create(
        {
            "name": "Chair",
            "list_price": 50.0,
            "taxes_id": [Command.set(tax20.ids)],
        }
    )


@pytest.fixture
def salesman(make_user: Any) -> Any:
    return make_user("salesman", "sales_team.group_sale_salesman")


@pytest.fixture
def manager(make_user: Any) -> Any:
    return make_user("manager", "sales_team.group_sale_manager")


@pytest.fixture
def make_order(env: Any, customer: Any, desk: Any, company: Any) -> Any:
    """``make_order(quantity=1, **values)``: a quotation of ``quantity`` desks (100 + 10%)."""

    def make(quantity: float = 1.0, **values: Any) -> Any:
        return env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": desk.id, "product_uom_qty": quantity})
                ],
                **values,
            }
        )

    return make
