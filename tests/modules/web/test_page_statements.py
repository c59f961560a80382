"""What a backoffice page costs in SQL statements on a warm worker. Menus, views, actions, rights
and rules come from the registry's caches and cost nothing.

Issue 13's budget is 4 statements for the list of 80 sale orders and 6 for the form of an
order with 20 lines; today, seen by a manager who is not the orders' salesperson, they cost 6
and 9 (the session's row is read apart, on the session store's connection, in autocommit),
and these tests keep them from growing:

- list (6): the registry/access signals with the session user's token and row (and their
  partner's: the frame shows their name), one statement; one ``search_read`` (search, columns
  and the plain display names joined), the customers' names, the salespeople's rows with their
  partners' (neither is a plain joinable name: ``complete_name``, an ``_inherits`` name), the
  count, the currency;
- form (9): the same first one, the record found within the rules, its row, its lines, its
  history (a page of the form), the customers' names, the salespeople's rows, the products'
  names (``[code] name``), the currency.

Reaching the budget needs the ORM to join those display names."""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

from erplite.sql import count_queries


def _statements(client: Client, url: str) -> tuple[Any, list]:
    for _ in range(2):  # warm: registry, views, menus, actions, rights cached
        assert client.get(url).status_code == 200
    with count_queries() as statements:
        response = client.get(url)
    listing = [str(s)[:200] for s in statements]
    besides = [s for s in listing if s.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]
    return response, besides


def test_the_statements_of_a_list_page_of_80_orders(served: Any) -> None:
    client, ids = served.client("max"), served.ids
    url = f"/web/action/{ids['action']}/list?searched=1"
    response, statements = _statements(client, url)
    page = response.get_data(as_text=True)
    assert page.count('class="o-row') == 80
    assert "1-80 / 86" in page
    assert len(statements) <= 6, "\n".join(statements)


def test_the_statements_of_an_order_form_with_20_lines(served: Any) -> None:
    client, ids = served.client("max"), served.ids
    url = f"/web/action/{ids['action']}/form/{ids['big']}"
    response, statements = _statements(client, url)
    page = response.get_data(as_text=True)
    assert page.count('class="o-line"') == 21  # the 20 lines and the template of a new one
    assert len(statements) <= 9, "\n".join(statements)
