"""The rows of a list page (``ListPage.rows_html``): each row and its first cell open the
record, each cell is labelled by its column and escaped, decorations are classes."""

from __future__ import annotations

import html
import re
from typing import Any

from erplite import SUPERUSER_ID, api

_ROW = re.compile(r'<tr class="o-row ([^"]*)" data-href="([^"]+)">\n(.*?)</tr>\n', re.S)
_CELL = re.compile(r'  <td data-label="([^"]*)" class="([^"]*)">(.*?)</td>\n', re.S)


def test_rows_link_their_record_label_their_cells_and_escape_values(served: Any) -> None:
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        partner = env["res.partner"].create({"name": "<b>Bold</b> & Co"})
        order = env["sale.order"].create({"partner_id": partner.id})
        order_id, order_name = order.id, order.name
    client = served.client("max")
    action = served.ids["action"]
    page = client.get(
        f"/web/action/{action}/list?searched=1&search_partner_id=Bold&menu=3"
    ).get_data(as_text=True)
    rows = _ROW.findall(page)
    assert len(rows) == 1, page[:3000]
    decorations, href, cells_html = rows[0]
    assert decorations == "decoration-info"  # a quotation: state in ('draft', 'sent')
    form_url = html.unescape(href)
    assert form_url.startswith(f"/web/action/{action}/form/{order_id}?back=")
    assert form_url.endswith("&menu=3")
    cells = _CELL.findall(cells_html)
    labels = [label for label, _class, _text in cells]
    assert labels[:3] == ["Number", "Order Date", "Customer"]
    name_class, name_cell = cells[0][1], cells[0][2]
    assert name_class == "o-cell-name"
    assert f'<input type="checkbox" class="o-select" name="ids" value="{order_id}"' in name_cell
    assert f'<a href="{href}">{order_name}</a>' in name_cell
    assert cells[2] == ("Customer", "o-cell-partner_id", "&lt;b&gt;Bold&lt;/b&gt; &amp; Co")
    total = next(cell for cell in cells if cell[1].startswith("o-cell-amount_total"))
    assert total[1] == "o-cell-amount_total o-num"
