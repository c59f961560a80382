"""The list page's order: every term of the view's ``default_order``, so that records tied on the
first term keep one order from page to page (issue 13's S8 list: ``date desc, id desc``)."""

from __future__ import annotations

import re
from typing import Any

from erplite import SUPERUSER_ID, api

_NAME_CELL = re.compile(r'class="o-cell-name">(?:<input [^>]*>)?\s*<a href="[^"]*">([^<]+)</a>')
_NEXT = re.compile(r'href="([^"]+)" aria-label="Next page"')


def _action_with_default_order(
    served: Any, default_order: str, limit: int = 80
) -> tuple[int, list[str]]:
    """A window action on sale.order whose list sorts by ``default_order``; the names of the
    orders in that order, read through the ORM."""
    registry = served.env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        view = env["ir.ui.view"].create(
            {
                "name": "sale.order.tree.tied",
                "model": "sale.order",
                "type": "tree",
                "arch": f'<tree default_order="{default_order}"><field name="name"/>'
                '<field name="amount_total"/></tree>',
            }
        )
        action = env["ir.actions.act_window"].create(
            {
                "name": "Tied orders",
                "res_model": "sale.order",
                "view_mode": "tree,form",
                "view_id": view.id,
                "limit": limit,
            }
        )
        names = env["sale.order"].search([], order=default_order).mapped("name")
    return action.id, names


def test_a_list_sorts_by_every_term_of_its_default_order(served: Any) -> None:
    # 85 orders of one line of the same widget tie on amount_total; only "id desc" orders them
    action_id, expected = _action_with_default_order(served, "amount_total desc, id desc")
    assert len(expected) == 86
    client = served.client("max")
    first = client.get(f"/web/action/{action_id}/list").get_data(as_text=True)
    assert _NAME_CELL.findall(first) == expected[:80]
    assert "1-80 / 86" in first
    # the next page's URL keeps the default order (no order= of its first term alone)
    next_url = _NEXT.search(first).group(1).replace("&amp;", "&")
    assert "order=" not in next_url and "page=2" in next_url
    second = client.get(next_url).get_data(as_text=True)
    assert _NAME_CELL.findall(second) == expected[80:]


def test_a_sorted_column_comes_first_and_the_default_order_breaks_its_ties(served: Any) -> None:
    action_id, _ = _action_with_default_order(served, "id desc")
    registry = served.env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        expected = env["sale.order"].search([], order="amount_total asc, id desc").mapped("name")
    client = served.client("max")
    url = f"/web/action/{action_id}/list?order=amount_total+asc"
    page = client.get(url).get_data(as_text=True)
    assert _NAME_CELL.findall(page) == expected[:80]
    assert 'aria-sort="ascending"' in page


def test_the_pager_counts_up_to_its_limit_then_says_more(served: Any, monkeypatch) -> None:
    """A bounded count (Odoo 17's list counts with a limit): up to ``COUNT_LIMIT`` the pager
    says "20+" and offers the next page; beyond it, the page's count is exact again."""
    from erplite.addons.web.controllers import list_page

    monkeypatch.setattr(list_page, "COUNT_LIMIT", 20)
    action_id, expected = _action_with_default_order(served, "id desc", limit=10)
    client = served.client("max")
    first = client.get(f"/web/action/{action_id}/list").get_data(as_text=True)
    assert _NAME_CELL.findall(first) == expected[:10]
    assert "1-10 / 20+" in first
    second = client.get(_NEXT.search(first).group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "11-20 / 20+" in second and _NEXT.search(second)
    third = client.get(_NEXT.search(second).group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f'o-pager-value">21-30 / {len(expected)}<' in third
    assert _NAME_CELL.findall(third) == expected[20:30]
