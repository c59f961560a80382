"""The form's onchange over HTTP (``POST .../form/<id|new>/onchange``): the values the page
shows once a field changed, computed by ``onchange`` as the user, nothing written; the lines
of a one2many keep the values the form sends (a price typed stays typed)."""

from __future__ import annotations

import json
import re
from typing import Any

from erplite import Command
from tests.modules.web.conftest import csrf_of


def _rows(served: Any) -> tuple[int, int]:
    with served.env().cursor() as cr:
        cr.execute(
            "SELECT (SELECT count(*) FROM sale_order), (SELECT count(*) FROM sale_order_line)"
        )
        return cr.fetchone()


def _product(served: Any) -> int:
    with served.env().cursor() as cr:
        cr.execute("SELECT id FROM product_product ORDER BY id LIMIT 1")
        return cr.fetchone()[0]


def test_a_line_product_fills_its_price_and_the_total_follows(served: Any) -> None:
    client = served.client("max")
    url = f"/web/action/{served.ids['action']}/form/new"
    token = csrf_of(client.get(url).get_data(as_text=True))
    before = _rows(served)
    response = client.post(
        f"{url}/onchange",
        data={
            "csrf_token": token,
            "partner_id": str(served.ids["customer"]),
            "order_line__present": "1",
            "order_line.0.id": "",
            "order_line.0.product_id": str(_product(served)),
            "order_line.0.product_uom_qty": "3",
            "order_line.1.id": "",
            "order_line.1.name": "Typed line",
            "order_line.1.product_uom_qty": "2",
            "order_line.1.price_unit": "7.5",
            "onchange_field": "order_line.0.product_id",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = json.loads(response.get_data(as_text=True))
    first, second = answer["lines"]["order_line"]["0"], answer["lines"]["order_line"]["1"]
    assert first["price_unit"]["text"] == "10.00"  # the product's list price (Widget: 10)
    assert first["name"]["text"] == "Widget"
    assert first["price_subtotal"]["text"] == "30.00"
    assert second["price_unit"]["text"] == "7.50" and second["price_subtotal"]["text"] == "15.00"
    assert answer["fields"]["amount_total"]["text"] == "45.00"
    assert answer["warning"] is None
    assert _rows(served) == before


def test_a_typed_price_is_kept_when_another_column_changes(served: Any) -> None:
    client = served.client("max")
    url = f"/web/action/{served.ids['action']}/form/new"
    token = csrf_of(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/onchange",
        data={
            "csrf_token": token,
            "order_line__present": "1",
            "order_line.0.id": "",
            "order_line.0.product_id": str(_product(served)),
            "order_line.0.product_uom_qty": "4",
            "order_line.0.price_unit": "8",
            "onchange_field": "order_line.0.product_uom_qty",
        },
    )
    line = json.loads(response.get_data(as_text=True))["lines"]["order_line"]["0"]
    assert line["price_unit"]["text"] == "8.00" and line["price_subtotal"]["text"] == "32.00"


def test_an_existing_order_line_changed_and_one_removed(served: Any) -> None:
    client = served.client("max")
    ids = served.ids
    url = f"/web/action/{ids['action']}/form/{ids['big']}"
    token = csrf_of(client.get(url).get_data(as_text=True))
    with served.env().cursor() as cr:
        cr.execute(
            "SELECT id, product_uom_qty FROM sale_order_line WHERE order_id = %s ORDER BY id",
            [ids["big"]],
        )
        lines = cr.fetchall()
        cr.execute("SELECT amount_untaxed FROM sale_order WHERE id = %s", [ids["big"]])
        (untaxed,) = cr.fetchone()
    data = {"csrf_token": token, "order_line__present": "1"}
    for row, (line_id, _quantity) in enumerate(lines):
        data[f"order_line.{row}.id"] = str(line_id)
    data["order_line.0.product_uom_qty"] = "101"  # was 1: +100 widgets at 10
    data["order_line.1.delete"] = "1"  # was 2 widgets: -20
    data["onchange_field"] = "order_line.0.product_uom_qty"
    response = client.post(f"{url}/onchange", data=data)
    answer = json.loads(response.get_data(as_text=True))
    assert answer["lines"]["order_line"]["0"]["price_subtotal"]["text"] == "1010.00"
    assert "1" not in answer["lines"]["order_line"]  # the removed line is not answered
    assert answer["fields"]["amount_untaxed"]["text"] == f"{untaxed + 1000 - 20:.2f}"
    with served.env().cursor() as cr:
        cr.execute("SELECT product_uom_qty FROM sale_order_line WHERE id = %s", [lines[0][0]])
        assert cr.fetchone() == (1.0,)


def test_bad_text_is_left_out_and_the_csrf_token_is_needed(served: Any) -> None:
    client = served.client("max")
    url = f"/web/action/{served.ids['action']}/form/new"
    token = csrf_of(client.get(url).get_data(as_text=True))
    data = {
        "order_line__present": "1",
        "order_line.0.id": "",
        "order_line.0.product_uom_qty": "lots",
        "validity_date": "2026-02-30",
        "onchange_field": "order_line.0.product_uom_qty",
    }
    assert client.post(f"{url}/onchange", data=data).status_code == 400  # no token
    response = client.post(f"{url}/onchange", data={**data, "csrf_token": token})
    assert response.status_code == 200
    answer = json.loads(response.get_data(as_text=True))
    assert answer["lines"]["order_line"]["0"]["product_uom_qty"]["text"] == "1.00"  # its default
    # a field that is not on the form is no change
    other = client.post(f"{url}/onchange", data={"csrf_token": token, "onchange_field": "password"})
    assert json.loads(other.get_data(as_text=True)) == {
        "fields": {},
        "lines": {},
        "tags": {},
        "modifiers": {},
        "warning": None,
        "sublists": {},  # no line replaced by an onchange: no sub-list drawn again
    }


def test_onchange_keeps_a_command_lines_given_values(env: Any) -> None:
    """The ORM side: the values of a line in a CREATE command are the form's, kept as given
    (its price is not recomputed from its product); what is not given is computed."""
    product = env["product.product"].create({"name": "Lamp", "list_price": 40.0})
    spec = {
        "amount_untaxed": {},
        "order_line": {"fields": {"price_unit": {}, "price_subtotal": {}}},
    }
    line = {"product_id": product.id, "product_uom_qty": 2, "price_unit": 35.0}
    result = env["sale.order"].onchange(
        {"order_line": [Command.create(line)]}, ["order_line"], spec
    )
    assert result["value"]["order_line"][1][2] == {"price_unit": 35.0, "price_subtotal": 70.0}
    assert result["value"]["amount_untaxed"] == 70.0
    filled = env["sale.order.line"].onchange(
        {"product_id": product.id, "price_unit": 35.0}, ["product_id"], {"price_unit": {}}
    )
    assert filled["value"]["price_unit"] == 40.0  # the line's own onchange: the product's price


def test_every_forms_onchange_answers(served: Any) -> None:
    """The onchange of the form of every window action (a new record; a name typed): no 500
    and no warning from a computed field that cannot handle a form's new record."""
    from erplite import SUPERUSER_ID, api

    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        groups = [env.ref("base.group_system").id, env.ref("sales_team.group_sale_manager").id]
        ona = env["res.users"].create(
            {
                "name": "Ona Admin",
                "login": "ona",
                "password": "ona",
                "groups_id": [Command.set(groups)],
            }
        )
        actions = env["ir.actions.act_window"].search([])
        # the actions Ona may open (an action of a group she is not in, such as the audit
        # log's for auditors, is not hers)
        forms = [
            (a.id, a.res_model)
            for a in actions
            if "form" in (a.view_mode or "")
            and (not a.groups_id or a.groups_id & (ona.groups_id | ona.groups_id.trans_implied_ids))
        ]
    assert len(forms) > 10
    client = served.client("ona")
    failed = []
    for action, model in forms:
        url = f"/web/action/{action}/form/new"
        page = client.get(url)
        if page.status_code != 200:
            failed.append((model, "GET", page.status_code))
            continue
        text = page.get_data(as_text=True)
        typed = re.findall(r'<input type="text" id="f-([a-z_]+)" name="\1"', text)
        name = typed[0] if typed else "name"
        response = client.post(
            f"{url}/onchange",
            data={"csrf_token": csrf_of(text), name: "Typed", "onchange_field": name},
        )
        answer = response.get_data(as_text=True)
        if response.status_code != 200 or json.loads(answer)["warning"] is not None:
            failed.append((model, name, response.status_code, answer[:300]))
    assert failed == []


def test_lines_an_onchange_replaced_are_drawn_again(env: Any, web_ui: Any) -> None:
    """When the onchange's commands hold other lines than the page's rows (proposed by an
    onchange method), the sub-list's rows are drawn again from them; lines only changed (or
    reordered by a drag) are updated in place."""
    onchange, form_arch, modifiers = (
        web_ui("form_onchange"),
        web_ui("form_arch"),
        web_ui("modifiers"),
    )
    views = env["sale.order"].get_views([[False, "form"]], {})
    models = {
        name: described.get("fields", described) for name, described in views["models"].items()
    }
    form = form_arch.resolve_form(
        views["views"]["form"]["arch"],
        models["sale.order"],
        modifiers.Modifiers({"state": "draft"}, uid=env.uid),
        in_groups=lambda group: True,
        models=models,
    )
    node = form.fields["order_line"]
    product = env["product.product"].create({"name": "Proposed Lamp", "list_price": 7.0})
    order = env["sale.order"].create(
        {
            "partner_id": env["res.partner"].create({"name": "P"}).id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4})],
        }
    )
    kept = order.order_line
    rows = ({kept.id: 0}, [1])  # the page: the saved line in row 0, a new line in row 1
    changed_only = [(5,), (1, kept.id, {"product_uom_qty": 5}), (0, 0, {"name": "x"})]
    assert not onchange._replaced(changed_only, rows)
    proposed = [
        (5,),
        (4, kept.id),
        (
            0,
            0,
            {"product_id": {"id": product.id, "display_name": "Proposed Lamp"}, "price_unit": 7},
        ),
        (0, 0, {"name": "Second", "product_uom_qty": 2}),
    ]
    assert onchange._replaced(proposed, rows)
    drawn = onchange._rows(env, node, proposed, models, tz=None, currency=None)
    assert [row["id"] for row in drawn] == [kept.id, None, None]
    assert drawn[0]["cells"]["product_id"] == (str(product.id), "Proposed Lamp")
    assert drawn[0]["cells"]["product_uom_qty"][0] == "4.00"  # read from the database
    assert drawn[1]["cells"]["product_id"] == (str(product.id), "Proposed Lamp")
    assert drawn[1]["cells"]["price_unit"][0] == "7.00"
    assert drawn[2]["cells"]["name"] == ("Second", "Second")
