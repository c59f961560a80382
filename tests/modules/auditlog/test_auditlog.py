"""The audit log: a subscribed rule logs who created, changed or deleted which record, with
the old and new values, whatever the caller (ORM script, RPC); only Auditors read the trail,
and nobody changes it through the ORM.

Each test works on a copy of the template database with a registry of its own: a subscribed
rule wraps the methods of that registry's model classes, which must not leak into the other
tests' registry."""

from __future__ import annotations

import uuid
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from erplite import SUPERUSER_ID, Command, Registry, api
from erplite.exceptions import AccessError
from erplite.sql import close_pool, dbname_of
from erplite.testing import create_database, drop_database


@pytest.fixture(scope="module")
def audit_dsn(erplite_server: str, erplite_template: Any) -> Iterator[str]:
    name = f"erplite_audit_{uuid.uuid4().hex[:10]}"
    dsn = create_database(erplite_server, name, template=dbname_of(erplite_template[0]))
    try:
        yield dsn
    finally:
        close_pool(dsn)
        drop_database(erplite_server, name)


@pytest.fixture(scope="module")
def audit_registry(audit_dsn: str, erplite_addons_paths: Any) -> Registry:
    registry = Registry(audit_dsn, addons_paths=erplite_addons_paths)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        rule = env["auditlog.rule"].create(
            {
                "name": "Contacts",
                "model_id": env["ir.model"]._get_id("res.partner"),
                "capture_record": True,
            }
        )
        rule.subscribe()
        env["auditlog.rule"].create(
            {"name": "Products", "model_id": env["ir.model"]._get_id("product.product")}
        ).subscribe()
        env["res.users"].create(
            {
                "name": "Ann Auditor",
                "login": "ann",
                "password": "ann-password-1",
                "groups_id": [Command.set([env.ref("auditlog.group_auditlog_auditor").id])],
            }
        )
        env["res.users"].create(
            {
                "name": "Bob Clerk",
                "login": "bob",
                "password": "bob-password-1",
                "groups_id": [Command.set([env.ref("base.group_system").id])],
            }
        )
    return registry


@pytest.fixture
def audit_env(audit_registry: Registry) -> Iterator[Any]:
    """A superuser environment on the audited database, rolled back after the test."""
    cr = audit_registry.cursor()
    try:
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


def _logs(env: Any, partner: Any) -> Any:
    return env["auditlog.log"].search(
        [("model_name", "=", "res.partner"), ("res_id", "=", partner.id)], order="id"
    )


def test_create_write_unlink_are_logged_with_old_and_new_values(audit_env: Any) -> None:
    env = audit_env
    bob = env["res.users"].search([("login", "=", "bob")])
    partner = env["res.partner"].with_user(bob).create({"name": "Azure", "city": "Paris"})
    partner.write({"city": "Lyon", "name": "Azure Interior"})
    partner.unlink()
    logs = _logs(env, partner)
    assert logs.mapped("method") == ["create", "write", "unlink"]
    assert set(logs.mapped("user_id")) == {bob}
    created, written, deleted = logs
    assert {(line.field_name, line.new_value_text) for line in created.line_ids} == {
        ("name", "Azure"),
        ("city", "Paris"),
    }
    assert {
        (line.field_name, line.old_value_text, line.new_value_text) for line in written.line_ids
    } == {("city", "Paris", "Lyon"), ("name", "Azure", "Azure Interior")}
    old = {line.field_name: line.old_value_text for line in deleted.line_ids}
    assert old["city"] == "Lyon" and old["name"] == "Azure Interior"
    assert written.name == "Azure Interior"


def test_a_write_of_many_records_costs_one_insert_more(
    audit_env: Any, assert_query_count: Any
) -> None:
    env = audit_env
    partners = env["res.partner"].create([{"name": f"P{i}", "city": "Paris"} for i in range(50)])
    env.flush_all()
    partners.mapped("city")  # old values cached: no SELECT needed
    with assert_query_count(1):
        partners.write({"city": "Rome"})  # the log rows and their lines: one INSERT
    with assert_query_count(1):
        env.flush_all()  # the UPDATE itself
    logs = env["auditlog.log"].search([("res_id", "in", partners.ids), ("method", "=", "write")])
    assert len(logs) == 50
    assert set(logs.line_ids.mapped("new_value_text")) == {"Rome"}


