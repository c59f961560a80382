"""Record rules (``ir.rule``): global rules intersected, group rules united then intersected
with them, per-operation flags, ``domain_force`` evaluation, rules compiled into the SQL of
every read path, checks of write/unlink before and of create after, ``_inherits`` parents."""

from __future__ import annotations

import pytest

from erplite import security
from erplite.exceptions import AccessError, MissingError
from erplite.tools.safe_eval import SafeEvalError

DOC = "test_security.document"


@pytest.fixture
def docs(env):
    """Six documents, values 1..6, all in the main company."""
    return env[DOC].create([{"name": f"D{i}", "value": i} for i in range(1, 7)])


@pytest.fixture
def manager(make_user):
    return make_user(groups=("base.group_user", "test_security.group_manager"))


def rule(env, domain, groups=(), model=DOC, **perms):
    values = {
        "name": f"rule {domain}",
        "model_id": env["ir.model"]._get_id(model),
        "domain_force": domain,
        "groups": [(6, 0, [env.ref(g).id for g in groups])],
    }
    values.update({f"perm_{mode}": flag for mode, flag in perms.items()})
    return env["ir.rule"].create(values)


def visible(env, user, model=DOC):
    return sorted(env[model].with_user(user).search([]).mapped("name"))


def test_no_rule_no_restriction(env, docs, manager):
    assert visible(env, manager) == ["D1", "D2", "D3", "D4", "D5", "D6"]


def test_global_rules_are_intersected(env, docs, manager):
    rule(env, "[('value', '>=', 2)]")
    rule(env, "[('value', '<=', 4)]")
    assert visible(env, manager) == ["D2", "D3", "D4"]


def test_rule_global_field_is_named_global(env, docs, manager):
    """Odoo 17's ``ir.rule.global`` (a Python keyword, set on the class with setattr):
    item access, ``getattr``, ``read``, domains and the column all use the name ``global``,
    and it follows the rule's groups."""
    everyone = rule(env, "[('value', '>=', 2)]")
    managers = rule(env, "[('value', '<=', 4)]", groups=("test_security.group_manager",))
    Rule = env["ir.rule"]
    assert "global" in Rule._fields and "global_" not in Rule._fields
    assert everyone["global"] is True and getattr(managers, "global") is False
    assert (everyone | managers).read(["global"]) == [
        {"id": everyone.id, "global": True},
        {"id": managers.id, "global": False},
    ]
    mine = [("id", "in", (everyone | managers).ids)]
    assert Rule.search([*mine, ("global", "=", True)]) == everyone
    assert Rule.search([*mine, ("global", "=", False)]) == managers
    managers.groups = [(5, 0, 0)]  # no group left: global, and applied to everyone
    assert managers["global"] is True
    env.flush_all()
    env.cr.execute('SELECT "global" FROM ir_rule WHERE id = %s', [managers.id])
    assert env.cr.fetchone() == (True,)
    assert visible(env, manager) == ["D2", "D3", "D4"]


def test_group_rules_are_united_then_intersected_with_globals(env, docs, manager):
    rule(env, "[('value', '<=', 5)]")  # global
    rule(env, "[('value', '=', 1)]", groups=("test_security.group_manager",))
    rule(env, "[('value', 'in', (3, 6))]", groups=("test_security.group_editor",))  # implied group
    # (1 or 3 or 6) and <= 5
    assert visible(env, manager) == ["D1", "D3"]


def test_user_outside_every_rule_group_gets_only_the_globals(env, docs, make_user):
    rule(env, "[('value', '<=', 5)]")
    rule(env, "[('value', '=', 1)]", groups=("test_security.group_secret",))
    reader = make_user(groups=("base.group_user", "test_security.group_reader"))
    assert visible(env, reader) == ["D1", "D2", "D3", "D4", "D5"]


def test_empty_domain_group_rule_opens_everything_the_globals_allow(env, docs, manager):
    rule(env, "[('value', '>', 3)]")
    rule(env, "[('value', '=', 4)]", groups=("test_security.group_manager",))
    rule(env, "", groups=("test_security.group_editor",))
    assert visible(env, manager) == ["D4", "D5", "D6"]


