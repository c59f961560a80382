"""``res.currency._formats``: what formatting an amount needs of currencies, from a cache of the
registry (no query once warm), dropped when a currency changes, and the records themselves for
a user whose reading of currencies record rules limit."""

from __future__ import annotations

from typing import Any

from erplite.sql import count_queries


def _format_class() -> Any:
    # imported once the template's registry loaded the module (as erplite.addons.base)
    from erplite.addons.base.models.res_currency import CurrencyFormat

    return CurrencyFormat


def test_formats_come_from_the_registrys_cache(env: Any, internal_user: Any) -> None:
    currency = env["res.currency"].create(
        {"name": "XFA", "symbol": "ƒ", "position": "before", "rounding": 0.001}
    )
    env.flush_all()
    Currency = env["res.currency"].with_user(internal_user)
    formats = Currency._formats([currency.id, 999_999])
    assert formats == {
        currency.id: _format_class()(
            id=currency.id,
            name="XFA",
            symbol="ƒ",
            position="before",
            rounding=0.001,
            decimal_places=3,
        )
    }
    with count_queries() as statements:
        assert Currency._formats([currency.id]) == formats
    assert statements == []


def test_a_changed_currency_is_read_again(env: Any, internal_user: Any) -> None:
    currency = env["res.currency"].create({"name": "XFB", "symbol": "b"})
    Currency = env["res.currency"].with_user(internal_user)
    assert Currency._formats([currency.id])[currency.id].symbol == "b"
    currency.write({"symbol": "β", "position": "before"})
    changed = Currency._formats([currency.id])[currency.id]
    assert (changed.symbol, changed.position) == ("β", "before")
    assert env.transaction.access_dirty  # dropped in every process once committed


def test_a_user_limited_by_rules_gets_the_records(env: Any, internal_user: Any) -> None:
    currency = env["res.currency"].create({"name": "XFC", "symbol": "c"})
    env["ir.rule"].create(
        {
            "name": "internal users: no XF currencies",
            "model_id": env["ir.model"]._get_id("res.currency"),
            "domain_force": "[('name', 'not like', 'XF')]",
            "groups": [(4, env.ref("base.group_user").id)],
        }
    )
    formats = env["res.currency"].with_user(internal_user)._formats([currency.id])
    assert not isinstance(formats[currency.id], _format_class())
    assert formats[currency.id]._name == "res.currency"  # read through the ORM's checks
