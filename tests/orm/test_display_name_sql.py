"""Display names computed by SQL (``_display_name_sql``, ``erplite.orm.display_name_sql``):
each declaration gives what its model's ``_compute_display_name`` gives, and ``search_read``
brings the names of partners, users and products in its own statement."""

from __future__ import annotations

from typing import Any

from erplite.orm.display_name_sql import _declared_for_compute, declared_expression
from erplite.sql import SQL, count_queries


def _sql_names(env: Any, model_name: str, ids: list[int]) -> dict[int, Any]:
    """The display names of ``ids`` as the declaration of ``model_name`` computes them."""
    model = env[model_name]
    expression = declared_expression(model, "dn")
    assert expression is not None, model_name
    env.cr.execute(
        SQL(
            "SELECT t.id, %s FROM %s AS t WHERE t.id = ANY(%s)",
            expression.subquery(SQL.identifier("t", "id")),
            SQL.identifier(model._table),
            ids,
        )
    )
    return {row[0]: (False if row[1] is None else row[1]) for row in env.cr.fetchall()}


def _python_names(env: Any, model_name: str, ids: list[int]) -> dict[int, Any]:
    env.invalidate_all()
    return {record.id: record.display_name for record in env[model_name].browse(ids)}


def test_the_partners_display_name_in_sql_is_the_python_one(env: Any) -> None:
    Partner = env["res.partner"]
    company = Partner.create({"name": "Azure Interior", "is_company": True})
    partners = company | Partner.create(
        [
            {"name": "Brandon Freeman", "parent_id": company.id},  # "Azure Interior, Brandon"
            {"name": "Lonely Person"},  # no parent
            {"name": "Branch Office", "parent_id": company.id, "is_company": True},
            {"name": False},  # no name at all: ""
            {"name": "", "parent_id": company.id},
            {"name": "O'Brien & 100% \\ co", "parent_id": company.id},
        ]
    )
    env.flush_all()
    python = _python_names(env, "res.partner", partners.ids)
    assert python[partners[1].id] == "Azure Interior, Brandon Freeman"
    assert python[partners[4].id] == ""
    assert _sql_names(env, "res.partner", partners.ids) == python


def test_the_products_display_name_in_sql_is_the_python_one(env: Any) -> None:
    products = env["product.product"].create(
        [
            {"name": "Desk", "default_code": "FURN_01"},
            {"name": "Chair"},  # NULL code: the name alone
            {"name": "Lamp", "default_code": ""},  # an empty code too
            {"name": "Café [x]", "default_code": "E-10%"},
        ]
    )
    env.flush_all()
    python = _python_names(env, "product.product", products.ids)
    assert python[products[0].id] == "[FURN_01] Desk"
    assert python[products[1].id] == "Chair"
    assert _sql_names(env, "product.product", products.ids) == python


def test_a_users_display_name_comes_from_its_partner_in_sql(env: Any) -> None:
    user = env["res.users"].create({"name": "Sam Seller", "login": "sam.dn.sql"})
    env.flush_all()
    expression = declared_expression(env["res.users"], "dn")
    assert expression is not None
    assert "res_partner" in str(expression.subquery(SQL("1")).text)  # the _inherits parent
    assert _sql_names(env, "res.users", [user.id]) == {user.id: "Sam Seller"}


def test_every_declared_display_name_equals_its_python_computation(env: Any) -> None:
    """Over the records of every model of the registry whose display name SQL computes
    (a declaration or the plain ``_rec_name``), with a few edge cases: both computations
    agree."""
    parent = env["res.partner"].create({"name": "Parent Co", "is_company": True})
    env["res.partner"].create([{"name": False}, {"name": "Kid", "parent_id": parent.id}])
    env["product.product"].create([{"name": "No Code"}, {"name": "Coded", "default_code": "C"}])
    env.flush_all()
    checked = []
    for model_name in sorted(env.registry):
        model = env[model_name]
        if model._abstract or not model._table or model._transient:
            continue
        if declared_expression(model, "dn") is None:
            continue
        env.cr.execute(SQL("SELECT id FROM %s ORDER BY id LIMIT 50", SQL.identifier(model._table)))
        ids = [row[0] for row in env.cr.fetchall()]
        if not ids:
            continue
        assert _sql_names(env, model_name, ids) == _python_names(env, model_name, ids), model_name
        checked.append(model_name)
    assert {"res.partner", "product.product", "res.users", "res.currency"} <= set(checked)


