"""Record actions over HTTP: the list's selection and the form's action menu (archive,
unarchive, delete, duplicate, bound server actions, mass edit), run as the user, refused by the
ORM with its message, CSRF-protected; and the parsing of a mass edit's posted value."""

from __future__ import annotations

import re
from typing import Any

import pytest

from erplite import SUPERUSER_ID, api
from tests.modules.web.conftest import csrf_of


@pytest.fixture
def ops(web_ui: Any, env: Any) -> Any:
    model = env["sale.order"]
    fields = model.fields_get()
    return web_ui("record_actions").RecordOperations(model, fields)


@pytest.mark.parametrize(
    ("name", "raw", "text"),
    [
        (
            "validity_date",
            "2026-02-30",
            "Expiration: '2026-02-30' is not a valid date (YYYY-MM-DD)",
        ),
        ("user_id", "sam", "'sam' is not a record id"),
        ("date_order", "soon", "is not a valid date and time"),
        ("partner_id", "", "Customer: this field is required"),
        ("amount_total", "1", "cannot be edited here"),  # not a column of the page
        ("order_line", "1", "cannot be edited here"),  # a one2many: no single value
        ("", "1", "cannot be edited here"),
    ],
)
def test_a_bad_mass_edit_value_is_a_field_error(ops: Any, web_ui: Any, name, raw, text) -> None:
    allowed = ["validity_date", "user_id", "date_order", "partner_id", "order_line"]
    with pytest.raises(web_ui("widgets").FieldInputError, match=re.escape(text)):
        ops.parse_edit(name, raw, allowed, tz=None)


def test_a_good_mass_edit_value_is_parsed(ops: Any, env: Any) -> None:
    allowed = ["user_id", "client_order_ref"]
    assert ops.parse_edit("user_id", str(env.uid), allowed, tz=None) == ("user_id", env.uid)
    assert ops.parse_edit("client_order_ref", " PO 7 ", allowed, tz=None)[0] == "client_order_ref"
    offered = dict(ops.editable_fields(["name", "user_id", "amount_total", "state"]))
    assert "user_id" in offered and "amount_total" not in offered and "state" not in offered


def _orders(served: Any, count: int) -> list[int]:
    with served.env().cursor() as cr:
        cr.execute("SELECT id FROM sale_order ORDER BY id LIMIT %s", [count])
        return [row[0] for row in cr.fetchall()]


