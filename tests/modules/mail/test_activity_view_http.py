"""The activity view through a real ``Application``: the grid of the quotations x activity
types (colours, deadlines, column totals, pager), a cell's activities, "Mark Done",
"Schedule" through the dialog, the empty state, the switcher, and the same method over
JSON-RPC; each as a salesman who sees only his own quotations."""

from __future__ import annotations

import datetime
import html as html_lib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.sql import close_pool, dbname_of
from erplite.testing import create_database, drop_database

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TODAY = datetime.date.today()


@dataclass
class Site:
    app: Any
    registry: Registry
    ids: dict[str, int] = field(default_factory=dict)

    def client(self, login: str) -> Client:
        client = Client(self.app)
        token = _CSRF_RE.search(client.get("/web/login").get_data(as_text=True)).group(1)
        response = client.post(
            "/web/login", data={"login": login, "password": login, "csrf_token": token}
        )
        assert response.status_code == 303
        return client

    def env(self) -> Any:
        return _Env(self.registry)


class _Env:
    def __init__(self, registry: Registry):
        self.registry = registry

    def __enter__(self) -> Any:
        self._cursor = self.registry.cursor()
        cr = self._cursor.__enter__()
        return api.Environment(cr, SUPERUSER_ID, {})

    def __exit__(self, *exc: Any) -> None:
        self._cursor.__exit__(*exc)


def _user(env: Any, login: str, *groups: str) -> Any:
    return env["res.users"].create(
        {
            "name": login.title(),
            "login": login,
            "password": login,
            "groups_id": [Command.set([env.ref(g).id for g in groups])],
        }
    )


@pytest.fixture(scope="module")
def site(erplite_server: str, erplite_template: Any, erplite_addons_paths: Any) -> Iterator[Site]:
    from erplite.http import Application

    name = f"erplite_actview_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    registry = Registry(dsn, erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sid = _user(env, "sid", "sales_team.group_sale_salesman")
        sue = _user(env, "sue", "sales_team.group_sale_salesman")
        _user(env, "newbie", "sales_team.group_sale_salesman")
        customer = env["res.partner"].create({"name": "Azure Interior"})
        desks = env["sale.order"].create({"partner_id": customer.id, "user_id": sid.id})
        chairs = env["sale.order"].create({"partner_id": customer.id, "user_id": sid.id})
        quiet = env["sale.order"].create({"partner_id": customer.id, "user_id": sid.id})
        theirs = env["sale.order"].create({"partner_id": customer.id, "user_id": sue.id})
        call = env.ref("mail.mail_activity_data_call")
        email = env.ref("mail.mail_activity_data_email")

        def plan(order: Any, kind: Any, days: int, summary: str, user: Any) -> Any:
            return env["mail.activity"].create(
                {
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "activity_type_id": kind.id,
                    "summary": summary,
                    "date_deadline": TODAY + datetime.timedelta(days=days),
                    "user_id": user.id,
                }
            )

        late = plan(desks, call, -3, "Call about the desks", sid)
        plan(desks, call, 4, "Call again", sid)
        plan(chairs, email, 0, "Send the chair catalogue", sid)
        plan(chairs, call, 2, "Call about the chairs", sid)
        plan(theirs, call, -1, "Sue's call", sue)
        ids = {
            "quotations": env.ref("orders.action_quotations").id,
            "desks": desks.id,
            "chairs": chairs.id,
            "quiet": quiet.id,
            "theirs": theirs.id,
            "call": call.id,
            "email": email.id,
            "late": late.id,
            "sid": sid.id,
        }
    site = Site(Application(dsn, erplite_addons_paths), registry, ids)
    try:
        yield site
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


def _grid_url(site: Site, query: str = "") -> str:
    return f"/web/action/{site.ids['quotations']}/activity" + (f"?{query}" if query else "")


def _cell(html: str, res_id: int, type_id: int) -> str:
    """The ``<td>`` of a record's row and a type's column."""
    row = re.search(rf'<tr class="o-activity-row" data-id="{res_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row for record {res_id}"
    cell = re.search(
        rf'<td class="[^"]*" data-type-id="{type_id}"[^>]*>(.*?)</td>', row.group(1), re.S
    )
    assert cell, f"no cell for type {type_id}"
    return cell.group(0)


def test_the_grid_has_a_row_per_record_with_activities(site: Site) -> None:
    ids = site.ids
    client = site.client("sid")
    response = client.get(_grid_url(site))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:800]
    rows = re.findall(r'<tr class="o-activity-row" data-id="(\d+)"', html)
    # most urgent first; the quotation without activities and Sue's have no row
    assert rows == [str(ids["desks"]), str(ids["chairs"])]
    desks_call = _cell(html, ids["desks"], ids["call"])
    assert 'data-state="overdue"' in desks_call and ">2</span>" in desks_call
    assert (TODAY - datetime.timedelta(days=3)).isoformat() in desks_call
    assert 'data-state="today"' in _cell(html, ids["chairs"], ids["email"])
    assert 'data-state="planned"' in _cell(html, ids["chairs"], ids["call"])
    assert "o-activity-empty" in _cell(html, ids["desks"], ids["email"])
    # the Call column's header: 1 overdue, 2 planned (3 in all)
    header = re.search(
        rf'<th scope="col" class="o-activity-type" data-type-id="{ids["call"]}">(.*?)</th>',
        html,
        re.S,
    )
    assert header and 'aria-label="1 overdue, 2 planned"' in header.group(1)
    assert '<span class="o-activity-total" aria-hidden="true">3</span>' in header.group(1)
    # the rows open with the arch's activity-box: the order's name and customer
    assert "Azure Interior" in html
    assert "Sue&#39;s call" not in html and "1-2 / 2" in html