def test_only_auditors_read_the_trail_and_nobody_changes_it(audit_env: Any) -> None:
    env = audit_env
    partner = env["res.partner"].create({"name": "Trail"})
    log = _logs(env, partner)
    ann = env["res.users"].search([("login", "=", "ann")])
    bob = env["res.users"].search([("login", "=", "bob")])
    assert log.with_user(ann).read(["method"])[0]["method"] == "create"
    with pytest.raises(AccessError):
        log.with_user(bob).read(["method"])  # an administrator is not an auditor
    for who in (log.with_user(ann), log.with_user(bob), log.sudo()):
        with pytest.raises(AccessError):
            who.write({"method": "write"})
        with pytest.raises(AccessError):
            who.unlink()
        with pytest.raises(AccessError):
            who.line_ids.write({"new_value_text": "forged"})
    with pytest.raises(AccessError):
        env["auditlog.log"].create({"model_name": "res.partner", "res_id": 1})


def test_changes_made_through_rpc_are_logged(audit_registry: Registry, audit_dsn: str) -> None:
    from erplite.http import Application

    app = Application(audit_dsn, addons_paths=audit_registry.addons_paths)
    client = Client(app)
    db = dbname_of(audit_dsn)

    def call(service: str, method: str, *args: Any) -> Any:
        body = xmlrpc.client.dumps(args, method)
        response = client.post(f"/xmlrpc/2/{service}", data=body, content_type="text/xml")
        return xmlrpc.client.loads(response.get_data())[0][0]

    uid = call("common", "authenticate", db, "bob", "bob-password-1", {})
    partner_id = call(
        "object",
        "execute_kw",
        db,
        uid,
        "bob-password-1",
        "res.partner",
        "create",
        [{"name": "Remote"}],
    )
    call(
        "object",
        "execute_kw",
        db,
        uid,
        "bob-password-1",
        "res.partner",
        "write",
        [[partner_id], {"name": "Remote Ltd"}],
    )
    with audit_registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        logs = _logs(env, env["res.partner"].browse(partner_id))
        assert logs.mapped("method") == ["create", "write"]
        assert [log.user_id.login for log in logs] == ["bob", "bob"]
        assert logs[1].line_ids.mapped("new_value_text") == ["Remote Ltd"]


def test_an_unsubscribed_rule_logs_nothing(audit_env: Any) -> None:
    env = audit_env
    rule = env["auditlog.rule"].search([("model_id.model", "=", "res.partner")])
    rule.unsubscribe()
    partner = env["res.partner"].create({"name": "Quiet"})
    partner.write({"name": "Quieter"})
    assert not _logs(env, partner)


def test_x2many_changes_are_logged_with_the_display_names(audit_env: Any) -> None:
    env = audit_env
    partner = env["res.partner"].create({"name": "Azure"})
    partner.write({"child_ids": [Command.create({"name": "Ann Azure"})]})
    [written] = _logs(env, partner).filtered(lambda log: log.method == "write")
    [line] = written.line_ids
    assert (line.field_name, line.old_value_text, line.new_value_text) == (
        "child_ids",
        "",
        "Azure, Ann Azure",
    )
    vat, eco = env["account.tax"].create([{"name": "VAT 20", "amount": 20.0},
                                           {"name": "Eco 1", "amount": 1.0}])  # fmt: skip
    desk = env["product.product"].create({"name": "Desk", "taxes_id": [Command.set(vat.ids)]})
    desk.write({"taxes_id": [Command.link(eco.id)]})
    [written] = env["auditlog.log"].search(
        [("model_name", "=", "product.product"), ("res_id", "=", desk.id), ("method", "=", "write")]
    )
    [line] = written.line_ids
    assert (line.old_value_text, line.new_value_text) == ("VAT 20", "VAT 20, Eco 1")
    assert (line.old_value, line.new_value) == (f"[{vat.id}]", f"[{vat.id}, {eco.id}]")
