"""Monetary fields are kept rounded to their currency (Odoo 17's ``Monetary``): a value
written, created with its currency, or assigned by a compute method is cached, stored and read
as ``currency.round(value)``; without a currency it is kept as given."""

from __future__ import annotations

from typing import Any

from erplite.sql import SQL


def stored_amount(env: Any, record: Any) -> Any:
    env.flush_all()
    env.cr.execute(SQL("SELECT amount FROM test_orm_fields WHERE id = %s", record.id))
    return env.cr.fetchone()[0]


def test_monetary_is_rounded_to_its_currency_on_create_and_write(env: Any) -> None:
    cents = env["res.currency"].create({"name": "XCT", "symbol": "c", "rounding": 0.01})
    whole = env["res.currency"].create({"name": "XWH", "symbol": "w", "rounding": 1.0})
    record = env["test_orm.fields"].create({"currency_id": cents.id, "amount": 5.760000000000005})
    assert record.amount == 5.76
    assert record.read(["amount"])[0]["amount"] == 5.76
    assert str(stored_amount(env, record)) == "5.76"

    record.write({"amount": 1234.5678})
    assert record.amount == 1234.57
    assert str(stored_amount(env, record)) == "1234.57"

    record.currency_id = whole
    record.amount = 99.5
    assert record.amount == 100.0
    env.invalidate_all()
    assert record.read(["amount"])[0]["amount"] == 100.0


def test_monetary_without_currency_is_kept_as_given(env: Any) -> None:
    record = env["test_orm.fields"].create({"amount": 1.23456})
    assert record.amount == 1.23456
    record.amount = 2.34567
    assert record.amount == 2.34567


def test_searching_an_amount_compares_the_value_given(env: Any) -> None:
    cents = env["res.currency"].create({"name": "XSR", "symbol": "s", "rounding": 0.01})
    record = env["test_orm.fields"].create({"currency_id": cents.id, "amount": 10.004})
    assert record.amount == 10.0
    assert env["test_orm.fields"].search([("id", "=", record.id), ("amount", "=", 10.0)])
    assert not record.filtered_domain([("amount", "=", 10.004)])
