"""Record rules written with Odoo's prefix operators ``|``, ``&`` and ``!``: a rule lets the
user see exactly the records a search of the same domain without rules finds, on every path
that applies rules (the search's SQL, the count, the read checks on cached values, the write
checks), as a global rule and as a group rule."""

from __future__ import annotations

import ast

import pytest

DOC = "test_security.document"

ALL = ["D1", "D2", "D3", "D4", "D5", "D6"]
#: (domain_force, the documents it lets through): D1..D6 have the values 0..5, the user owns
#: D2 and D3
DOMAINS = [
    # every id is above 0: the rule refused every record when 0 became NULL in its SQL
    ("['|', ('id', '>', 0), ('id', '=', 0)]", ALL),
    ("[('id', '!=', 0)]", ALL),
    ("[('id', 'not in', [0])]", ALL),
    ("['!', ('id', '<=', 0)]", ALL),
    ("['|', ('value', '<', 2), ('value', '>', 5)]", ["D1", "D2"]),
    ("['&', ('value', '>', 1), ('value', '<', 4)]", ["D3", "D4"]),
    ("['!', ('value', '=', 3)]", ["D1", "D2", "D3", "D5", "D6"]),
    ("['!', '|', ('value', '<', 3), ('value', '>', 4)]", ["D4", "D5"]),
    (
        "['|', '!', ('value', '>', 2), '&', ('name', '=', 'D5'), ('id', '>', 0)]",
        ["D1", "D2", "D3", "D5"],
    ),
    ("['|', ('user_id', '=', {uid}), '!', ('value', '>=', 5)]", ["D1", "D2", "D3", "D4", "D5"]),
    (
        "['&', '!', ('name', 'in', ['D2', 'D4']), '|', ('value', '=', 0), ('value', '>', 1)]",
        ["D1", "D3", "D5", "D6"],
    ),
    ("[('value', '>', 1), '|', ('name', '=', 'D2'), ('name', '=', 'D6')]", ["D6"]),
]


@pytest.fixture
def docs(env):
    """Six documents, values 0..5, owned by the superuser."""
    return env[DOC].create([{"name": f"D{i}", "value": i - 1} for i in range(1, 7)])


@pytest.fixture
def user(make_user, docs):
    user = make_user(groups=("base.group_user", "test_security.group_manager"))
    docs[1:3].write({"user_id": user.id})
    return user


def make_rule(env, domain, groups=()):
    return env["ir.rule"].create(
        {
            "name": f"rule {domain}",
            "model_id": env["ir.model"]._get_id(DOC),
            "domain_force": domain,
            "groups": [(6, 0, [env.ref(g).id for g in groups])],
        }
    )


def expected(env, docs, domain):
    """The documents a search of ``domain`` without rules finds."""
    terms = ast.literal_eval(domain)
    found = env[DOC].search([("id", "in", docs.ids), *terms])
    assert found == docs.filtered_domain(terms)
    return found


@pytest.mark.parametrize(("domain", "names"), DOMAINS)
def test_global_rule_shows_what_its_domain_finds(env, docs, user, domain, names):
    domain = domain.format(uid=user.id)
    wanted = expected(env, docs, domain)
    assert wanted.mapped("name") == names
    make_rule(env, domain)
    as_user = env[DOC].with_user(user)
    assert as_user.search([("id", "in", docs.ids)]).ids == wanted.ids
    assert as_user.search_count([("id", "in", docs.ids)]) == len(wanted)
    # the read checks on cached values (the rule evaluated in Python) agree with the SQL
    docs.mapped("name")
    readable = docs.with_user(user)._filter_read_passed()
    assert readable == wanted.ids
    assert docs.with_user(user)._filter_access_rules("write") == wanted.with_user(user)


@pytest.mark.parametrize(("domain", "names"), DOMAINS)
def test_group_rule_shows_what_its_domain_finds(env, docs, user, domain, names):
    domain = domain.format(uid=user.id)
    wanted = expected(env, docs, domain)
    make_rule(env, domain, groups=("test_security.group_manager",))
    make_rule(env, "[('value', '=', 5)]", groups=("test_security.group_manager",))
    as_user = env[DOC].with_user(user)
    united = wanted | docs.filtered(lambda d: d.value == 5)
    assert as_user.search([("id", "in", docs.ids)]).mapped("name") == sorted({*names, "D6"})
    env.invalidate_all()
    assert sorted(as_user.browse(docs.ids)._filter_read_passed()) == sorted(united.ids)


def test_global_or_rule_intersected_with_another(env, docs, user):
    make_rule(env, "['|', ('id', '>', 0), ('id', '=', 0)]")
    make_rule(env, "['|', ('value', '=', 1), ('value', '=', 4)]")
    as_user = env[DOC].with_user(user)
    assert as_user.search([("id", "in", docs.ids)]).mapped("name") == ["D2", "D5"]
