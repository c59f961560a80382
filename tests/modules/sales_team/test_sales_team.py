"""sales_team: the sales groups and ``crm.team`` live in their own module that ``orders``
depends on; their external ids move from ``orders`` when an existing database is upgraded."""

from __future__ import annotations

from typing import Any

import pytest

from erplite import Command, Registry, api
from erplite.exceptions import AccessError, ValidationError
from erplite.loading.graph import resolve_install_order
from erplite.loading.loader import _uninstall, load_modules, scan_modules
from erplite.sql import SQL


def test_groups_are_sales_team_s_and_imply_each_other(env: Any) -> None:
    salesman = env.ref("sales_team.group_sale_salesman")
    all_leads = env.ref("sales_team.group_sale_salesman_all_leads")
    manager = env.ref("sales_team.group_sale_manager")
    assert [salesman.name, all_leads.name, manager.name] == [
        "User: Own Documents Only",
        "User: All Documents",
        "Administrator",
    ]
    assert salesman in all_leads.implied_ids and all_leads in manager.implied_ids
    assert env.ref("base.group_user") in salesman.implied_ids
    assert env.ref("base.user_admin").has_group("sales_team.group_sale_manager")
    assert (
        env["ir.model.data"].search_count([("module", "=", "orders"), ("model", "=", "res.groups")])
        == 0
    )


def test_orders_depends_on_sales_team(env: Any) -> None:
    modules = env["ir.module.module"].search([("name", "in", ["orders", "sales_team"])])
    assert {m.name: m.state for m in modules} == {"orders": "installed", "sales_team": "installed"}
    manifests, _broken = scan_modules()
    assert "sales_team" in manifests["orders"].depends
    assert "orders" not in manifests["sales_team"].depends


def _user(env: Any, login: str, *groups: str, company: Any = None) -> Any:
    company = company or env.ref("base.main_company")
    return env["res.users"].create(
        {
            "name": login.title(),
            "login": login,
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([env.ref(xml_id).id for xml_id in groups])],
        }
    )


def test_team_leader_and_members(env: Any) -> None:
    leader = _user(env, "leader", "sales_team.group_sale_salesman")
    member = _user(env, "member", "sales_team.group_sale_salesman")
    team = env["crm.team"].create(
        {"name": "Europe", "user_id": leader.id, "member_ids": [Command.set(member.ids)]}
    )
    assert team.company_id == env.company
    assert env["crm.team"]._get_default_team_id(member.id) == team
    assert env["crm.team"]._get_default_team_id(leader.id) == team
    assert env.ref("sales_team.team_sales_department").name == "Sales"


def test_team_member_of_another_company_is_refused(env: Any) -> None:
    other = env["res.company"].create({"name": "Other Co"})
    stranger = _user(env, "stranger", "sales_team.group_sale_salesman", company=other)
    with pytest.raises(ValidationError, match="Stranger"):
        env["crm.team"].create({"name": "Main team", "member_ids": [Command.set(stranger.ids)]})


def test_only_managers_create_teams_and_companies_are_separated(env: Any) -> None:
    salesman = _user(env, "seller", "sales_team.group_sale_salesman")
    manager = _user(env, "boss", "sales_team.group_sale_manager")
    with pytest.raises(AccessError):
        env["crm.team"].with_user(salesman).create({"name": "Mine"})
    team = env["crm.team"].with_user(manager).create({"name": "Boss team"})
    other = env["res.company"].create({"name": "Other Co"})
    foreign = env["crm.team"].create({"name": "Foreign", "company_id": other.id})
    visible = env["crm.team"].with_user(salesman).search([])
    assert team in visible and foreign not in visible


def test_upgrade_moves_the_groups_external_ids(new_database: Any) -> None:
    """A database made before the move (groups owned by ``orders``, no ``sales_team``)
    upgraded with ``-u orders``: sales_team is installed, the same groups (same ids, same
    members) are now ``sales_team.*``, and ``orders`` owns no group."""
    dsn = new_database()
    registry = Registry.new(dsn, install=("orders",))
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        salesman, manager = (
            env.ref("sales_team.group_sale_salesman"),
            env.ref("sales_team.group_sale_manager"),
        )
        seller = _user(env, "seller", "sales_team.group_sale_salesman")
        ids = (salesman.id, manager.id, seller.id)
        # back to the layout before the move: the groups are orders', sales_team is not there
        cr.execute(
            SQL(
                "UPDATE ir_model_data SET module = 'orders' WHERE module = 'sales_team' "
                "AND name IN ('group_sale_salesman', 'group_sale_manager')"
            )
        )
        manifests, _broken = scan_modules()
        order = resolve_install_order(manifests, {"orders"})
        _uninstall(cr, Registry, dsn, (), order, {"sales_team"}, False, manifests)
        cr.execute(SQL("UPDATE res_groups SET name = 'Manager' WHERE id = %s", manager.id))
        cr.execute(
            SQL("UPDATE ir_module_module SET latest_version = '17.0.1.0' WHERE name = 'orders'")
        )
        cr.execute(
            SQL(
                "SELECT count(*) FROM ir_model_data "
                "WHERE module = 'orders' AND model = 'res.groups'"
            )
        )
        assert cr.fetchone()[0] == 2
    load_modules(Registry, dsn, update=("orders",))
    registry = Registry(dsn)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        salesman = env.ref("sales_team.group_sale_salesman")
        manager = env.ref("sales_team.group_sale_manager")
        assert (salesman.id, manager.id) == ids[:2]
        assert manager.name == "Administrator"
        assert env.ref("sales_team.group_sale_salesman_all_leads") in manager.implied_ids
        assert env["res.users"].browse(ids[2]).has_group("sales_team.group_sale_salesman")
        assert (
            env["ir.model.data"].search_count(
                [("module", "=", "orders"), ("model", "=", "res.groups")]
            )
            == 0
        )
        assert env["res.groups"].search_count([("name", "=", "User: Own Documents Only")]) == 1
        state = env["ir.module.module"].search([("name", "=", "sales_team")]).state
        assert state == "installed"
