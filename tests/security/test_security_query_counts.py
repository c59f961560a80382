"""Query counts of the security layer: with warm caches, record rules cost no statement of
their own (they are part of the query's SQL), and checking them on a write costs the same
whatever the number of records."""

from __future__ import annotations

import pytest

DOC = "test_security.document"


@pytest.fixture
def three_rules(env):
    model_id = env["ir.model"]._get_id(DOC)
    manager = env.ref("test_security.group_manager")
    editor = env.ref("test_security.group_editor")
    return env["ir.rule"].create(
        [
            {
                "name": "global: positive values",
                "model_id": model_id,
                "domain_force": "[('value', '>=', 0)]",
            },
            {
                "name": "managers: own or shared",
                "model_id": model_id,
                "groups": [(4, manager.id)],
                "domain_force": "['|', ('user_id', '=', user.id), ('user_id', '=', False)]",
            },
            {
                "name": "editors: own company",
                "model_id": model_id,
                "groups": [(4, editor.id)],
                "domain_force": "[('company_id', 'in', company_ids)]",
            },
        ]
    )


@pytest.fixture
def manager(make_user):
    return make_user(groups=("base.group_user", "test_security.group_manager"))


def count(statements_of, action):
    with statements_of as statements:
        action()
    return len(statements)


def test_search_with_three_rules_costs_what_sudo_costs(
    env, three_rules, manager, assert_query_count
):
    env[DOC].create(
        [
            {"name": f"D{i}", "value": i, "user_id": manager.id if i % 2 else False}
            for i in range(20)
        ]
    )
    env.flush_all()
    as_user = env[DOC].with_user(manager)
    as_sudo = as_user.sudo()
    domain = [("name", "like", "D")]
    # warm the caches (access rights, groups, compiled rules)
    assert len(as_user.search(domain)) == 20
    assert as_user.search_count(domain) == as_sudo.search_count(domain)
    as_user.search_read(domain, ["name"])
    as_user.read_group(domain, ["value:sum"], ["user_id"])

    for call in (
        lambda model: model.search(domain),
        lambda model: model.search_count(domain),
        lambda model: model.search(domain, limit=5, order="value desc"),
        lambda model: model.search_read(domain, ["name", "value"]),
        lambda model: model.read_group(domain, ["value:sum"], ["active"]),
    ):
        env.invalidate_all()
        with assert_query_count(99, at_most=True) as sudo_statements:
            call(as_sudo)
        env.invalidate_all()
        with assert_query_count(len(sudo_statements)):
            call(as_user)


def test_reading_records_costs_what_sudo_costs(env, three_rules, manager, assert_query_count):
    docs = env[DOC].create([{"name": f"D{i}", "value": i} for i in range(50)])
    env.invalidate_all()
    as_user = docs.with_user(manager)
    as_user.mapped("name")  # warm the caches
    env.invalidate_all()
    with assert_query_count(1):
        as_user.mapped("name")
    env.invalidate_all()
    with assert_query_count(1):
        as_user.sudo().mapped("name")


@pytest.mark.parametrize("size", [10, 1000])
def test_rule_check_on_write_is_constant(env, three_rules, manager, assert_query_count, size):
    """One statement checks the rules of any number of records; a write costs what the
    superuser's costs plus that statement."""
    docs = env[DOC].create([{"name": f"D{i}", "value": i} for i in range(size)])
    env.flush_all()
    as_user = docs.with_user(manager)
    as_user[:1].write({"value": 0})  # warm the caches
    env.flush_all()
    with assert_query_count(1):
        as_user.check_access_rule("write")
    with assert_query_count(99, at_most=True) as sudo_statements:
        as_user.sudo().write({"value": 5})
        env.flush_all()
    with assert_query_count(len(sudo_statements) + 1):
        as_user.write({"value": 7})
        env.flush_all()
    assert set(docs.mapped("value")) == {7}


def test_write_statements_do_not_grow_with_records(env, three_rules, manager, assert_query_count):
    counts = []
    for size in (10, 1000):
        docs = env[DOC].create([{"name": f"D{i}", "value": i} for i in range(size)])
        env.flush_all()
        as_user = docs.with_user(manager)
        as_user[:1].write({"value": 0})
        env.flush_all()
        with assert_query_count(99, at_most=True) as statements:
            as_user.write({"value": 3, "name": "same"})
            env.flush_all()
        counts.append(len(statements))
    assert counts[0] == counts[1]
