"""Products and categories: defaults, display names, the category tree."""

from __future__ import annotations

import pytest

from erplite import Command
from erplite.exceptions import UserError, ValidationError


@pytest.fixture
def tree(env):
    Category = env["product.category"]
    root = env.ref("product.product_category_all")
    furniture = Category.create({"name": "Furniture", "parent_id": root.id})
    chairs = Category.create({"name": "Chairs", "parent_id": furniture.id})
    return root, furniture, chairs


def test_category_complete_name_follows_the_tree(tree):
    root, furniture, chairs = tree
    assert chairs.complete_name == "All / Furniture / Chairs"
    assert chairs.display_name == "All / Furniture / Chairs"
    furniture.name = "Office"
    assert chairs.complete_name == "All / Office / Chairs"
    chairs.parent_id = root
    assert chairs.complete_name == "All / Chairs"
    chairs.flush_recordset()
    stored = chairs.search([("complete_name", "=", "All / Chairs")])
    assert stored == chairs


def test_category_child_of_uses_the_tree(env, tree):
    root, furniture, chairs = tree
    found = env["product.category"].search([("id", "child_of", furniture.id)])
    assert found == furniture | chairs
    assert chairs.parent_path == f"{root.id}/{furniture.id}/{chairs.id}/"


def test_category_cannot_be_its_own_ancestor(tree):
    _root, furniture, chairs = tree
    # the parent store refuses it first, as in Odoo; the constraint covers the rest
    with pytest.raises(UserError, match="(?i)recursi"):
        furniture.parent_id = chairs


def test_category_product_count_includes_subcategories(env, tree):
    _root, furniture, chairs = tree
    Product = env["product.product"]
    Product.create(
        [
            {"name": "Stool", "categ_id": chairs.id},
            {"name": "Armchair", "categ_id": chairs.id},
            {"name": "Table", "categ_id": furniture.id},
        ]
    )
    assert furniture.product_count == 3
    assert chairs.product_count == 2


def test_product_defaults(env):
    tax = env["account.tax"].create({"name": "Default 10", "amount": 10.0})
    env.company.account_sale_tax_id = tax
    product = env["product.product"].create({"name": "Widget"})
    assert product.type == "consu"
    assert product.uom_name == "Units"
    assert product.list_price == 1.0
    assert product.active
    assert product.categ_id == env.ref("product.product_category_all")
    assert product.taxes_id == tax
    assert not product.company_id


def test_product_display_name_shows_the_reference(env):
    product = env["product.product"].create({"name": "Widget", "default_code": "W-1"})
    assert product.display_name == "[W-1] Widget"
    product.default_code = False
    assert product.display_name == "Widget"


def test_product_type_is_a_selection(env):
    with pytest.raises(ValueError):
        env["product.product"].create({"name": "Wrong", "type": "gift"})


def test_archived_products_are_hidden_from_searches(env):
    product = env["product.product"].create({"name": "Old widget", "active": False})
    assert not env["product.product"].search([("name", "=", "Old widget")])
    assert (
        env["product.product"].with_context(active_test=False).search([("name", "=", "Old widget")])
        == product
    )


def test_negative_price_is_refused(env):
    with pytest.raises(ValidationError, match="cannot be negative"), env.cr.savepoint():
        env["product.product"].create({"name": "Negative", "list_price": -1.0})


def test_shared_product_holds_the_taxes_of_several_companies(env):
    company_b = env["res.company"].create({"name": "Company B"})
    tax_b = env["account.tax"].create({"name": "B 20", "amount": 20.0, "company_id": company_b.id})
    tax_main = env["account.tax"].create({"name": "Main 10", "amount": 10.0})
    shared = env["product.product"].create(
        {"name": "Shared", "taxes_id": [Command.set((tax_b | tax_main).ids)]}
    )
    assert shared.taxes_id == tax_main | tax_b
    assert shared.taxes_id.mapped("company_id") == env.ref("base.main_company") | company_b


def test_products_are_found_by_name_or_reference(env):
    product = env["product.product"].create({"name": "Standing desk", "default_code": "SD-42"})
    assert product.id in [pid for pid, _name in env["product.product"].name_search("SD-4")]
    assert env["product.product"].name_search("standing") == [(product.id, "[SD-42] Standing desk")]
    assert env["product.product"].search([("display_name", "ilike", "sd-42")]) == product
