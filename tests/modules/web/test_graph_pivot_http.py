"""The graph and pivot pages over HTTP: the chart's data embedded as JSON, the pivot's totals,
the cells' links to the list of their records, and the record rules applied."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from erplite import SUPERUSER_ID, api


def _chart(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="o-graph-data">(.*?)</script>', page)
    assert match, "no chart data in the page"
    return json.loads(match.group(1))


def _links(page: str) -> list[tuple[str, str]]:
    """``(href, count)`` of the pivot's cells."""
    return [
        (html.unescape(href), count)
        for href, count in re.findall(r'<a href="([^"]+)" data-count="(\d+)">', page)
    ]


def test_graph_follows_the_search_and_switches_chart_and_measure(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    response = client.get(f"/web/action/{action}/graph?searched=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    chart = _chart(page)
    assert chart["type"] == "bar"  # the arch's: amount_total by month
    assert len(chart["labels"]) == 1 and len(chart["datasets"]) == 1
    assert chart["datasets"][0]["label"] == "Total"
    assert chart["datasets"][0]["data"][0] > 0
    assert "/web/static/lib/chartjs/chart.umd.min.js" in page

    counted = client.get(f"/web/action/{action}/graph?searched=1&chart=pie&measure=__count")
    chart = _chart(counted.get_data(as_text=True))
    assert chart["type"] == "pie" and chart["datasets"][0]["data"] == [86.0]

    by_customer = client.get(
        f"/web/action/{action}/graph?searched=1&groupby=partner_id&measure=__count"
        "&search_partner_id=Customer 1"
    )
    chart = _chart(by_customer.get_data(as_text=True))
    assert chart["labels"] == ["Customer 1"]  # "Customer 1" matches only it (ilike)
    assert chart["datasets"][0]["data"] == [9.0]

    refused = client.get(f"/web/action/{action}/graph?chart=<script>&measure=x")
    assert _chart(refused.get_data(as_text=True))["type"] == "bar"


def test_chart_labels_are_escaped_json(served: Any) -> None:
    registry = served.env()

    def rename(name: str) -> None:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].browse(served.ids["customer"]).write({"name": name})

    rename("</script><b>Evil</b>")
    try:
        client = served.client("max")
        page = client.get(
            f"/web/action/{served.ids['action']}/graph?searched=1&groupby=partner_id"
        ).get_data(as_text=True)
        assert "</script><b>Evil" not in page
        assert "</script><b>Evil</b>" in _chart(page)["labels"]
    finally:
        rename("Customer 0")


def test_pivot_totals_and_cells_link_to_their_records(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    response = client.get(
        f"/web/action/{action}/pivot?searched=1&measure=__count&measure=amount_total"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mona Manager" in page and "Salesperson" in page
    links = _links(page)
    # one salesperson x one month: the cell, the row total, the column total, the grand total
    assert [count for _href, count in links] == ["86"] * 8
    cell_href = links[0][0]
    assert cell_href.startswith(f"/web/action/{action}/list?") and "domain=" in cell_href
    listed = client.get(cell_href).get_data(as_text=True)
    assert "1-80 / 86" in listed

    expanded = client.get(
        f"/web/action/{action}/pivot?searched=1&row=user_id&row=partner_id&measure=__count"
    ).get_data(as_text=True)
    assert expanded.count("o-pivot-level-1") == 10  # a row per customer under Mona
    customer = next(
        href for href, count in _links(expanded) if "Customer+0" in href and count == "10"
    )
    listed = client.get(customer).get_data(as_text=True)
    assert "1-10 / 10" in listed  # nine small orders and the big one
    assert "Customer 0" in listed  # the cell's facet, removable like any other


def test_rules_apply_and_unknown_views_are_404(served: Any) -> None:
    seller = served.client("sid")  # a salesperson sees only his own orders: none
    action = served.ids["action"]
    page = seller.get(f"/web/action/{action}/pivot?measure=__count").get_data(as_text=True)
    assert [count for _href, count in _links(page)] == ["0"]
    chart = _chart(seller.get(f"/web/action/{action}/graph").get_data(as_text=True))
    assert chart["labels"] == []
    listing = served.client("max").get(f"/web/action/{action}/list").get_data(as_text=True)
    assert f"/web/action/{action}/graph?" in listing and f"/web/action/{action}/pivot?" in listing
