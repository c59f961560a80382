"""Journey: reassign a governed customer (issue 15). Sally, an agent of an ``assigned_only``
service account, sees her customer in the Governed Customers list; Mike, its manager, opens the
customer, clicks Reassign, picks Sam in the dialog, gives a reason and confirms; the customer
has left Sally's list and is in Sam's, with its history kept. Real Chromium, real server, on a
template with ``customer_governance`` installed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import Backoffice, BackofficeCopies, log_in

GOVERNANCE_MODULES = ("base", "product", "orders", "customer_governance")


@pytest.fixture
def backoffice(erplite_templates: Any, backoffice_copies: BackofficeCopies) -> Iterator[Backoffice]:
    """tests/web's served backoffice, on the governance template."""
    template_dsn, _registry = erplite_templates(*GOVERNANCE_MODULES)
    with backoffice_copies.served(template_dsn) as office:
        yield office


def _governed_names(page: Any, backoffice: Backoffice, action: int) -> set[str]:
    page.goto(f"{backoffice.url}/web/action/{action}/list")
    page.wait_for_selector(".o-list, .o-nocontent, table")
    return {row.inner_text().split("\t")[0].strip() for row in page.locator("tr.o-row").all()}


def _switch_user(page: Any, backoffice: Backoffice, login: str) -> None:
    page.goto(f"{backoffice.url}/web/session/logout")
    log_in(page, backoffice, login)


def test_reassign_a_customer_and_it_leaves_the_previous_actors_list(
    page: Any, backoffice: Backoffice
) -> None:
    ids = backoffice.ids
    with backoffice.env() as env:
        account = env["sa.account"].create(
            {"name": "North", "code": "NORTH", "visibility_policy": "assigned_only"}
        )
        for login, role in (("sally", "agent"), ("sam", "agent"), ("mike", "manager")):
            env["sa.membership"].create(
                {"account_id": account.id, "user_id": ids[login], "role": role}
            )
        customer = env["res.partner"].create(
            {"name": "Governed Goods", "is_company": True, "x_sa_id": account.id}
        )
        env["sa.customer.assignment"].assign(account.id, customer.id, ids["sally"], "first")
        action = env.ref("customer_governance.action_governed_customers").id
        customer_id = customer.id

    log_in(page, backoffice, "sally")
    assert "Governed Goods" in " ".join(_governed_names(page, backoffice, action))

    _switch_user(page, backoffice, "mike")
    page.goto(f"{backoffice.url}/web/action/{action}/form/{customer_id}")
    page.click("button:has-text('Reassign')")
    dialog = page.locator("dialog.o-dialog")
    dialog.wait_for()
    assert page.locator("#o-dialog-title").inner_text() == "Reassign a Customer"
    assert "Sally Seller" in dialog.inner_text()  # the current actor
    new_actor = dialog.locator("#f-d-user_id")
    new_actor.fill("Sam")
    new_actor.locator("xpath=..").locator(".o-suggestions li:has-text('Sam Other')").click()
    dialog.locator("#f-d-reason").fill("holidays")
    confirmations: list[str] = []

    def accept(prompt: Any) -> None:
        confirmations.append(prompt.message)
        prompt.accept()

    page.on("dialog", accept)
    dialog.locator("button", has_text="Reassign").click()
    page.wait_for_url(re.compile(rf"/form/{customer_id}(\?(?!.*dialog=).*)?$"))
    page.wait_for_selector("dialog.o-dialog", state="detached")
    assert confirmations and "Reassign this customer?" in confirmations[0]
    with backoffice.env() as env:
        customer = env["res.partner"].browse(customer_id)
        assert customer.x_actor_id.id == ids["sam"]
        history = customer.x_assignment_ids.sorted("id")
        assert [(a.user_id.id, a.state) for a in history] == [
            (ids["sally"], "expired"),
            (ids["sam"], "active"),
        ]
        assert history[-1].open_reason == "holidays"
        assert history[-1].opened_by_id.id == ids["mike"]

    _switch_user(page, backoffice, "sally")
    assert "Governed Goods" not in " ".join(_governed_names(page, backoffice, action))
    _switch_user(page, backoffice, "sam")
    assert "Governed Goods" in " ".join(_governed_names(page, backoffice, action))
