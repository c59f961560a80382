"""``ir.ui.view``: saving checks the combined arch; inheritance (extension order, primary
views, groups); ``get_views``/``get_view`` (Odoo 17's shape, tailored to the user, defaults,
cached per registry: no statement for views when warm, dropped when a view changes)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from erplite.exceptions import UserError, ValidationError

DOC = "test_security.document"


def make_view(env: Any, arch: str, **values: Any) -> Any:
    vals = {"name": f"view {uuid.uuid4().hex[:6]}", "model": DOC, "arch": arch, **values}
    return env["ir.ui.view"].create(vals)


def user_with(env: Any, *groups: str) -> Any:
    return env["res.users"].create(
        {
            "name": "Viewer",
            "login": f"viewer-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref(g).id for g in ("base.group_user", *groups)])],
        }
    )


# -- saving --------------------------------------------------------------------------------


def test_type_comes_from_the_arch_and_list_is_stored_as_tree(env):
    assert make_view(env, '<form><field name="name"/></form>').type == "form"
    assert make_view(env, '<list><field name="name"/></list>').type == "tree"
    assert make_view(env, '<tree><field name="name"/></tree>', type="list").type == "tree"
    view = make_view(
        env,
        '<kanban><templates><t t-name="kanban-box"><div><field name="name"/></div></t></templates></kanban>',
    )
    assert (view.type, view.priority, view.mode, view.active) == ("kanban", 16, "primary", True)


def test_inheriting_view_is_an_extension_of_the_parent_model_and_type(env):
    parent = make_view(env, '<form><field name="name"/></form>')
    child = make_view(
        env,
        '<field name="name" position="after"><field name="value"/></field>',
        inherit_id=parent.id,
        model=False,
    )
    assert (child.mode, child.model, child.type) == ("extension", DOC, "form")
    assert parent.inherit_children_ids == child


@pytest.mark.parametrize(
    ("arch", "values", "message"),
    [
        (
            '<form><field name="colour"/></form>',
            {},
            "field 'colour' does not exist on model 'test_security.document' (<field name=\"colour\">)",
        ),
        ("<form><field name='name'></form>", {}, "invalid XML: Opening and ending tag mismatch"),
        ('<calendar date_start="x"/>', {}, "unknown view type: root node <calendar"),
        ('<form><field name="name"/></form>', {"type": "gantt"}, "unknown view type 'gantt'"),
        (
            '<form><field name="name"/></form>',
            {"type": "tree"},
            "the root node of a tree view must be <tree> or <list>, not <form>",
        ),
        ('<form><label for="nope"/></form>', {}, "field 'nope' does not exist"),
        (
            '<form><header><button name="action_nothing" type="object"/></header></form>',
            {},
            "'action_nothing' is not a valid action on model 'test_security.document'",
        ),
        (
            '<form><button name="_private" type="object"/></form>',
            {},
            "'_private' is not a valid action",
        ),
        (
            '<form><field name="line_ids"><tree><field name="nope"/></tree></field></form>',
            {},
            "field 'nope' does not exist on model 'test_security.line'",
        ),
        (
            '<form><field name="name"><tree><field name="x"/></tree></field></form>',
            {},
            "field 'name' of model 'test_security.document' is not relational",
        ),
        (
            "<search><filter name=\"g\" context=\"{'group_by': 'nope:month'}\"/></search>",
            {},
            "field 'nope' (group_by) does not exist",
        ),
        ('<pivot><field name="nope" type="row"/></pivot>', {}, "field 'nope' does not exist"),
    ],
)
def test_invalid_archs_are_refused_with_the_node(env, arch, values, message):
    with pytest.raises(ValidationError) as failure:
        make_view(env, arch, **values)
    assert message in str(failure.value)
    assert str(failure.value).startswith("Invalid view ")


def test_error_names_the_xml_id_while_installing(env):
    with pytest.raises(ValidationError, match=r"^Invalid view mod\.view_x: field 'colour'"):
        env["ir.ui.view"].with_context(install_xmlid="mod.view_x").create(
            {"name": "x", "model": DOC, "arch": '<tree><field name="colour"/></tree>'}
        )


def test_an_extension_that_breaks_its_parent_is_refused(env):
    parent = make_view(env, '<form><group name="main"><field name="name"/></group></form>')
    # (each failure in a savepoint: the caller's transaction is rolled back, as the loader's)
    with pytest.raises(ValidationError, match=r"element <group name=\"other\"> cannot be located"):
        with env.cr.savepoint():
            make_view(
                env, '<group name="other"><field name="value"/></group>', inherit_id=parent.id
            )
    with pytest.raises(ValidationError, match="field 'colour' does not exist"):
        with env.cr.savepoint():
            make_view(
                env, '<group name="main"><field name="colour"/></group>', inherit_id=parent.id
            )
    with pytest.raises(ValidationError, match="field 'colour' does not exist"):
        with env.cr.savepoint():
            parent.write({"arch": '<form><field name="colour"/></form>'})


def test_graph_and_pivot_accept_the_count_measure(env):
    view = make_view(
        env,
        '<pivot><field name="user_id" type="row"/><field name="__count" type="measure"/></pivot>',
    )
    assert view.type == "pivot"


# -- inheritance ---------------------------------------------------------------------------


def test_extensions_apply_by_priority_then_id_depth_first(env):
    base = make_view(env, '<tree><field name="name"/></tree>')
    late = make_view(
        env,
        '<field name="name" position="after"><field name="value"/></field>',
        inherit_id=base.id,
        priority=20,
    )
    make_view(
        env,
        '<field name="name" position="after"><field name="user_id"/></field>',
        inherit_id=base.id,
        priority=5,
    )
    make_view(
        env,
        '<field name="value" position="after"><field name="company_id"/></field>',
        inherit_id=late.id,
    )
    arch = env[DOC].get_view(base.id, "list")["arch"]
    assert arch == (
        '<tree><field name="name"/><field name="value"/>'
        '<field name="company_id" can_create="true" can_write="true"/>'
        '<field name="user_id" can_create="true" can_write="true"/></tree>'
    )
    assert base._get_combined_arch() == late._get_combined_arch()


def test_primary_inheritance_makes_a_new_view_and_leaves_the_parent(env):
    base = make_view(
        env, '<form><group name="main"><field name="name"/></group></form>', priority=1
    )
    make_view(env, '<group name="main"><field name="value"/></group>', inherit_id=base.id)
    primary = make_view(
        env, '<field name="name" position="replace"/>', inherit_id=base.id, mode="primary"
    )
    assert primary.type == "form"
    assert (
        env[DOC].get_view(primary.id)["arch"]
        == '<form><group name="main"><field name="value"/></group></form>'
    )
    assert env[DOC].get_view(base.id)["arch"] == (
        '<form><group name="main"><field name="name"/><field name="value"/></group></form>'
    )
    # the lowest priority primary view is the default one
    assert env[DOC].get_view(view_type="form")["id"] == base.id


def test_an_extension_restricted_to_groups_applies_to_their_users_only(env):
    base = make_view(env, '<form><field name="name"/></form>', priority=1)
    make_view(
        env,
        '<field name="name" position="after"><field name="value"/></field>',
        inherit_id=base.id,
        groups_id=[(6, 0, [env.ref("test_security.group_manager").id])],
    )
    manager = user_with(env, "test_security.group_reader", "test_security.group_manager")
    reader = user_with(env, "test_security.group_reader")
    assert "value" in env[DOC].with_user(manager).get_view(base.id)["arch"]
    assert "value" not in env[DOC].with_user(reader).get_view(base.id)["arch"]


def test_archived_extensions_are_ignored(env):
    base = make_view(env, '<form><field name="name"/></form>')
    ext = make_view(
        env, '<field name="name" position="after"><field name="value"/></field>', inherit_id=base.id
    )
    ext.write({"active": False})
    assert env[DOC].get_view(base.id)["arch"] == '<form><field name="name"/></form>'


# -- get_views -------------------------------------------------------------------------------


def test_get_views_has_odoo_17_shape(env):
    form = make_view(
        env,
        '<form><field name="name"/><field name="line_ids"><tree><field name="amount"/></tree></field></form>',
        priority=1,
    )
    tree = make_view(env, '<list><field name="name"/><field name="value"/></list>', priority=1)
    result = env[DOC].get_views([[False, "list"], [form.id, "form"], [False, "search"]])
    assert set(result) == {"views", "models"}
    assert result["views"]["list"] == {
        "arch": '<tree><field name="name"/><field name="value"/></tree>',
        "id": tree.id,
        "model": DOC,
    }
    assert result["views"]["form"]["id"] == form.id
    assert result["views"]["search"] == {
        "arch": '<search><field name="name"/></search>',
        "id": False,
        "model": DOC,
    }
    assert set(result["models"]) == {DOC, "test_security.line"}
    assert set(result["models"][DOC]) == {"name", "value", "line_ids"}
    assert set(result["models"]["test_security.line"]) == {"amount"}
    line_ids = result["models"][DOC]["line_ids"]
    assert (line_ids["type"], line_ids["relation"], line_ids["relation_field"]) == (
        "one2many",
        "test_security.line",
        "document_id",
    )
    assert "groupable" not in line_ids  # only the view attributes of fields_get
    single = env[DOC].get_view(form.id, "form")
    assert set(single) == {"arch", "id", "model", "models"}
    assert single["models"] == {DOC: ("name", "line_ids"), "test_security.line": ("amount",)}


def test_groups_on_nodes_and_fields_are_stripped_for_users_lacking_them(env):
    view = make_view(
        env,
        '<form><header><button name="action_archive" type="object" groups="base.group_system"/></header>'
        '<group><field name="name"/><label for="secret"/><field name="secret"/>'
        '<field name="not_for_managers"/><field name="value" groups="!test_security.group_reader"/></group></form>',
    )
    reader = user_with(env, "test_security.group_reader")
    secret = user_with(env, "test_security.group_reader", "test_security.group_secret")
    arch = env[DOC].with_user(reader).get_view(view.id)["arch"]
    assert (
        arch
        == '<form><header/><group><field name="name"/><field name="not_for_managers"/></group></form>'
    )
    result = env[DOC].with_user(secret).get_views([[view.id, "form"]])
    assert '<label for="secret"/><field name="secret"/>' in result["views"]["form"]["arch"]
    assert set(result["models"][DOC]) == {"name", "secret", "not_for_managers"}
    admin_arch = env[DOC].get_view(view.id)["arch"]
    assert 'name="action_archive"' in admin_arch and "groups=" not in admin_arch


def test_relational_fields_say_whether_the_user_may_create_and_write(env):
    view = make_view(env, '<form><field name="tag_ids"/><field name="partner_id"/></form>')
    reader = user_with(env, "test_security.group_reader")
    arch = env[DOC].with_user(reader).get_view(view.id)["arch"]
    assert '<field name="tag_ids" can_create="true" can_write="true"/>' in arch
    portal = env["res.users"].create(
        {
            "name": "P",
            "login": f"p-{uuid.uuid4().hex[:6]}",
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )
    arch = (
        env["res.partner"]
        .with_user(portal)
        .get_view(make_view(env, '<form><field name="parent_id"/></form>', model="res.partner").id)[
            "arch"
        ]
    )
    assert '<field name="parent_id" can_create="false" can_write="false"/>' in arch


def test_defaults_when_a_model_has_no_view(env):
    result = env["test_security.tag"].get_views(
        [
            [False, "list"],
            [False, "form"],
            [False, "search"],
            [False, "kanban"],
            [False, "pivot"],
            [False, "graph"],
        ]
    )
    views = result["views"]
    assert views["list"]["arch"] == '<tree><field name="name"/></tree>'
    assert views["search"]["arch"] == '<search><field name="name"/></search>'
    assert views["form"]["id"] is False
    assert views["form"]["arch"].startswith(
        '<form><sheet string="Secured Tag"><group><group><field name="name"/>'
    )
    assert (
        '<field name="kanban-box"' not in views["kanban"]["arch"]
        and 'name="name"' in views["kanban"]["arch"]
    )
    assert (views["pivot"]["arch"], views["graph"]["arch"]) == ("<pivot/>", "<graph/>")
    doc_form = env[DOC].get_view(view_type="form")["arch"]
    # x2many and long fields get a row of their own, the others two columns
    assert '<group><field name="tag_ids" can_create="true" can_write="true"/></group>' in doc_form
    assert '<group><field name="line_ids"/></group>' in doc_form


def test_view_ref_context_and_errors(env):
    view = make_view(env, '<tree><field name="value"/></tree>', priority=99)
    env["ir.model.data"].create(
        {"module": "test_views", "name": "doc_tree", "model": "ir.ui.view", "res_id": view.id}
    )
    assert (
        env[DOC].with_context(tree_view_ref="test_views.doc_tree").get_view(view_type="tree")["id"]
        == view.id
    )
    with pytest.raises(UserError, match="is a view of test_security.document, not of res.partner"):
        env["res.partner"].get_view(view.id, "tree")


def test_warm_get_views_sends_no_statement_and_a_change_is_seen(env, assert_query_count):
    view = make_view(env, '<tree><field name="name"/></tree>', priority=0)
    model = env[DOC]
    model.get_views([[False, "list"], [False, "form"], [False, "search"]])
    with assert_query_count(0):
        result = model.get_views([[False, "list"], [False, "form"], [False, "search"]])
    assert result["views"]["list"]["id"] == view.id
    view.write({"arch": '<tree><field name="name"/><field name="value"/></tree>'})
    assert "value" in model.get_views([[False, "list"]])["views"]["list"]["arch"]
    view.unlink()
    assert model.get_views([[False, "list"]])["views"]["list"]["id"] != view.id


def test_warm_get_views_of_a_user_sends_no_statement(env, registry, assert_query_count):
    make_view(env, '<tree><field name="name"/><field name="secret"/></tree>', priority=0)
    reader = user_with(env, "test_security.group_reader")
    model = env[DOC].with_user(reader)
    model.get_views([[False, "list"], [False, "search"]])
    with assert_query_count(0):
        assert model.get_views([[False, "list"], [False, "search"]])["views"]["list"]["arch"] == (
            '<tree><field name="name"/></tree>'
        )


def test_a_view_changed_by_another_process_is_seen_after_the_signal(own_registry):
    """Two registries of one database stand for two worker processes: a view committed by one
    is served by the other once it reads the signal (as every request does)."""
    from erplite import SUPERUSER_ID, Registry, api
    from erplite.security import check_access_signal

    other = Registry(own_registry.dsn, addons_paths=own_registry.addons_paths)
    with own_registry.cursor() as cr:
        view = make_view(
            api.Environment(cr, SUPERUSER_ID, {}),
            '<tree><field name="name"/></tree>',
            model="test_security.tag",
            priority=0,
        )
        view_id = view.id
    try:
        with other.cursor() as cr:
            check_access_signal(other, cr)
            env = api.Environment(cr, SUPERUSER_ID, {})
            assert env["test_security.tag"].get_view(view_type="list")["id"] == view_id
        with own_registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.ui.view"].browse(view_id).write(
                {"arch": '<tree><field name="name"/><field name="id"/></tree>'}
            )
        with other.cursor() as cr:
            assert check_access_signal(other, cr)  # the cached answers are dropped
            arch = api.Environment(cr, SUPERUSER_ID, {})["test_security.tag"].get_view(
                view_type="list"
            )["arch"]
            assert arch == '<tree><field name="name"/><field name="id"/></tree>'
    finally:
        with own_registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.ui.view"].browse(view_id).unlink()
