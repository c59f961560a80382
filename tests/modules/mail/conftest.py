"""Fixtures of the mail tests: sales orders (a ``mail.thread`` with tracked fields), a
customer, a taxed product, users made with given groups."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command


@pytest.fixture
def customer(env: Any) -> Any:
    return env["res.partner"].create(
        {"name": "Azure Interior", "is_company": True, "email": "azure@example.com"}
    )


@pytest.fixture
def other_customer(env: Any) -> Any:
    return env["res.partner"].create({"name": "Deco Addict", "is_company": True})


@pytest.fixture
def desk(env: Any) -> Any:
    tax = env["account.tax"].create({"name": "VAT 10", "amount": 10.0})
    return env["product.product"].create(
        {"name": "Desk", "list_price": 100.0, "taxes_id": [Command.set(tax.ids)]}
    )


@pytest.fixture
def make_user(env: Any) -> Any:
    """``make_user(login, *group_xml_ids)``: a new user of the main company."""

    def make(login: str, *groups: str, email: str | None = None) -> Any:
        return env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "email": email or f"{login}@example.com",
                "groups_id": [Command.set([env.ref(xml_id).id for xml_id in groups])],
            }
        )

    return make


@pytest.fixture
def salesman(make_user: Any) -> Any:
    return make_user("salesman", "sales_team.group_sale_salesman")


@pytest.fixture
def make_order(env: Any, customer: Any, desk: Any) -> Any:
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


@pytest.fixture
def tracking_of() -> Any:
    """``tracking_of(order)``: see :func:`tracked_changes`."""
    return tracked_changes


def tracked_changes(order: Any) -> list[list[tuple[str, str, str]]]:
    """The tracked changes of ``order``'s messages, newest first: per message, its
    ``(field, old, new)``."""
    result = []
    for message in order.message_ids.message_format():
        if message["tracking_values"]:
            result.append(
                [
                    (value["field"], value["old_value"], value["new_value"])
                    for value in message["tracking_values"]
                ]
            )
    return result
