"""The chatter's routes through a real ``Application``: the fragment under the form, posting a
note (with an attachment) and a message, following, planning and finishing an activity,
downloading attachments with access checked through the record, "my activities"."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def site(erplite_server: str, erplite_template: Any, erplite_addons_paths: Any) -> Iterator[Site]:
    from erplite.http import Application

    name = f"erplite_chatter_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    registry = Registry(dsn, erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sellers = env.ref("sales_team.group_sale_salesman").id
        sid = env["res.users"].create(
            {
                "name": "Sid",
                "login": "sid",
                "password": "sid",
                "groups_id": [Command.set([sellers])],
            }
        )
        sue = env["res.users"].create(
            {
                "name": "Sue",
                "login": "sue",
                "password": "sue",
                "groups_id": [Command.set([sellers])],
            }
        )
        customer = env["res.partner"].create({"name": "Azure", "email": "azure@example.com"})
        mine = env["sale.order"].create({"partner_id": customer.id, "user_id": sid.id})
        theirs = env["sale.order"].create({"partner_id": customer.id, "user_id": sue.id})
        ids = {"mine": mine.id, "theirs": theirs.id, "customer": customer.id, "sid": sid.id}
    site = Site(Application(dsn, erplite_addons_paths), registry, ids)
    try:
        yield site
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


def _token(page: str) -> str:
    return _CSRF_RE.search(page).group(1)


def test_posting_a_note_with_a_file_shows_it_in_the_chatter(site: Site) -> None:
    client = site.client("sid")
    base = f"/mail/chatter/sale.order/{site.ids['mine']}"
    page = client.get(base).get_data(as_text=True)
    assert "Sales Order created" in page
    response = client.post(
        f"{base}/post",
        data={
            "csrf_token": _token(page),
            "body": "Called <the customer>\nall good",
            "kind": "note",
            "attachment": (__import__("io").BytesIO(b"spec sheet"), "spec.txt"),
        },
        headers={"HX-Request": "true"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Called &lt;the customer&gt;<br>all good" in html
    link = re.search(r'href="(/mail/attachment/\d+)">spec.txt', html).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.get_data() == b"spec sheet"
    # another salesperson cannot read the order, nor its files
    other = site.client("sue")
    assert other.get(link).status_code == 403
    assert other.get(base).status_code == 403


def test_a_message_is_queued_for_the_followers_and_posting_needs_a_token(site: Site) -> None:
    client = site.client("sid")
    base = f"/mail/chatter/sale.order/{site.ids['mine']}"
    token = _token(client.get(base).get_data(as_text=True))
    with site.registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["sale.order"].browse(site.ids["mine"]).message_subscribe([site.ids["customer"]])
    forged = client.post(f"{base}/post", data={"body": "no token", "kind": "message"})
    assert forged.status_code in (400, 403)
    response = client.post(
        f"{base}/post", data={"csrf_token": token, "body": "Your order ships", "kind": "message"}
    )
    assert response.status_code == 303
    with site.registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        mail = env["mail.mail"].search([("res_id", "=", site.ids["mine"])])
        assert mail.recipient_ids.ids == [site.ids["customer"]]
        assert "Your order ships" in mail.body_html
        assert not env["mail.message"].search([("body", "like", "no token")])


def test_follow_plan_and_finish_an_activity(site: Site) -> None:
    client = site.client("sid")
    base = f"/mail/chatter/sale.order/{site.ids['mine']}"
    token = _token(client.get(base).get_data(as_text=True))
    hx = {"HX-Request": "true"}
    page = client.post(f"{base}/follow", data={"csrf_token": token}, headers=hx)
    assert "Unfollow" in page.get_data(as_text=True)
    page = client.post(
        f"{base}/activity",
        data={
            "csrf_token": token,
            "summary": "Send the contract",
            "date_deadline": "2000-01-01",
            "activity_type_id": "",
        },
        headers=hx,
    ).get_data(as_text=True)
    assert "Send the contract" in page and "overdue" in page
    mine = client.get("/mail/activities").get_data(as_text=True)
    assert "Send the contract" in mine
    assert re.search(r'class="o-activity-overdue">1<', mine)
    done = re.search(r"/mail/activity/(\d+)/done", page).group(0)
    page = client.post(done, data={"csrf_token": token, "feedback": "Signed"}, headers=hx).get_data(
        as_text=True
    )
    assert "Activity done: Send the contract" in page and "Signed" in page
    bad = client.post(
        f"{base}/activity", data={"csrf_token": token, "date_deadline": "soon"}, headers=hx
    )
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_form_has_the_chatter_hook(site: Site) -> None:
    with site.registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        action = env.ref("orders.action_quotations").id
    page = site.client("sid").get(f"/web/action/{action}/form/{site.ids['mine']}")
    assert f'hx-get="/mail/chatter/sale.order/{site.ids["mine"]}"' in page.get_data(as_text=True)
