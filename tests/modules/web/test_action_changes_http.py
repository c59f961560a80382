"""A window action changed by another process is served as changed: the action's values are
cached per registry, and the cache signal every request reads drops them."""

from __future__ import annotations

import re

from erplite import SUPERUSER_ID, Registry, api
from tests.modules.web.conftest import page_html

_PAGER = re.compile(r'<span class="o-pager-value">([^<]*)</span>')


def _pager(client, action_id):
    page = page_html(client, f"/web/action/{action_id}/list")
    match = _PAGER.search(page)
    assert match, page[:500]
    return match.group(1).strip()


def test_a_limit_changed_by_another_registry_is_served(served):
    """The application's registry cached the action's ``limit``; another registry of the
    database (another worker) commits a new one: the next page uses it."""
    writer = Registry(served.dsn, served.addons_paths)
    with writer.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        action = env["ir.actions.act_window"].create(
            {"name": "Quotations (limit test)", "res_model": "sale.order", "view_mode": "tree,form"}
        )
        action_id = action.id
    try:
        client = served.client("mona")
        assert _pager(client, action_id) == "1-80 / 86"
        assert _pager(client, action_id) == "1-80 / 86"  # served from the cache
        with writer.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.actions.act_window"].browse(action_id).write({"limit": 20})
        assert _pager(client, action_id) == "1-20 / 86"
    finally:
        with writer.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.actions.act_window"].browse(
                action_id
            ).unlink()
