"""account.tax.compute_all: percentages, fixed amounts, taxes included in the price, rounding."""

from __future__ import annotations

import pytest

from erplite.exceptions import ValidationError


@pytest.fixture
def taxes(env):
    Tax = env["account.tax"]
    return {
        "15": Tax.create({"name": "T15", "amount": 15.0}),
        "6": Tax.create({"name": "T6", "amount": 6.0}),
        "fixed": Tax.create({"name": "Fee", "amount_type": "fixed", "amount": 0.5}),
        "21inc": Tax.create({"name": "T21 incl", "amount": 21.0, "price_include": True}),
    }


def test_percent_tax(taxes):
    result = taxes["15"].compute_all(100.0, quantity=3)
    assert result["total_excluded"] == 300.0
    assert result["total_included"] == 345.0
    assert [t["amount"] for t in result["taxes"]] == [45.0]
    assert result["taxes"][0]["base"] == 300.0


def test_several_taxes_apply_on_the_same_base(taxes):
    result = (taxes["15"] | taxes["6"]).compute_all(10.0, quantity=1)
    assert [t["amount"] for t in result["taxes"]] == [1.5, 0.6]
    assert result["total_included"] == 12.1


def test_fixed_tax_is_per_unit_and_follows_the_sign(taxes):
    assert taxes["fixed"].compute_all(20.0, quantity=4)["total_included"] == 82.0
    refund = taxes["fixed"].compute_all(20.0, quantity=-4)
    assert refund["total_excluded"] == -80.0
    assert refund["total_included"] == -82.0


def test_tax_included_in_price(taxes):
    result = taxes["21inc"].compute_all(121.0, quantity=1)
    assert result["total_excluded"] == 100.0
    assert result["total_included"] == 121.0
    assert result["taxes"][0]["amount"] == 21.0
    # the untaxed amount absorbs the rounding: the taxed total stays the price
    result = taxes["21inc"].compute_all(9.99, quantity=1)
    assert result["total_included"] == 9.99
    assert result["total_excluded"] + result["taxes"][0]["amount"] == pytest.approx(9.99)


def test_amounts_are_rounded_to_the_currency(taxes, env):
    result = taxes["15"].compute_all(0.33, quantity=1)
    assert result["taxes"][0]["amount"] == 0.05  # 0.0495
    assert result["total_included"] == 0.38
    currency = env.ref("base.USD")
    assert taxes["15"].compute_all(1.0, currency=currency, quantity=1)["total_included"] == 1.15


def test_no_tax(env):
    result = env["account.tax"].compute_all(12.5, quantity=2)
    assert result == {
        "base": 25.0,
        "taxes": [],
        "total_excluded": 25.0,
        "total_included": 25.0,
        "total_void": 25.0,
    }


def test_taxes_apply_in_sequence_order(taxes):
    taxes["fixed"].sequence = 0
    taxes["15"].sequence = 5
    result = (taxes["15"] | taxes["fixed"]).compute_all(10.0)
    assert [t["name"] for t in result["taxes"]] == ["Fee", "T15"]


def test_percentage_out_of_range_is_refused(env):
    with pytest.raises(ValidationError, match="between -100 and 100"):
        env["account.tax"].create({"name": "Wrong", "amount": 150.0})


def test_tax_name_unique_per_company_and_type(env, taxes):
    with pytest.raises(ValidationError, match="unique per company"), env.cr.savepoint():
        env["account.tax"].create({"name": "T15", "amount": 10.0})
