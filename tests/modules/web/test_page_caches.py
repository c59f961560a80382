"""What a list page keeps between requests (the menu tree per group set, the list and search
views parsed per arch) is never stale: a renamed or restricted menu and a changed view show on
the next page."""

from __future__ import annotations

from typing import Any

from erplite import SUPERUSER_ID, Command, api
from tests.modules.web.conftest import page_html


def _list_url(served: Any) -> str:
    return f"/web/action/{served.ids['action']}/list?searched=1"


def test_a_renamed_or_restricted_menu_shows_on_the_next_page(served: Any) -> None:
    client = served.client("max")
    assert ">Orders</summary>" in page_html(client, _list_url(served))
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.ref("orders.sale_order_menu").write({"name": "Orders Renamed"})
    page = page_html(client, _list_url(served))
    assert ">Orders Renamed</summary>" in page
    assert ">Orders</summary>" not in page
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        system = env.ref("base.group_system")
        env.ref("orders.sale_order_menu").write({"groups_id": [Command.set([system.id])]})
        env["res.users"].create(
            {
                "name": "Sam Settings",
                "login": "sam",
                "password": "sam",
                "groups_id": [
                    Command.set([system.id, env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )
    assert "Orders Renamed" not in page_html(client, _list_url(served))
    # a user of other groups has a menu tree of their own
    assert ">Orders Renamed</summary>" in page_html(served.client("sam"), _list_url(served))
    assert "Orders Renamed" not in page_html(client, _list_url(served))
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.ref("orders.sale_order_menu").write({"name": "Orders", "groups_id": [Command.clear()]})
    assert ">Orders</summary>" in page_html(client, _list_url(served))


def test_a_changed_list_view_shows_on_the_next_page(served: Any) -> None:
    client = served.client("max")
    assert 'data-label="Customer Reference"' not in page_html(client, _list_url(served))
    with served.env().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        action = env["ir.actions.act_window"].browse(served.ids["action"])
        view = env["ir.ui.view"].search(
            [("model", "=", "sale.order"), ("type", "=", "tree"), ("inherit_id", "=", False)],
            limit=1,
        )
        assert view, action
        extension = env["ir.ui.view"].create(
            {
                "name": "test: a column more",
                "model": "sale.order",
                "inherit_id": view.id,
                "arch": '<field name="partner_id" position="after">'
                '<field name="client_order_ref" string="Customer Reference"/></field>',
            }
        )
    assert 'data-label="Customer Reference"' in page_html(client, _list_url(served))
    with served.env().cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["ir.ui.view"].browse(extension.id).unlink()
    assert 'data-label="Customer Reference"' not in page_html(client, _list_url(served))


def test_an_arch_is_parsed_once_per_labels_and_types_of_its_fields(erplite_template: Any) -> None:
    from erplite.addons.web.controllers.list_page import parsed_arch
    from erplite.addons.web.ui.list_arch import ListSpec

    arch = '<tree><field name="name"/><field name="amount"/></tree>'
    fields = {
        "name": {"string": "Name", "type": "char"},
        "amount": {"string": "Amount", "type": "float"},
    }
    first = parsed_arch(ListSpec.from_arch, arch, fields)
    assert parsed_arch(ListSpec.from_arch, arch, {k: dict(v) for k, v in fields.items()}) is first
    translated = {**fields, "amount": {"string": "Montant", "type": "float"}}
    other = parsed_arch(ListSpec.from_arch, arch, translated)
    assert [c.string for c in other.columns] == ["Name", "Montant"]
    assert [c.string for c in first.columns] == ["Name", "Amount"]
    without_amount = parsed_arch(ListSpec.from_arch, arch, {"name": fields["name"]})
    assert [c.name for c in without_amount.columns] == ["name"]