def test_no_sql_display_name_when_the_python_one_is_not_plain_text(env: Any) -> None:
    # _rec_name a many2one (the display name of another record): computed in Python
    assert env["mail.followers"]._rec_name == "partner_id"
    assert declared_expression(env["mail.followers"], "dn") is None


def test_a_later_override_of_the_compute_switches_the_declaration_off() -> None:
    class Declares:
        def _compute_display_name(self) -> None: ...

        @classmethod
        def _display_name_sql(cls, column: Any) -> Any: ...

    class OverridesCompute(Declares):
        def _compute_display_name(self) -> None: ...

    class DeclaresAgain(OverridesCompute):
        @classmethod
        def _display_name_sql(cls, column: Any) -> Any: ...

    class Unrelated(Declares):
        other = 1

    assert _declared_for_compute(Declares)
    assert not _declared_for_compute(OverridesCompute)
    assert _declared_for_compute(DeclaresAgain)
    assert _declared_for_compute(Unrelated)


# -- search_read ---------------------------------------------------------------------------------


def _orders(env: Any) -> Any:
    company = env["res.partner"].create({"name": "Deco Addict", "is_company": True})
    person = env["res.partner"].create({"name": "Ann Buyer", "parent_id": company.id})
    seller = env["res.users"].create({"name": "Sal Seller", "login": "sal.dn.sql"})
    coded = env["product.product"].create({"name": "Desk", "default_code": "D1"})
    plain = env["product.product"].create({"name": "Chair"})
    orders = env["sale.order"].create(
        [
            {
                "partner_id": person.id,
                "user_id": seller.id,
                "order_line": [(0, 0, {"product_id": coded.id}), (0, 0, {"product_id": plain.id})],
            },
            {"partner_id": company.id, "user_id": False},
        ]
    )
    env.flush_all()
    env.invalidate_all()
    return orders


def test_search_read_brings_partner_and_salesperson_names_in_its_statement(env: Any) -> None:
    orders = _orders(env)
    # declared names (partner, user) and plain ones (currency, company) interleaved
    names = ["currency_id", "partner_id", "company_id", "user_id"]
    with count_queries() as statements:
        rows = env["sale.order"].search_read(
            [("id", "in", orders.ids)], names, order="id", limit=10
        )
    assert len(statements) == 1, [str(s) for s in statements]
    assert [(row["partner_id"][1], row["user_id"]) for row in rows] == [
        ("Deco Addict, Ann Buyer", (orders[0].user_id.id, "Sal Seller")),
        ("Deco Addict", False),
    ]
    currency, company = orders[0].currency_id, orders[0].company_id
    assert rows[0]["currency_id"] == (currency.id, currency.name)
    assert rows[0]["company_id"] == (company.id, company.name)
    env.invalidate_all()
    assert rows == orders.read(names)  # the names read apart


def test_search_read_brings_the_products_names_of_lines(env: Any) -> None:
    orders = _orders(env)
    lines = orders[0].order_line
    env.invalidate_all()
    with count_queries() as statements:
        rows = env["sale.order.line"].search_read(
            [("order_id", "=", orders[0].id)], ["product_id"], order="id"
        )
    assert len(statements) == 1, [str(s) for s in statements]
    assert [row["product_id"][1] for row in rows] == ["[D1] Desk", "Chair"]
    env.invalidate_all()
    assert rows == lines.read(["product_id"])


def test_a_name_changed_but_not_flushed_is_computed_in_python(env: Any) -> None:
    orders = _orders(env)
    partner = orders[0].partner_id
    partner.parent_id.name = "Renamed Company"  # pending: the database has the old name
    rows = env["sale.order"].search_read([("id", "=", orders[0].id)], ["partner_id"])
    assert rows[0]["partner_id"] == (partner.id, "Renamed Company, Ann Buyer")


def test_lines_read_with_their_display_names_when_the_context_asks(env: Any) -> None:
    """``x2many_display_names`` (a page about to show the lines): the lines' many2ones come
    with their display names, one statement for the lines and the products' names."""
    order = _orders(env)[0]
    shown = order.with_context(x2many_display_names=True)
    with count_queries() as statements:
        names = [line.product_id.sudo().display_name for line in shown.order_line]
    assert names == ["[D1] Desk", "Chair"]
    assert len(statements) == 1, [str(s) for s in statements]
    env.invalidate_all()
    with count_queries() as statements:
        assert [line.product_id.display_name for line in order.order_line] == names
    assert len(statements) == 2  # without it: the lines, then the products
    assert "product_product" not in str(statements[0])
