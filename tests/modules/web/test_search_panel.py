"""The search panel: a search arch's fields, filters and group-bys, the URL's facets, and the
domain they make with Odoo 17's OR-within-a-group / AND-between-groups semantics."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

ARCH = """<search>
    <field name="name" filter_domain="['|', ('name', 'ilike', self), ('client_order_ref', 'ilike', self)]"/>
    <field name="partner_id"/>
    <field name="amount_total"/>
    <filter name="my" string="My Quotations" domain="[('user_id', '=', uid)]"/>
    <separator/>
    <filter name="draft" string="Quotations" domain="[('state', '=', 'draft')]"/>
    <filter name="sale" string="Sales Orders" domain="[('state', '=', 'sale')]"/>
    <separator/>
    <filter name="filter_date_order" string="Order Date" date="date_order"/>
    <group expand="0" string="Group By">
        <filter name="salesperson" string="Salesperson" context="{'group_by': 'user_id'}"/>
        <filter name="by_month" string="Order Date" context="{'group_by': 'date_order:month'}"/>
    </group>
</search>"""

FIELDS = {
    "name": {"type": "char", "string": "Order Reference", "store": True, "groupable": True},
    "client_order_ref": {"type": "char", "string": "Customer Reference", "store": True},
    "partner_id": {"type": "many2one", "string": "Customer", "store": True, "groupable": True},
    "amount_total": {"type": "monetary", "string": "Total", "store": True, "groupable": True},
    "user_id": {"type": "many2one", "string": "Salesperson", "store": True, "groupable": True},
    "date_order": {"type": "datetime", "string": "Order Date", "store": True, "groupable": True},
    "state": {
        "type": "selection",
        "string": "Status",
        "store": True,
        "groupable": True,
        "selection": [["draft", "Quotation"], ["sale", "Sales Order"]],
    },
    "note": {"type": "html", "string": "Terms", "store": True, "groupable": False},
}


@pytest.fixture(scope="module")
def search(web_ui: Any) -> Any:
    return web_ui("search")


@pytest.fixture(scope="module")
def panel(search: Any) -> Any:
    return search.SearchPanel.from_arch(ARCH, FIELDS)


def test_the_arch_gives_fields_filter_groups_and_group_bys(panel: Any) -> None:
    assert [f.name for f in panel.fields] == ["name", "partner_id", "amount_total"]
    assert panel.field("partner_id").string == "Customer"
    groups = [[f.name for f in group] for group in panel.filter_groups()]
    assert groups == [["my"], ["draft", "sale"]]
    assert [f.group_by for f in panel.groupby_filters] == ["user_id", "date_order:month"]


def test_filters_of_a_group_are_ored_and_groups_anded(search: Any, panel: Any) -> None:
    args = MultiDict([("searched", "1"), ("filter", "my"), ("filter", "draft"), ("filter", "sale")])
    state = search.SearchState.from_query(args, panel, FIELDS)
    assert state.domain(panel, FIELDS, {"uid": 7}) == [
        "&",
        ("user_id", "=", 7),
        "|",
        ("state", "=", "draft"),
        ("state", "=", "sale"),
    ]


def test_a_field_uses_its_filter_domain_or_its_default_operator(search: Any, panel: Any) -> None:
    args = MultiDict(
        [
            ("searched", "1"),
            ("search_name", "S0"),
            ("search_partner_id", "azure"),
            ("search_partner_id", "deco"),
            ("search_amount_total", "12.5"),
        ]
    )
    state = search.SearchState.from_query(args, panel, FIELDS)
    assert state.domain(panel, FIELDS, {"uid": 1}) == [
        "&",
        "&",
        "|",
        ("name", "ilike", "S0"),
        ("client_order_ref", "ilike", "S0"),
        "|",
        ("partner_id", "ilike", "azure"),
        ("partner_id", "ilike", "deco"),
        ("amount_total", "=", 12.5),
    ]


def test_search_defaults_apply_until_the_user_searches(search: Any, panel: Any) -> None:
    context = {
        "search_default_my": 1,
        "search_default_salesperson": 1,
        "search_default_partner_id": 5,
    }
    fresh = search.SearchState.from_query(MultiDict(), panel, FIELDS, context)
    assert fresh.filters == ["my"]
    assert fresh.group_by == ["user_id"]
    assert fresh.domain(panel, FIELDS, {"uid": 3}) == [
        "&",
        ("partner_id", "in", [5]),
        ("user_id", "=", 3),
    ]
    touched = search.SearchState.from_query(MultiDict([("searched", "1")]), panel, FIELDS, context)
    assert (
        touched.filters == [] and touched.group_by == [] and touched.domain(panel, FIELDS, {}) == []
    )


def test_facets_are_removable_and_the_rest_is_kept(search: Any, panel: Any) -> None:
    args = MultiDict(
        [
            ("searched", "1"),
            ("search_partner_id", "azure"),
            ("filter", "draft"),
            ("groupby", "user_id"),
        ]
    )
    state = search.SearchState.from_query(args, panel, FIELDS)
    facets = state.facets(panel, {})
    assert [(f.kind, f.values) for f in facets] == [
        ("field", ["azure"]),
        ("filter", ["Quotations"]),
        ("groupby", ["Salesperson"]),
    ]
    without_customer = dict(facets[0].remove_query)
    assert "search_partner_id" not in without_customer
    assert without_customer["filter"] == "draft" and without_customer["groupby"] == "user_id"


def test_only_groupable_fields_and_known_intervals_group(search: Any) -> None:
    assert search.valid_group_by("date_order:month", FIELDS)
    assert not search.valid_group_by("date_order:fortnight", FIELDS)
    assert not search.valid_group_by("state:month", FIELDS)
    assert not search.valid_group_by("note", FIELDS)
    assert not search.valid_group_by("nope", FIELDS)


def test_implicit_ands_are_made_explicit(search: Any) -> None:
    assert search.or_domains([[("a", "=", 1), ("b", "=", 2)], [("c", "=", 3)]]) == [
        "|",
        "&",
        ("a", "=", 1),
        ("b", "=", 2),
        ("c", "=", 3),
    ]
    assert search.or_domains([[("a", "=", 1)], []]) == []
