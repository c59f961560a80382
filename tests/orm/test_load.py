"""``load``: create or update by external id and database id, many2one by name and external id,
one2many lines on following rows, bad cells and refused records reported with their record,
rows and field, nothing written on any error, and the dry run that writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from erplite import Command

PRODUCT = "product.product"


@pytest.fixture
def office(env: Any) -> Any:
    return env["product.category"].create(
        {"name": "Office", "parent_id": env.ref("product.product_category_all").id}
    )


def count(env: Any, name: str) -> int:
    return env[PRODUCT].with_context(active_test=False).search_count([("name", "=", name)])


def test_create_then_update_by_external_id(env: Any, office: Any) -> None:
    result = env[PRODUCT].load(
        ["id", "name", "categ_id", "list_price", "type", "active"],
        [
            ["desk", "Desk", "All / Office", "100.5", "Service", "1"],
            ["shop.chair", "Chair", "All", "50", "consu", "no"],
        ],
    )
    assert result["messages"] == [] and len(result["ids"]) == 2
    desk, chair = env[PRODUCT].browse(result["ids"])
    assert (desk.name, desk.categ_id, desk.list_price, desk.type, desk.active) == (
        "Desk",
        office,
        100.5,
        "service",
        True,
    )
    assert chair.categ_id == env.ref("product.product_category_all") and chair.active is False
    assert env.ref("__import__.desk") == desk and env.ref("shop.chair") == chair
    again = env[PRODUCT].load(["id", "list_price"], [["desk", "120"]])
    assert again == {"ids": [desk.id], "messages": [], "nextrow": 0}
    assert desk.list_price == 120.0 and count(env, "Desk") == 1


def test_update_by_database_id_and_many2one_by_external_id(env: Any, office: Any) -> None:
    lamp = env[PRODUCT].create({"name": "Lamp"})
    env["ir.model.data"].create(
        {"module": "shop", "name": "office", "model": "product.category", "res_id": office.id}
    )
    result = env[PRODUCT].load([".id", "categ_id/id"], [[str(lamp.id), "shop.office"]])
    assert result["ids"] == [lamp.id] and lamp.categ_id == office
    result = env[PRODUCT].load(["name", "categ_id/.id"], [["Bulb", str(office.id)]])
    assert env[PRODUCT].browse(result["ids"]).categ_id == office


def test_one2many_lines_on_following_rows(env: Any) -> None:
    partner = env["res.partner"].create({"name": "Deco Addict"})
    env[PRODUCT].create([{"name": "Desk", "list_price": 100}, {"name": "Chair", "list_price": 50}])
    result = env["sale.order"].load(
        [
            "partner_id",
            "validity_date",
            "order_line/product_id",
            "order_line/product_uom_qty",
            "order_line/price_unit",
        ],
        [
            ["Deco Addict", "2026-12-31", "Desk", "2", "100"],
            ["", "", "Chair", "3", "50"],
            ["Deco Addict", "", "Chair", "1", "40"],
        ],
    )
    assert result["messages"] == []
    first, second = env["sale.order"].browse(result["ids"])
    assert first.partner_id == partner and first.validity_date == datetime.date(2026, 12, 31)
    assert [(line.product_id.name, line.product_uom_qty) for line in first.order_line] == [
        ("Desk", 2.0),
        ("Chair", 3.0),
    ]
    assert first.amount_untaxed == 350.0
    assert [line.price_unit for line in second.order_line] == [40.0]


def test_bad_values_are_messages_and_nothing_is_written(env: Any) -> None:
    before = env[PRODUCT].search_count([])
    result = env[PRODUCT].load(
        ["name", "list_price", "type", "categ_id", "active"],
        [
            ["Good", "10", "consu", "All", "yes"],
            ["Bad price", "ten", "consu", "All", "yes"],
            ["Bad type", "1", "rocket", "Nowhere", "maybe"],
        ],
    )
    assert result["ids"] is False
    found = {(m["record"], m["rows"]["from"], m["field"]): m["message"] for m in result["messages"]}
    assert found == {
        (1, 1, "list_price"): "'ten' does not seem to be a number for field 'Sales Price'",
        (2, 2, "type"): "Value 'rocket' not found in selection field 'Product Type'",
        (
            2,
            2,
            "categ_id",
        ): "No matching record found for name 'Nowhere' in field 'Product Category'",
        (2, 2, "active"): "Unknown value 'maybe' for boolean field 'Active'",
    }
    assert all(m["type"] == "error" for m in result["messages"])
    assert env[PRODUCT].search_count([]) == before and count(env, "Good") == 0


def test_refused_records_are_messages_and_roll_everything_back(env: Any) -> None:
    result = env[PRODUCT].load(
        ["id", "name", "list_price"],
        [["ok_one", "Fine", "5"], ["neg", "Negative", "-3"], ["no_name", "", "1"]],
    )
    assert result["ids"] is False
    by_record = {m["record"]: m for m in result["messages"]}
    assert set(by_record) == {1, 2}
    assert "The sales price cannot be negative." in by_record[1]["message"]
    assert by_record[1]["rows"] == {"from": 1, "to": 1}
    assert count(env, "Fine") == 0
    assert not env["ir.model.data"].search([("module", "=", "__import__"), ("name", "=", "ok_one")])


def test_dryrun_writes_nothing(env: Any) -> None:
    result = env[PRODUCT].with_context(import_dryrun=True).load(["id", "name"], [["dry", "Dry"]])
    assert result["messages"] == [] and len(result["ids"]) == 1
    assert count(env, "Dry") == 0
    assert not env["ir.model.data"].search([("module", "=", "__import__"), ("name", "=", "dry")])
    # the real run after the dry run creates it (no stale external id remembered)
    result = env[PRODUCT].load(["id", "name"], [["dry", "Dry"]])
    assert env.ref("__import__.dry").name == "Dry"


def test_access_refusals_are_messages(env: Any) -> None:
    reader = env["res.users"].create(
        {
            "name": "R",
            "login": "load-reader",
            "groups_id": [
                Command.set(
                    [env.ref("test_security.group_reader").id, env.ref("base.group_user").id]
                )
            ],
        }
    )
    result = env["test_security.document"].with_user(reader).load(["name", "value"], [["D", "1"]])
    assert result["ids"] is False
    [message] = result["messages"]
    assert message["record"] == 0 and message["rows"] == {"from": 0, "to": 0}
    assert message["message"].startswith("You are not allowed to create 'Secured Document'")
    editor = env["res.users"].create(
        {
            "name": "E",
            "login": "load-editor",
            "groups_id": [
                Command.set(
                    [env.ref("test_security.group_editor").id, env.ref("base.group_user").id]
                )
            ],
        }
    )
    result = env["test_security.document"].with_user(editor).load(["name", "secret"], [["D", "s"]])
    assert result["ids"] is False and "- secret" in result["messages"][0]["message"]


def test_unknown_column_is_one_message(env: Any) -> None:
    result = env[PRODUCT].load(["name", "colour"], [["X", "red"]])
    assert result["ids"] is False
    assert "has no field 'colour'" in result["messages"][0]["message"] and count(env, "X") == 0


def test_many2many_by_names(env: Any) -> None:
    taxes = env["account.tax"].create(
        [{"name": "VAT A", "amount": 10}, {"name": "VAT B", "amount": 5}]
    )
    result = env[PRODUCT].load(["name", "taxes_id"], [["Taxed", "VAT A,VAT B"]])
    assert env[PRODUCT].browse(result["ids"]).taxes_id == taxes


def test_external_id_of_another_model_is_refused(env: Any) -> None:
    admin = env.ref("base.user_admin")
    result = env[PRODUCT].load(["id", "name"], [["base.user_admin", "Hijack"]])
    assert result["ids"] is False
    assert result["messages"][0]["message"] == (
        "The external id base.user_admin already names a record of model res.users, "
        "not product.product."
    )
    assert env.ref("base.user_admin") == admin and count(env, "Hijack") == 0


def test_an_import_compatible_export_loads_back_as_updates(env: Any, office: Any) -> None:
    products = env[PRODUCT].create(
        [{"name": "Round Desk", "categ_id": office.id}, {"name": "Round Chair", "list_price": 7}]
    )
    fields = ["id", "name", "categ_id/id", "list_price", "active"]
    rows = products.export_data(fields)["datas"]
    for row in rows:
        row[3] = row[3] * 2
    result = env[PRODUCT].load(fields, rows)
    assert result["messages"] == [] and result["ids"] == products.ids
    assert products.mapped("list_price") == [2.0, 14.0] and products[0].categ_id == office