def test_the_other_views_switch_to_the_activity_view(site: Site) -> None:
    client = site.client("sid")
    action = site.ids["quotations"]
    for view in ("list", "kanban", "pivot", "graph"):
        html = client.get(f"/web/action/{action}/{view}").get_data(as_text=True)
        assert f"/web/action/{action}/activity?" in html, view


def test_the_grid_pages_through_the_records(site: Site) -> None:
    with site.env() as env:
        action = env.ref("orders.action_quotations")
        limited = action.copy({"name": "Two per page", "limit": 1})
        action_id = limited.id
    client = site.client("sid")
    first = client.get(f"/web/action/{action_id}/activity").get_data(as_text=True)
    assert len(re.findall(r'class="o-activity-row"', first)) == 1
    assert "1-1 / 2" in first and 'aria-label="Next page"' in first
    second = client.get(f"/web/action/{action_id}/activity?page=2").get_data(as_text=True)
    assert "2-2 / 2" in second and 'aria-label="Previous page"' in second


def test_a_cell_lists_its_activities_with_mark_done(site: Site) -> None:
    ids = site.ids
    client = site.client("sid")
    url = _grid_url(site).replace("/activity", "/activity/cell")
    query = f"res_id={ids['desks']}&type_id={ids['call']}"
    response = client.get(f"{url}?{query}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html  # the popover's fragment
    assert html.count("Mark Done") == 2
    assert "Call about the desks" in html and "Call again" in html
    assert f"/activity/schedule?res_id={ids['desks']}&amp;type_id={ids['call']}" in html
    # without htmx: a page of its own
    page = client.get(f"{url}?{query}").get_data(as_text=True)
    assert "<html" in page and "Call about the desks" in page
    # a record the user may not read is not found
    other = client.get(f"{url}?res_id={ids['theirs']}&type_id={ids['call']}")
    assert other.status_code == 404


def test_mark_done_from_the_grid(site: Site) -> None:
    ids = site.ids
    client = site.client("sid")
    url = _grid_url(site).replace("/activity", "/activity/cell")
    html = client.get(f"{url}?res_id={ids['desks']}&type_id={ids['call']}").get_data(as_text=True)
    token = _CSRF_RE.search(html).group(1)
    back = _grid_url(site)
    response = client.post(
        f"/web/action/{ids['quotations']}/activity/done",
        data={"csrf_token": token, "activity_id": ids["late"], "back": back, "feedback": "Reached"},
    )
    assert response.status_code == 303
    assert (
        response.headers["Location"].startswith(back) and "notify=" in response.headers["Location"]
    )
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Call done: Call about the desks" in after
    desks_call = _cell(after, ids["desks"], ids["call"])  # one planned call left
    assert 'data-state="planned"' in desks_call and ">1</span>" in desks_call
    with site.env() as env:
        assert not env["mail.activity"].browse(ids["late"]).exists()
        order = env["sale.order"].browse(ids["desks"])
        assert "Reached" in order.message_ids[0].body
    # Sue's activity cannot be marked done by Sid: nothing happens, he is told
    with site.env() as env:
        theirs = env["mail.activity"].search([("res_id", "=", ids["theirs"])])
    refused = client.post(
        f"/web/action/{ids['quotations']}/activity/done",
        data={"csrf_token": token, "activity_id": theirs.id, "back": back},
    )
    assert refused.status_code == 303
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Not done" in shown
    with site.env() as env:
        assert env["mail.activity"].browse(theirs.id).exists()


def test_schedule_an_activity_through_the_dialog(site: Site) -> None:
    ids = site.ids
    client = site.client("sid")
    url = f"/web/action/{ids['quotations']}/activity/schedule"
    response = client.get(f"{url}?res_id={ids['chairs']}&type_id={ids['email']}")
    assert response.status_code == 302 or response.status_code == 303
    location = response.headers["Location"]
    assert "/activity?" in location and "dialog=" in location
    html = client.get(location).get_data(as_text=True)
    assert "o-dialog" in html and "Schedule an activity on" in html
    token = re.search(r'name="dialog" value="([^"]+)"', html).group(1)
    deadline = (TODAY + datetime.timedelta(days=7)).isoformat()
    saved = client.post(
        "/web/dialog",
        data={
            "csrf_token": _CSRF_RE.search(html).group(1),
            "dialog": html_lib.unescape(token),
            "activity_type_id": str(ids["email"]),
            "summary": "Send the price list",
            "date_deadline": deadline,
            "user_id": str(ids["sid"]),
            "button": "special:save",
        },
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:1500]
    with site.env() as env:
        created = env["mail.activity"].search([("summary", "=", "Send the price list")])
        assert created.res_model == "sale.order" and created.res_id == ids["chairs"]
        assert created.activity_type_id.id == ids["email"]
        assert created.date_deadline.isoformat() == deadline
    grid = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert ">2</span>" in _cell(grid, ids["chairs"], ids["email"])
    # a call's dialog proposes the type's delay (2 days) as the due date
    call = client.get(f"{url}?res_id={ids['chairs']}&type_id={ids['call']}")
    call_html = client.get(call.headers["Location"]).get_data(as_text=True)
    proposed = (TODAY + datetime.timedelta(days=2)).isoformat()
    assert re.search(rf'name="date_deadline"[^>]*value="{proposed}"', call_html), call_html[-3000:]
    # not on a record he may not read
    refused = client.get(f"{url}?res_id={ids['theirs']}&type_id={ids['email']}")
    assert refused.status_code == 404


def test_no_activity_shows_the_empty_state(site: Site) -> None:
    html = site.client("newbie").get(_grid_url(site)).get_data(as_text=True)
    assert "No activities here yet." in html
    assert "o-activity-row" not in html


def test_an_action_without_the_activity_view_has_none(site: Site) -> None:
    with site.env() as env:
        action_id = env.ref("orders.action_quotations").copy({"view_mode": "tree,form"}).id
    response = site.client("sid").get(f"/web/action/{action_id}/activity")
    assert response.status_code == 404


def test_get_activity_data_over_json_rpc(site: Site) -> None:
    client = site.client("sid")
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "model": "mail.activity",
            "method": "get_activity_data",
            "args": [],
            "kwargs": {"res_model": "sale.order", "domain": [], "limit": 80, "offset": 0},
        },
    }
    answer = client.post("/web/dataset/call_kw/mail.activity/get_activity_data", json=body)
    result = answer.get_json()["result"]
    rows = result["activity_res_ids"]
    assert site.ids["theirs"] not in rows and site.ids["chairs"] in rows
    assert result["activity_res_count"] == len(rows)
    cell = result["grouped_activities"][str(site.ids["chairs"])][str(site.ids["call"])]
    assert cell["state"] == "planned" and cell["count"] == 1
    bad = dict(body, params={**body["params"], "kwargs": {"res_model": "res.partner"}})
    error = client.post("/web/dataset/call_kw/mail.activity/get_activity_data", json=bad)
    assert "mail.activity.mixin" in error.get_json()["error"]["data"]["message"]


