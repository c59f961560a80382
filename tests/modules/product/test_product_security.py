"""Who may read and change products, categories and taxes; one company's products and taxes
are hidden from the others."""

from __future__ import annotations

import pytest

from erplite.exceptions import AccessError


def test_internal_user_reads_but_cannot_change_products(env, make_user):
    user = make_user("reader", "base.group_user")
    product = env["product.product"].create({"name": "Widget"})
    as_user = product.with_user(user)
    assert as_user.read(["name"])[0]["name"] == "Widget"
    with pytest.raises(AccessError):
        as_user.write({"list_price": 5.0})
    with pytest.raises(AccessError):
        env["product.product"].with_user(user).create({"name": "Gadget"})
    with pytest.raises(AccessError):
        env["account.tax"].with_user(user).create({"name": "T", "amount": 1.0})
    with pytest.raises(AccessError):
        env["product.category"].with_user(user).create({"name": "Mine"})


def test_product_manager_manages_the_catalog(env, make_user):
    user = make_user("catalog", "product.group_product_manager")
    Product = env["product.product"].with_user(user)
    category = env["product.category"].with_user(user).create({"name": "Gadgets"})
    tax = env["account.tax"].with_user(user).create({"name": "M 7", "amount": 7.0})
    product = Product.create({"name": "Gadget", "categ_id": category.id, "taxes_id": tax.ids})
    product.write({"list_price": 9.5})
    assert product.list_price == 9.5
    product.unlink()
    assert not Product.search([("name", "=", "Gadget")])


def test_admin_is_product_manager(env):
    assert env.ref("base.user_admin").has_group("product.group_product_manager")


def test_products_and_taxes_of_other_companies_are_hidden(env, company_b, make_user):
    main = env.ref("base.main_company")
    Product = env["product.product"]
    mine = Product.create({"name": "Main widget", "company_id": main.id})
    theirs = Product.create({"name": "B widget", "company_id": company_b.id})
    shared = Product.create({"name": "Shared widget"})
    tax_b = env["account.tax"].create({"name": "B 20", "amount": 20.0, "company_id": company_b.id})
    user = make_user("main_user", "base.group_user", company=main)
    visible = Product.with_user(user).search([("name", "like", "widget")])
    assert visible == mine | shared
    assert theirs.id not in visible.ids
    assert not env["account.tax"].with_user(user).search([("id", "=", tax_b.id)])
    with pytest.raises(AccessError):
        theirs.with_user(user).read(["name"])


def test_user_of_both_companies_sees_what_its_allowed_companies_allow(env, company_b, make_user):
    main = env.ref("base.main_company")
    Product = env["product.product"]
    mine = Product.create({"name": "Main widget", "company_id": main.id})
    theirs = Product.create({"name": "B widget", "company_id": company_b.id})
    user = make_user("both", "base.group_user", company=main, companies=main | company_b)
    both = Product.with_user(user).with_context(allowed_company_ids=[main.id, company_b.id])
    assert both.search([("name", "like", "widget")]) == mine | theirs
    only_b = Product.with_user(user).with_context(allowed_company_ids=[company_b.id])
    assert only_b.search([("name", "like", "widget")]) == theirs