def test_inactive_rules_do_not_apply(env, docs, manager):
    restriction = rule(env, "[('value', '=', 1)]")
    assert visible(env, manager) == ["D1"]
    restriction.write({"active": False})
    assert len(visible(env, manager)) == 6


def test_superuser_and_sudo_ignore_rules(env, docs, manager):
    rule(env, "[(0, '=', 1)]")
    assert visible(env, manager) == []
    assert len(env[DOC].search([])) >= 6
    assert len(env[DOC].with_user(manager).sudo().search([])) >= 6


def test_per_operation_flags(env, docs, manager):
    rule(env, "[('value', '<=', 3)]", read=False, create=False, unlink=False)  # write only
    as_manager = docs.with_user(manager)
    assert visible(env, manager) == ["D1", "D2", "D3", "D4", "D5", "D6"]
    as_manager[:3].write({"name": "ok"})
    with pytest.raises(AccessError):
        as_manager[4].write({"name": "refused"})
    as_manager[5].unlink()  # unlink is not restricted
    assert env[DOC].with_user(manager).create({"name": "D9", "value": 9})


# -- domain_force evaluation ------------------------------------------------------------------


def test_domain_force_sees_user_and_companies(env, make_user, company_b):
    main = env.ref("base.main_company")
    manager = make_user(
        groups=("base.group_user", "test_security.group_manager"), companies=main | company_b
    )
    other = make_user(groups=("base.group_user", "test_security.group_manager"))
    env[DOC].create(
        [
            {"name": "mine", "user_id": manager.id},
            {"name": "theirs", "user_id": other.id},
            {"name": "b", "user_id": other.id, "company_id": company_b.id},
        ]
    )
    owner_rule = rule(env, "['|', ('user_id', '=', user.id), ('company_id', '=', company_id)]")
    names = set(visible(env, manager))
    assert "mine" in names and "theirs" in names and "b" not in names
    owner_rule.write(
        {"domain_force": "[('company_id', 'in', company_ids), ('user_id.login', '=', user.login)]"}
    )
    assert visible(env, manager) == ["mine"]
    assert visible(env, other) == ["theirs"]
    owner_rule.write(
        {
            "domain_force": "[('user_id', '=', user), ('create_date', '<=', time.strftime('%Y-12-31 23:59:59'))]"
        }
    )
    assert visible(env, manager) == ["mine"]


def test_domain_force_is_not_python(env, docs, manager):
    rule(env, "[('name', '=', ().__class__.__name__)]")
    with pytest.raises(SafeEvalError):
        env[DOC].with_user(manager).search([])


def test_domain_force_user_attributes_are_whitelisted(env, docs, manager):
    rule(env, "[('name', '=', user.password)]")
    with pytest.raises(SafeEvalError):
        env[DOC].with_user(manager).search([])


# -- compiled into every read path -------------------------------------------------------------


def test_rules_filter_search_count_read_group_and_name_search(env, docs, manager):
    rule(env, "[('value', 'in', (2, 4, 6))]")
    model = env[DOC].with_user(manager)
    assert model.search_count([]) == 3
    assert [r["name"] for r in model.search_read([], ["name"])] == ["D2", "D4", "D6"]
    assert [name for _id, name in model.name_search("D")] == ["D2", "D4", "D6"]
    groups = model.read_group([], ["value:sum"], [])
    assert groups[0]["value"] == 12 and groups[0]["__count"] == 3
    assert model._read_group([], ["active"], ["value:max"]) == [(True, 6)]


def test_rules_are_sql_not_id_lists(env, docs, manager, assert_query_count):
    """The rule becomes a condition (a sub-query for a path) in the search's only statement."""
    docs[:2].write({"user_id": manager.id})
    rule(env, "[('user_id.login', '=', user.login)]")
    model = env[DOC].with_user(manager)
    assert model.search([]) == docs[:2]  # warm the caches
    with assert_query_count(1) as statements:
        assert model.search([("name", "like", "D")]) == docs[:2]
    text = (
        statements[0].as_string(None) if hasattr(statements[0], "as_string") else str(statements[0])
    )
    assert "res_users" in text and "login" in text


