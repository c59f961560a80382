"""Actions returned by buttons (ui/client_actions.py): where each type of action takes the
browser, the signed tokens of dialogs and notifications, buttons of ``type="action"``; and
over HTTP, a dialog or notification token that this session did not make is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from erplite.exceptions import UserError
from tests.modules.web.conftest import csrf_of

ORIGIN = "/web/action/7/form/3?back=%2Fweb%2Faction%2F7%2Flist&notify=old"


@pytest.fixture
def actions(web_ui: Any) -> Any:
    return web_ui("client_actions")


@pytest.fixture
def signer(actions: Any) -> Any:
    return actions.Signer(b"k" * 32)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_token_is_read_back_only_with_its_key(actions: Any, signer: Any) -> None:
    token = signer.dumps({"m": "res.partner", "id": 4})
    assert signer.loads(token) == {"m": "res.partner", "id": 4}
    with pytest.raises(actions.BadToken):
        actions.Signer(b"x" * 32).loads(token)  # another session's key
    data, _, signature = token.rpartition(".")
    forged = signer.dumps({"m": "res.users", "id": 1}).rpartition(".")[0] + "." + signature
    with pytest.raises(actions.BadToken):
        signer.loads(forged)
    with pytest.raises(actions.BadToken):
        signer.loads("not a token")


@pytest.mark.parametrize("result", [None, True, False, {"type": "ir.actions.act_window_close"}])
def test_nothing_or_close_reloads_the_page(env: Any, actions: Any, signer: Any, result) -> None:
    url = actions.next_url(env, result, origin=ORIGIN, signer=signer)
    assert url == "/web/action/7/form/3?back=%2Fweb%2Faction%2F7%2Flist"


def test_a_target_new_action_opens_a_dialog_with_the_active_record(
    env: Any, actions: Any, signer: Any
) -> None:
    result = {
        "type": "ir.actions.act_window",
        "name": "Lost Reason",
        "res_model": "res.partner",
        "view_mode": "form",
        "target": "new",
        "context": {"default_name": "Lost", "uid": 99, "tz": "Mars/Base"},
    }
    active = {"active_model": "sale.order", "active_id": 3, "active_ids": [3], "lang": "fr"}
    url = actions.next_url(env, result, origin=ORIGIN, signer=signer, active=active)
    query = _query(url)
    assert "notify" not in query
    dialog = actions.Dialog.from_payload(signer.loads(query["dialog"][0]))
    assert dialog.res_model == "res.partner"
    assert dialog.res_id is None
    assert dialog.name == "Lost Reason"
    assert dialog.origin == "/web/action/7/form/3?back=%2Fweb%2Faction%2F7%2Flist"
    # the session's own keys never travel; the action's context wins over the active keys
    assert dialog.context == {
        "active_model": "sale.order",
        "active_id": 3,
        "active_ids": [3],
        "default_name": "Lost",
    }


def test_a_notification_is_shown_on_the_page_or_on_the_next_action(
    env: Any, actions: Any, signer: Any
) -> None:
    params = {"title": "Sent", "message": "3 mails queued", "type": "success", "sticky": True}
    result = {"type": "ir.actions.client", "tag": "display_notification", "params": params}
    url = actions.next_url(env, result, origin=ORIGIN, signer=signer)
    assert url.startswith("/web/action/7/form/3?")
    shown = actions.Notification.from_payload(signer.loads(_query(url)["notify"][0]))
    assert (shown.title, shown.message, shown.type, shown.sticky) == (
        "Sent",
        "3 mails queued",
        "success",
        True,
    )
    params["next"] = {"type": "ir.actions.act_url", "url": "/web/action/9/list"}
    assert actions.next_url(env, result, origin=ORIGIN, signer=signer) == "/web/action/9/list"


def test_an_url_action_goes_there_unless_it_is_not_a_web_address(
    env: Any, actions: Any, signer: Any
) -> None:
    go = {"type": "ir.actions.act_url", "url": "https://example.org/doc"}
    assert actions.next_url(env, go, origin=ORIGIN, signer=signer) == "https://example.org/doc"
    for bad in ("javascript:alert(1)", "//evil.example/x", "data:text/html,x"):
        with pytest.raises(UserError, match="not allowed"):
            actions.next_url(
                env, {"type": "ir.actions.act_url", "url": bad}, origin=ORIGIN, signer=signer
            )


def test_a_window_action_opens_in_a_stored_action_of_its_model(
    env: Any, actions: Any, signer: Any
) -> None:
    quotations = env.ref("orders.action_quotations").id
    order = env["sale.order"].create({"partner_id": env["res.partner"].create({"name": "A"}).id})
    record = {"type": "ir.actions.act_window", "res_model": "sale.order", "res_id": order.id}
    url = actions.next_url(env, record, origin=ORIGIN, signer=signer, current_action_id=quotations)
    assert url == f"/web/action/{quotations}/form/{order.id}"
    listed = {
        "type": "ir.actions.act_window",
        "name": "Orders of Azure",
        "res_model": "sale.order",
        "view_mode": "tree,form",
        "domain": [("partner_id", "=", 5)],
    }
    url = actions.next_url(env, listed, origin=ORIGIN, signer=signer, current_action_id=quotations)
    assert url.startswith(f"/web/action/{quotations}/list?")
    assert _query(url) == {
        "domain": ['[["partner_id", "=", 5]]'],
        "domain_label": ["Orders of Azure"],
    }
    unknown = {"type": "ir.actions.act_window", "res_model": "no.such.model"}
    with pytest.raises(UserError, match="unknown model"):
        actions.next_url(env, unknown, origin=ORIGIN, signer=signer)


def test_a_type_action_button_loads_its_action_with_the_active_record(
    env: Any, actions: Any
) -> None:
    action = env.ref("orders.action_quotations")
    action.context = "{'default_partner_id': active_id, 'search_default_x': 1}"
    context = {"active_model": "res.partner", "active_id": 8, "active_ids": [8]}
    for reference in ("%(orders.action_quotations)d", "orders.action_quotations", str(action.id)):
        loaded = actions.stored_action(env, reference, context)
        assert loaded["type"] == "ir.actions.act_window"
        assert loaded["id"] == action.id
        assert loaded["res_model"] == "sale.order"
        assert loaded["context"]["default_partner_id"] == 8
        assert loaded["context"]["active_ids"] == [8]
    with pytest.raises(UserError, match="unknown action"):
        actions.stored_action(env, "%(orders.no_such_action)d", context)


def test_active_context_drops_what_was_meant_for_the_page(actions: Any) -> None:
    page = {"default_state": "draft", "search_default_mine": 1, "group_by": "x", "keep": 1}
    assert actions.active_context(page, "sale.order", [4, 5], {"from_button": True}) == {
        "keep": 1,
        "from_button": True,
        "active_model": "sale.order",
        "active_id": 4,
        "active_ids": [4, 5],
    }


def test_a_dialog_token_of_another_session_is_refused(served: Any) -> None:
    client = served.client("mona")
    page = client.get(f"/web/action/{served.ids['action']}/form/{served.ids['big']}")
    token = csrf_of(page.get_data(as_text=True))
    other = served.client("mona")  # another session of the same user
    other_page = other.get(f"/web/action/{served.ids['action']}/form/{served.ids['big']}")
    assert other_page.status_code == 200
    forged = "eyJtIjoicmVzLnVzZXJzIn0.0123456789abcdef0123456789abcdef"
    answer = client.post("/web/dialog", data={"csrf_token": token, "dialog": forged})
    assert answer.status_code == 403
    assert "expired" in answer.get_data(as_text=True)
    # a page whose URL names a bad dialog shows the page, with a warning instead of it
    shown = client.get(
        f"/web/action/{served.ids['action']}/form/{served.ids['big']}?dialog={forged}"
    )
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "o-dialog" not in html.split("</main>")[1]
    assert "The dialog cannot open" in html
    # and a post without the CSRF token is refused before anything
    assert client.post("/web/dialog", data={"dialog": forged}).status_code == 400
