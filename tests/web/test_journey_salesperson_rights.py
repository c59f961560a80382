"""Journey 3: a salesperson cannot see another salesperson's order, nor the Approve button,
and a hand-made POST of the approval is refused; the manager can approve."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import log_in


def _csrf(page: Any) -> str:
    return page.locator("#o-form input[name=csrf_token]").get_attribute("value")


def test_a_salesperson_sees_only_her_orders_and_cannot_approve(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    action = ids["quotations_action"]
    with backoffice.env() as env:
        orders = ("sally_azure", "sally_deco", "sam_azure", "sally_to_approve", "to_approve")
        names = {key: env["sale.order"].browse(ids[key]).name for key in orders}

    log_in(page, backoffice, "sally")
    page.goto(f"{backoffice.url}/web/action/{action}/list?searched=1")
    listed = page.locator("tr.o-row td:first-child").all_inner_texts()
    assert sorted(listed) == sorted(
        [names["sally_azure"], names["sally_deco"], names["sally_to_approve"]]
    )
    assert names["sam_azure"] not in page.content()

    # another salesperson's order, by its URL: a 403 page in the backoffice frame
    response = page.goto(f"{backoffice.url}/web/action/{action}/form/{ids['sam_azure']}")
    assert response.status == 403
    assert page.locator(".o-error h1").inner_text() == "Access denied"
    assert page.locator(".o-navbar").is_visible()  # the menus stay usable
    # a record that does not exist: 404
    assert page.goto(f"{backoffice.url}/web/action/{action}/form/999999").status == 404

    # her own order waiting for approval: no Approve button for her
    page.goto(f"{backoffice.url}/web/action/{action}/form/{ids['sally_to_approve']}")
    assert page.locator(".o-statusbar .o-current").inner_text() == "To Approve"
    buttons = page.locator(".o-header-buttons button").all_inner_texts()
    assert "Approve" not in buttons and "Reject" not in buttons

    # a hand-made POST of the approval is refused, and nothing changes
    form_url = f"{backoffice.url}/web/action/{action}/form/{ids['sally_to_approve']}"
    refused = page.request.post(
        form_url, form={"csrf_token": _csrf(page), "button": "action_approve"}
    )
    assert refused.status == 403
    assert "action_approve" in refused.text() and "not available" in refused.text()
    without_token = page.request.post(form_url, form={"button": "action_approve"})
    assert without_token.status == 400
    with backoffice.env() as env:
        assert env["sale.order"].browse(ids["sally_to_approve"]).state == "to_approve"


def test_the_manager_approves(page: Any, backoffice: Any) -> None:
    ids = backoffice.ids
    log_in(page, backoffice, "mike")
    page.goto(
        f"{backoffice.url}/web/action/{ids['quotations_action']}/form/{ids['sally_to_approve']}"
    )
    page.click(".o-header-buttons button:has-text('Approve')")
    page.wait_for_load_state()
    assert page.locator(".o-statusbar .o-current").inner_text() == "Sales Order"
    assert re.search(r"/form/\d+", page.url)
    with backoffice.env() as env:
        order = env["sale.order"].browse(ids["sally_to_approve"])
        assert order.state == "sale"
        assert order.history_ids.filtered(lambda h: h.step == "approve").user_id.login == "mike"