def test_mass_edit_asks_then_writes_the_field_on_the_selected_records(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    first, second = _orders(served, 2)
    page = client.get(f"/web/action/{action}/records/write?searched=1&ids={first}&ids={second}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "the 2 selected records" in text
    assert '<option value="user_id">Salesperson</option>' in text
    token = csrf_of(text)
    url = f"/web/action/{action}/records/write"
    data = {
        "csrf_token": token,
        "search": "searched=1",
        "ids": [str(first), str(second)],
        "field": "user_id",
        "user_id": str(served.ids["sid"]),
    }
    asked = client.post(url, data=data)
    assert asked.status_code == 200
    assert "Salesperson will be set to &#39;Sid Seller&#39; on 2 records." in asked.get_data(
        as_text=True
    )
    sid = served.ids["sid"]
    with served.env().cursor() as cr:
        cr.execute("SELECT count(*) FROM sale_order WHERE user_id = %s", [sid])
        assert cr.fetchone() == (0,)  # asked, not written
    done = client.post(url, data={**data, "confirmed": "1"})
    assert done.status_code == 303
    with served.env().cursor() as cr:
        cr.execute("SELECT id FROM sale_order WHERE user_id = %s ORDER BY id", [sid])
        assert [row[0] for row in cr.fetchall()] == [first, second]
    assert (
        client.post(url, data={k: v for k, v in data.items() if k != "csrf_token"}).status_code
        == 400
    )


def test_a_protected_field_posted_by_hand_is_refused_with_the_orms_message(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    (first,) = _orders(served, 1)
    token = csrf_of(client.get(f"/web/action/{action}/list").get_data(as_text=True))
    response = client.post(
        f"/web/action/{action}/records/write",
        data={
            "csrf_token": token,
            "search": "searched=1",
            "ids": str(first),
            "field": "state",
            "state": "sale",
            "confirmed": "1",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "state" in text and "Traceback" not in text
    bad = client.post(
        f"/web/action/{action}/records/write",
        data={
            "csrf_token": token,
            "ids": str(first),
            "field": "date_order",
            "date_order": "2026-13-01",
        },
    )
    assert bad.status_code == 422
    assert "Order Date: &#39;2026-13-01&#39; is not a valid date" in bad.get_data(as_text=True)
    with served.env().cursor() as cr:
        cr.execute("SELECT state FROM sale_order WHERE id = %s", [first])
        assert cr.fetchone()[0] == "draft"


def test_a_salesperson_cannot_act_on_another_salespersons_orders(served: Any) -> None:
    client = served.client("sid")
    action = served.ids["action"]
    with served.env().cursor() as cr:  # a manager's order: outside sid's rules
        cr.execute(
            "SELECT id FROM sale_order WHERE user_id <> %s ORDER BY id LIMIT 1", [served.ids["sid"]]
        )
        (first,) = cr.fetchone()
    listing = client.get(f"/web/action/{action}/list").get_data(as_text=True)
    assert "o-op-write" in listing and "o-op-delete" not in listing  # no unlink right
    token = csrf_of(listing)
    edit = client.post(
        f"/web/action/{action}/records/write",
        data={
            "csrf_token": token,
            "ids": str(first),
            "field": "user_id",
            "user_id": str(served.ids["sid"]),
            "confirmed": "1",
        },
    )
    assert edit.status_code == 422  # none of the ids is one of sid's records
    assert "Select at least one record." in edit.get_data(as_text=True)
    deleted = client.post(
        f"/web/action/{action}/records/delete", data={"csrf_token": token, "ids": str(first)}
    )
    assert deleted.status_code == 403
    assert "You are not allowed to delete" in deleted.get_data(as_text=True)
    with served.env().cursor() as cr:
        cr.execute("SELECT user_id <> %s FROM sale_order WHERE id = %s", [served.ids["sid"], first])
        assert cr.fetchone() == (True,)


def test_delete_duplicate_and_a_bound_server_action(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    first, second = _orders(served, 2)
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        server = env["ir.actions.server"].create(
            {
                "name": "Mark as sent",
                "model_id": env["ir.model"]._get_id("sale.order"),
                "binding_model_id": env["ir.model"]._get_id("sale.order"),
                "state": "method",
                "method_name": "action_quotation_sent",
            }
        )
        unbound = env["ir.actions.server"].create(
            {
                "name": "Not bound",
                "model_id": env["ir.model"]._get_id("sale.order"),
                "state": "method",
                "method_name": "action_quotation_sent",
            }
        )
        server_id, unbound_id = server.id, unbound.id
    form = client.get(f"/web/action/{action}/form/{first}").get_data(as_text=True)
    assert "Mark as sent" in form and "o-op-duplicate" in form and "o-op-delete" in form
    token = csrf_of(form)
    listing = client.get(f"/web/action/{action}/list").get_data(as_text=True)
    assert f'name="server_action" value="{server_id}"' in listing
    assert "Not bound" not in listing

    confirm = client.get(f"/web/action/{action}/records/delete?ids={second}&view=form")
    assert "Delete the 1 selected record? This cannot be undone." in confirm.get_data(as_text=True)
    deleted = client.post(
        f"/web/action/{action}/records/delete",
        data={"csrf_token": token, "ids": str(second), "back": f"/web/action/{action}/list"},
    )
    assert deleted.status_code == 303
    assert deleted.headers["Location"].startswith(f"/web/action/{action}/list?notify=")
    # the list says what was done (Odoo's success notification)
    shown = client.get(deleted.headers["Location"]).get_data(as_text=True)
    assert re.search(
        r'class="o-notification o-notification-success"[^>]*>1 record deleted\.', shown
    )

    copied = client.post(
        f"/web/action/{action}/records/duplicate",
        data={"csrf_token": token, "ids": str(first), "view": "form"},
    )
    assert copied.status_code == 303
    copy_id = int(re.search(r"/form/(\d+)", copied.headers["Location"]).group(1))
    assert copy_id != first

    run = client.post(
        f"/web/action/{action}/records/server",
        data={"csrf_token": token, "ids": str(first), "server_action": str(server_id)},
    )
    assert run.status_code == 303
    shown = client.get(run.headers["Location"]).get_data(as_text=True)
    assert "Mark as sent: done on 1 record." in shown
    refused = client.post(
        f"/web/action/{action}/records/server",
        data={"csrf_token": token, "ids": str(first), "server_action": str(unbound_id)},
    )
    assert refused.status_code == 403
    with served.env().cursor() as cr:
        cr.execute("SELECT count(*) FROM sale_order WHERE id = %s", [second])
        assert cr.fetchone() == (0,)
        cr.execute(
            "SELECT state FROM sale_order WHERE id = ANY(%s) ORDER BY id", [[first, copy_id]]
        )
        assert [row[0] for row in cr.fetchall()] == ["sent", "draft"]


def test_a_lists_selection_is_duplicated_record_by_record(served: Any) -> None:
    client = served.client("max")
    action = served.ids["action"]
    first, second = _orders(served, 2)
    confirm = client.get(
        f"/web/action/{action}/records/duplicate?searched=1&ids={first}&ids={second}"
    )
    assert "Duplicate the 2 selected records?" in confirm.get_data(as_text=True)
    ((before,),) = _count(served)
    done = client.post(
        f"/web/action/{action}/records/duplicate",
        data={
            "csrf_token": csrf_of(confirm.get_data(as_text=True)),
            "ids": [str(first), str(second)],
            "search": "searched=1",
        },
    )
    assert done.status_code == 303 and "/list" in done.headers["Location"]
    assert _count(served) == [(before + 2,)]


def _count(served: Any) -> list:
    with served.env().cursor() as cr:
        cr.execute("SELECT count(*) FROM sale_order")
        return cr.fetchall()
