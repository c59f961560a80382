"""What a backoffice page costs in SQL statements on a warm worker. Menus, views, actions, rights
and rules come from the registry's caches and cost nothing.

Issue 13's budget is 4 statements for the list of 80 sale orders and 6 for the form of an
order with 20 lines, seen by a manager who is not the orders' salesperson; the session's row
is read with the first one (the sessions live in the served database):

- list (3): the registry/access signals with the session's row and its user's token and row
  (and their partner's: the frame shows their name), one statement; one ``search_read`` (the
  search, the
  columns, and the display names of customers (``complete_name``), salespeople (their
  ``_inherits`` partner's name) and currencies, computed by SQL: ``_display_name_sql``); the
  count. The currencies' symbols come from the registry's cache (``res.currency._formats``);
- form (4): the same first one; one ``search_read`` finding the record within the rules with
  its columns and its many2ones' display names; its lines with theirs (the products'
  ``[code] name``: ``x2many_display_names``); its history (a page of the form).
"""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

from erplite.sql import count_queries

#: the statements that read customers, salespeople, currencies or products apart from the page's
#: records
_APART = (
    'SELECT "res_partner"."id"',
    'SELECT "res_users"."id"',
    'SELECT "res_currency"."id"',
    'SELECT "product_product"."id"',
)


def _statements(client: Client, url: str) -> tuple[Any, list]:
    for _ in range(2):  # warm: registry, views, menus, actions, rights cached
        assert client.get(url).status_code == 200
    with count_queries() as statements:
        response = client.get(url)
    listing = [str(s) for s in statements]
    besides = [s for s in listing if s.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert '"http_session"' in besides[0] and "res_users" in besides[0], besides[0][:300]
    return response, [s[:200] for s in besides]


def test_the_statements_of_a_list_page_of_80_orders(served: Any) -> None:
    client, ids = served.client("max"), served.ids
    url = f"/web/action/{ids['action']}/list?searched=1"
    response, statements = _statements(client, url)
    page = response.get_data(as_text=True)
    assert page.count('class="o-row') == 80
    assert "1-80 / 86" in page
    assert len(statements) <= 4, "\n".join(statements)
    assert not [s for s in statements if s.startswith(_APART)]


def test_the_statements_of_an_order_form_with_20_lines(served: Any) -> None:
    client, ids = served.client("max"), served.ids
    url = f"/web/action/{ids['action']}/form/{ids['big']}"
    response, statements = _statements(client, url)
    page = response.get_data(as_text=True)
    assert page.count('class="o-line"') == 21  # the 20 lines and the template of a new one
    assert len(statements) <= 6, "\n".join(statements)
    assert not [s for s in statements if s.startswith(_APART)]
