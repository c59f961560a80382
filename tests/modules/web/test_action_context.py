"""A window action returned by a button keeps its ``context`` (ui/action_context.py), as Odoo
17's client: its URL carries it signed (``ctx``), its list applies ``search_default_*``, a
record created from it gets ``default_*``, the links of its pages keep it; a ``ctx`` this
session did not make is refused."""

from __future__ import annotations

import hashlib
import hmac
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.modules.web.conftest import csrf_of


def test_the_context_of_a_window_action_goes_into_its_url(env: Any, web_ui: Any) -> None:
    actions = web_ui("client_actions")
    signer = actions.Signer(b"k" * 32)
    quotations = env.ref("orders.action_quotations").id
    result = {
        "type": "ir.actions.act_window",
        "name": "Quotations of Azure",
        "res_model": "sale.order",
        "view_mode": "tree,form",
        "domain": [("partner_id", "=", 5)],
        "context": {"default_partner_id": 5, "search_default_draft": 1, "active_id": 9},
    }
    url = actions.next_url(env, result, origin="/web", signer=signer, current_action_id=quotations)
    query = parse_qs(urlsplit(url).query)
    payload = signer.loads(query["ctx"][0])
    # what the action shows keeps its context; active_* were about the button's record
    assert payload == {"c": {"default_partner_id": 5, "search_default_draft": 1}}
    assert query["domain"] == ['[["partner_id", "=", 5]]']
    form = actions.next_url(
        env,
        {**result, "view_mode": "form", "res_id": 3},
        origin="/web",
        signer=signer,
        current_action_id=quotations,
    )
    assert form.startswith(f"/web/action/{quotations}/form/3?ctx=")
    bare = actions.next_url(
        env, {**result, "context": {}}, origin="/web", signer=signer, current_action_id=quotations
    )
    assert "ctx" not in parse_qs(urlsplit(bare).query)


def _session_signer(served: Any, client: Any, web_ui: Any) -> Any:
    """The signer of ``client``'s session, as ``ui/dialog.signer`` makes it on the server."""
    sid = client.get_cookie("session_id").value
    secret = str(served.app.secret)
    key = hmac.new(secret.encode(), f"web.client_actions:{sid}".encode(), hashlib.sha256).digest()
    return web_ui("client_actions").Signer(key)


def test_a_page_opened_with_a_context_uses_it(served: Any, web_ui: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    sign = _session_signer(served, client, web_ui)
    token = sign.dumps(
        {
            "c": {
                "default_partner_id": served.ids["customer"],
                "default_client_order_ref": "FROM-CTX",
                "search_default_to_approve": 1,
            }
        }
    )
    listed = client.get(f"/web/action/{action}/list?ctx={token}")
    assert listed.status_code == 200
    html = unescape(listed.get_data(as_text=True))
    assert "To Approve" in html and "o-facet" in html  # search_default_to_approve applied
    assert "0 records" in html  # nothing waits for approval in this database
    new_link = re.search(r'href="([^"]*/form/new[^"]*)"', html).group(1)
    assert f"ctx={token}" in new_link  # "New" keeps the context
    form = client.get(new_link)
    page = unescape(form.get_data(as_text=True))
    assert 'value="FROM-CTX"' in page  # default_client_order_ref
    assert "Customer 0" in page  # default_partner_id
    post_url = re.search(r'<form id="o-form"[^>]* action="([^"]+)"', page).group(1)
    assert f"ctx={token}" in post_url
    saved = client.post(
        post_url,
        data={
            "csrf_token": csrf_of(page),
            "partner_id": str(served.ids["customer"]),
            "client_order_ref": "FROM-CTX",
        },
    )
    assert saved.status_code == 303 and f"ctx={token}" in saved.headers["Location"]
    registry = served.env()
    with registry.cursor() as cr:
        cr.execute("SELECT partner_id FROM sale_order WHERE client_order_ref = 'FROM-CTX'")
        assert cr.fetchall() == [(served.ids["customer"],)]
    # a context this session did not make is refused
    other = served.client("max")
    assert other.get(f"/web/action/{action}/list?ctx={token}").status_code == 403
