"""The names the list and the form show, now that SQL computes them (``_display_name_sql``) and
the currencies' symbols come from the registry's cache: a contact of a company shows as
"Company, Person", a product as "[code] name", and a currency changed elsewhere shows its new
symbol on the next page."""

from __future__ import annotations

import re
from typing import Any

from erplite import SUPERUSER_ID, api


def test_pages_show_the_names_sql_computes(served: Any) -> None:
    ids = served.ids
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.partner"].create({"name": "Acme Corp", "is_company": True})
        env.flush_all()  # (a parent created in the same flush names its contacts "False, ...")
        env["res.partner"].browse(ids["customer"]).write({"parent_id": company.id})
        big = env["sale.order"].browse(ids["big"])
        big.order_line[:1].product_id.write({"default_code": "W-1"})
        currency = big.currency_id
        symbol = currency.symbol
    client = served.client("max")
    listing = client.get(f"/web/action/{ids['action']}/list?searched=1").get_data(as_text=True)
    assert "Acme Corp, Customer 0" in listing
    # the salesperson: their partner's name (each column its own name, none mixed up)
    assert set(re.findall(r'o-cell-user_id">([^<]*)<', listing)) == {"Mona Manager"}
    assert "Customer 1" in re.findall(r'o-cell-partner_id">([^<]*)<', listing)
    form = client.get(f"/web/action/{ids['action']}/form/{ids['big']}").get_data(as_text=True)
    assert "Acme Corp, Customer 0" in form
    assert form.count("[W-1] Widget") >= 20  # the label of each line's product
    assert f"\u00a0{symbol}" in form or f"{symbol}\u00a0" in form

    with served.env().cursor() as cr:  # another transaction changes the currency
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.currency"].browse(currency.id).write({"symbol": "¤¤"})
    listing = client.get(f"/web/action/{ids['action']}/list?searched=1").get_data(as_text=True)
    assert "¤¤" in listing
