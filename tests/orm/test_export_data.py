"""``export_data``: paths through relations, external and database ids, one2many lines on the
following rows, many2many in one cell, and what the user may not read refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from erplite import Command
from erplite.exceptions import AccessError


@pytest.fixture
def make_user(env: Any) -> Any:
    """``make_user(groups=(...))``: a new user of those groups."""
    counter = iter(range(1, 1000))

    def make(groups: tuple[str, ...]) -> Any:
        login = f"export-user-{next(counter)}"
        return env["res.users"].create(
            {
                "name": login,
                "login": login,
                "groups_id": [Command.set([env.ref(g).id for g in groups])],
            }
        )

    return make


@pytest.fixture
def order(env: Any) -> Any:
    partner = env["res.partner"].create({"name": "Azure Interior"})
    desk = env["product.product"].create({"name": "Desk", "list_price": 100.0})
    chair = env["product.product"].create({"name": "Chair", "list_price": 50.0})
    return env["sale.order"].create(
        {
            "partner_id": partner.id,
            "validity_date": datetime.date(2026, 12, 31),
            "order_line": [
                Command.create({"product_id": desk.id, "product_uom_qty": 2, "price_unit": 100.0}),
                Command.create({"product_id": chair.id, "product_uom_qty": 0, "price_unit": 50.0}),
            ],
        }
    )


def test_paths_through_relations_and_one2many_rows(order: Any) -> None:
    rows = order.export_data(
        [
            "name",
            "partner_id/name",
            "partner_id",
            "order_line/product_id/name",
            "order_line/product_uom_qty",
        ]
    )["datas"]
    assert rows == [
        [order.name, "Azure Interior", "Azure Interior", "Desk", 2.0],
        ["", "", "", "Chair", 0.0],
    ]


def test_plain_values_as_odoo_exports_them(order: Any) -> None:
    [row] = order.export_data(["state", "validity_date", "client_order_ref", ".id"])["datas"]
    assert row == ["Quotation", datetime.date(2026, 12, 31), "", str(order.id)]


def test_external_ids_are_reused_or_created(env: Any, order: Any) -> None:
    desk = order.order_line[0].product_id
    env["ir.model.data"].create(
        {"module": "shop", "name": "desk", "model": "product.product", "res_id": desk.id}
    )
    rows = order.export_data(["id", "order_line/product_id/id", "order_line:id"])["datas"]
    assert rows[0][1] == "shop.desk"
    chair_xmlid = rows[1][1]
    assert chair_xmlid.startswith("__export__.product_product_")
    assert env.ref(chair_xmlid) == order.order_line[1].product_id
    assert env.ref(rows[0][0]) == order
    assert [env.ref(rows[0][2]), env.ref(rows[1][2])] == list(order.order_line)
    # exported again: the same external ids, none created twice
    count = env["ir.model.data"].search_count([("module", "=", "__export__")])
    assert order.export_data(["id", "order_line/product_id/id", "order_line/id"])["datas"] == rows
    assert env["ir.model.data"].search_count([("module", "=", "__export__")]) == count


def test_many2many_is_one_cell(env: Any) -> None:
    taxes = env["account.tax"].create(
        [{"name": "VAT A", "amount": 10}, {"name": "VAT B", "amount": 5}]
    )
    product = env["product.product"].create({"name": "Lamp", "taxes_id": [Command.set(taxes.ids)]})
    [row] = product.export_data(["name", "taxes_id"])["datas"]
    assert row[0] == "Lamp" and sorted(row[1].split(",")) == ["VAT A", "VAT B"]
    [row] = product.export_data(["taxes_id/id"])["datas"]
    assert [env.ref(xmlid) for xmlid in row[0].split(",")] == list(product.taxes_id)


def test_unknown_path_is_refused(order: Any) -> None:
    with pytest.raises(ValueError, match="no field 'nope'"):
        order.export_data(["partner_id/nope"])
    with pytest.raises(ValueError, match="is not a relation"):
        order.export_data(["name/id"])


def test_fields_of_groups_the_user_lacks_are_refused(env: Any, make_user: Any) -> None:
    doc = env["test_security.document"].create({"name": "D", "value": 1, "secret": "s3"})
    editor = make_user(groups=("base.group_user", "test_security.group_editor"))
    as_editor = doc.with_user(editor)
    assert as_editor.export_data(["name", "value"])["datas"] == [["D", 1]]
    with pytest.raises(AccessError) as info:
        as_editor.export_data(["name", "secret"])
    assert "- secret" in str(info.value)
    keeper = make_user(
        groups=("base.group_user", "test_security.group_editor", "test_security.group_secret")
    )
    assert doc.with_user(keeper).export_data(["secret"])["datas"] == [["s3"]]


def test_records_the_user_may_not_read_are_refused(env: Any, make_user: Any) -> None:
    doc = env["test_security.document"].create({"name": "D", "value": 1})
    nobody = make_user(groups=("base.group_portal",))
    with pytest.raises(AccessError):
        doc.with_user(nobody).export_data(["name"])