def test_the_page_s_statements_do_not_grow_with_its_rows(site: Site) -> None:
    from erplite.sql import count_queries

    with site.env() as env:
        max_ = _user(env, "max", "sales_team.group_sale_salesman")
        customer = env["res.partner"].create({"name": "Deco Addict"})
    url = _grid_url(site)

    def statements_for(rows: int) -> int:
        with site.env() as env:
            call = env.ref("mail.mail_activity_data_call")
            while env["sale.order"].search_count([("user_id", "=", max_.id)]) < rows:
                order = env["sale.order"].create({"partner_id": customer.id, "user_id": max_.id})
                env["mail.activity"].create(
                    {
                        "res_model": "sale.order",
                        "res_id": order.id,
                        "activity_type_id": call.id,
                        "date_deadline": TODAY,
                        "user_id": max_.id,
                    }
                )
        client = site.client("max")
        for _ in range(2):  # warm: registry, views, menus, actions, rights cached
            assert client.get(url).status_code == 200
        with count_queries() as statements:
            html = client.get(url).get_data(as_text=True)
        assert html.count('class="o-activity-row"') == rows
        listing = [str(s).strip().upper()[:12] for s in statements]
        return len([s for s in listing if s not in ("BEGIN", "COMMIT", "ROLLBACK")])

    # the session's signals and user, get_activity_data's three (the page's ids and count,
    # their activities, the types), the rows' boxes (one search_read), the customers' names,
    # the currency: 7 on a warm worker, whatever the rows
    few, many = statements_for(2), statements_for(12)
    assert few == many, (few, many)
    assert many <= 7


def test_a_favorite_saved_from_the_grid_opens_it_again(site: Site) -> None:
    client = site.client("sid")
    action = site.ids["quotations"]
    search = "searched=1&search_partner_id=Azure"
    menu = client.get(
        f"/web/action/{action}/favorites?view=activity&{search}", headers={"HX-Request": "true"}
    )
    token = _CSRF_RE.search(menu.get_data(as_text=True)).group(1)
    saved = client.post(
        f"/web/action/{action}/favorites",
        data={"csrf_token": token, "name": "Azure", "view": "activity", "search": search},
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].startswith(f"/web/action/{action}/activity?")
    html = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'class="o-activity-row"' in html
