"""The context of a window action a button returned, carried by the pages' URLs.

Odoo 17's client keeps an action's ``context`` for as long as the action is shown: the list a
smart button opened creates its new records with the action's ``default_*`` values, and its
search starts with the action's ``search_default_*`` filters. erplite's pages are URLs, so the
context travels in them as ``ctx``, a token signed with the session's key (as dialogs are,
:mod:`.client_actions`): a hand-made or tampered context is refused, so a page only ever runs
with a context the server's code returned.

Worked example::

    url = window_url(env, {"res_model": "sale.order", "context": {"default_partner_id": 7},
                           ...}, None, signer=signer())      # ui/client_actions.py
    # '/web/action/12/list?ctx=eyJjIjp7ImRlZmF1bHRfcGFydG5lcl9pZCI6N319.3fa1...'
    action = with_url_context(load_window_action(env, 12), request.httprequest.args)
    action.context["default_partner_id"]         # 7 (on top of the stored action's context)
    action.url_query()                           # [('ctx', 'eyJj...')]: kept by the page's links
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .actions import WindowAction
from .client_actions import clean_context
from .dialog import signer

#: the query argument carrying the context
URL_ARGUMENT = "ctx"


def with_url_context(action: WindowAction, args: Mapping[str, Any]) -> WindowAction:
    """``action`` with the context its URL's ``ctx`` carries on top of its own.

    :raises BadToken: (an ``AccessError``) the token was not made for this session."""
    token = args.get(URL_ARGUMENT)
    if not token:
        return action
    payload = signer().loads(token)
    carried = clean_context(payload.get("c"))
    return dataclasses.replace(action, context={**action.context, **carried}, url_context=token)


__all__ = ["URL_ARGUMENT", "with_url_context"]