def test_reading_a_hidden_record_raises(env, docs, manager):
    rule(env, "[('value', '!=', 3)]")
    hidden = docs[2].with_user(manager)
    with pytest.raises(AccessError) as info:
        hidden.read(["name"])
    message = str(info.value)
    assert "doesn't have 'read' access to:\n- Secured Document (test_security.document)" in message
    # no technical details for users without "technical features"
    assert "Blame" not in message and "Records:" not in message
    env.invalidate_all()
    with pytest.raises(AccessError):
        hidden.name  # noqa: B018
    # browsing a mix: the visible ones read fine through search
    assert docs.with_user(manager).filtered_domain([("value", "in", (1, 2))]).mapped("name") == [
        "D1",
        "D2",
    ]


def test_technical_users_are_told_the_rules(env, docs, make_user):
    user = make_user(groups=("base.group_user", "test_security.group_manager", "base.group_no_one"))
    rule(env, "[('value', '!=', 3)]").write({"name": "Not three"})
    with pytest.raises(AccessError) as info:
        docs[2].with_user(user).read(["name"])
    assert "Blame the following rules:\n- Not three" in str(info.value)


def test_check_access_rule_and_filter_access_rules(env, docs, manager):
    rule(env, "[('value', '>', 4)]", read=False)
    as_manager = docs.with_user(manager)
    assert as_manager._filter_access_rules("write").mapped("name") == ["D5", "D6"]
    assert as_manager._filter_access_rules("read") == as_manager
    as_manager[4:].check_access_rule("write")
    with pytest.raises(AccessError):
        as_manager.check_access_rule("write")
    # deleted records: nothing to say for read and unlink, MissingError for write
    gone = env[DOC].create({"name": "gone", "value": 1})
    gone_id = gone.id
    gone.unlink()
    ghost = env[DOC].with_user(manager).browse(gone_id)
    ghost.check_access_rule("read")
    ghost.check_access_rule("unlink")
    with pytest.raises(MissingError):
        ghost.check_access_rule("write")


# -- write, unlink, create ---------------------------------------------------------------------


def test_write_is_checked_before_changing_anything(env, docs, manager):
    rule(env, "[('value', '<', 5)]", read=False)
    with pytest.raises(AccessError):
        docs.with_user(manager).write({"name": "changed"})
    env.invalidate_all()
    assert docs.mapped("name") == ["D1", "D2", "D3", "D4", "D5", "D6"]


def test_unlink_is_checked_before_deleting_anything(env, docs, manager):
    rule(env, "[('value', '<', 5)]", read=False, write=False, create=False)
    with pytest.raises(AccessError):
        docs.with_user(manager).unlink()
    assert len(docs.exists()) == 6
    docs[:4].with_user(manager).unlink()
    assert len(docs.exists()) == 2


def test_create_is_checked_on_the_inserted_rows_and_undone(env, manager):
    rule(env, "[('value', '<', 10)]", read=False, write=False, unlink=False)
    model = env[DOC].with_user(manager)
    ok = model.create({"name": "small", "value": 1, "line_ids": [(0, 0, {"name": "l"})]})
    assert ok.value == 1
    lines_before = env["test_security.line"].search_count([])
    with pytest.raises(AccessError):
        model.create(
            [
                {"name": "fine", "value": 2},
                {"name": "big", "value": 50, "line_ids": [(0, 0, {"name": "x"})]},
            ]
        )
    # the caller caught the error: nothing of the refused creation remains
    assert env[DOC].search_count([("name", "in", ("fine", "big"))]) == 0
    assert env["test_security.line"].search_count([]) == lines_before
    assert ok.exists() and ok.name == "small"


def test_inherits_parent_rules_apply_to_children(env, manager):
    children = env["test_security.child"].create(
        [{"name": f"C{i}", "value": i, "note": "n"} for i in range(1, 5)]
    )
    rule(env, "[('value', '>=', 3)]")  # on the parent model
    as_manager = env["test_security.child"].with_user(manager)
    assert sorted(as_manager.search([]).mapped("name")) == ["C3", "C4"]
    with pytest.raises(AccessError):
        children[0].with_user(manager).write({"note": "x"})
    children[3].with_user(manager).write({"note": "x"})
    # a child created against the parent's rule is refused and undone
    with pytest.raises(AccessError):
        as_manager.create({"name": "C0", "value": 0})
    assert env[DOC].search_count([("name", "=", "C0")]) == 0


# -- the cache -----------------------------------------------------------------------------------


def test_rule_cache_key_includes_allowed_companies(env, make_user, company_b):
    main = env.ref("base.main_company")
    user = make_user(
        groups=("base.group_user", "test_security.group_manager"), companies=main | company_b
    )
    env[DOC].create(
        [{"name": "in main", "company_id": main.id}, {"name": "in b", "company_id": company_b.id}]
    )
    rule(env, "[('company_id', 'in', company_ids)]")
    model = env[DOC].with_user(user)
    assert visible(env, user) == ["in b", "in main"]
    assert model.with_context(allowed_company_ids=[company_b.id]).search([]).mapped("name") == [
        "in b"
    ]
    assert model.with_context(allowed_company_ids=[main.id]).search([]).mapped("name") == [
        "in main"
    ]
    keys = [
        k for k in security.shared_cache(env) if k[0] == "rules" and k[2] == DOC and k[1] == user.id
    ]
    assert {k[4] for k in keys} >= {(), (company_b.id,), (main.id,)}


def test_rule_changes_invalidate(env, docs, manager):
    restriction = rule(env, "[('value', '=', 1)]")
    assert visible(env, manager) == ["D1"]
    restriction.write({"domain_force": "[('value', '=', 2)]"})
    assert visible(env, manager) == ["D2"]
    restriction.write({"groups": [(4, env.ref("test_security.group_secret").id)]})
    assert len(visible(env, manager)) == 6  # no longer global, and not the user's group
    restriction.unlink()
    assert len(visible(env, manager)) == 6


def test_x2many_values_follow_the_comodel_rules(env, manager):
    doc = env[DOC].create(
        {
            "name": "with lines",
            "line_ids": [(0, 0, {"name": f"L{i}", "amount": i}) for i in range(4)],
            "tag_ids": [(0, 0, {"name": "t-visible"}), (0, 0, {"name": "t-hidden"})],
        }
    )
    rule(env, "[('amount', '>=', 2)]", model="test_security.line")
    rule(env, "[('name', '!=', 't-hidden')]", model="test_security.tag")
    env.invalidate_all()
    as_manager = doc.with_user(manager)
    assert as_manager.line_ids.mapped("name") == ["L2", "L3"]
    assert as_manager.tag_ids.mapped("name") == ["t-visible"]
    values = as_manager.read(["line_ids", "tag_ids"])[0]
    assert len(values["line_ids"]) == 2 and len(values["tag_ids"]) == 1
    env.invalidate_all()
    assert len(doc.line_ids) == 4 and len(doc.tag_ids) == 2


def test_a_path_through_a_many2one_applies_the_comodel_rules(env, docs, manager):
    """Searching lines through ``document_id.name`` joins the documents with their rules: a
    line whose document the user cannot see is not found, whatever the domain says."""
    env["test_security.line"].create(
        [{"document_id": doc.id, "name": f"L{doc.value}", "amount": doc.value} for doc in docs]
    )
    rule(env, "[('value', '<=', 3)]")
    Line = env["test_security.line"].with_user(manager)
    found = Line.sudo(False).search([("document_id.name", "like", "D")])
    assert sorted(found.sudo().mapped("name")) == ["L1", "L2", "L3"]
    assert Line.search_count([("document_id.value", ">", 2)]) == 1
    assert Line.search([("document_id", "any", [])]).sudo().mapped("name") == ["L1", "L2", "L3"]
