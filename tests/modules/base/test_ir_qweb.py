"""``ir.qweb``: templates stored as ``ir.ui.view`` of type ``qweb``, rendered by xml id, view id
or inline; checked when saved; compiled once per registry and dropped when views change;
records read through the ORM as the user."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lxml import html

from erplite.exceptions import AccessError, ValidationError
from erplite.tools.qweb import QWebError


def make_template(env: Any, arch: str, xml_id: str | None = None, **values: Any) -> Any:
    view = env["ir.ui.view"].create(
        {"name": f"tmpl {uuid.uuid4().hex[:6]}", "arch": arch, **values}
    )
    if xml_id:
        module, name = xml_id.split(".")
        env["ir.model.data"].create(
            {"module": module, "name": name, "model": "ir.ui.view", "res_id": view.id}
        )
    return view


def test_a_t_root_makes_a_qweb_view_without_model(env: Any) -> None:
    view = make_template(env, '<t t-name="x"><p>hi</p></t>')
    assert (view.type, view.model, view.mode) == ("qweb", False, "primary")


def test_render_by_xml_id_and_by_id_with_t_call(env: Any) -> None:
    make_template(env, '<t t-name="t.layout"><div class="l"><t t-out="0"/></div></t>', "t.layout")
    page = make_template(
        env,
        '<t t-name="t.page"><t t-call="t.layout"><b t-out="word"/></t></t>',
        "t.page",
    )
    assert env["ir.qweb"]._render("t.page", {"word": "<w>"}) == (
        '<div class="l"><b>&lt;w&gt;</b></div>'
    )
    assert env["ir.qweb"]._render(page.id, {"word": "x"}) == '<div class="l"><b>x</b></div>'


def test_an_extension_view_changes_the_template(env: Any) -> None:
    base = make_template(env, '<t t-name="t.base"><p>one</p></t>', "t.base")
    make_template(env, '<xpath expr="//p" position="after"><p>two</p></xpath>', inherit_id=base.id)
    assert env["ir.qweb"]._render("t.base") == "<p>one</p><p>two</p>"


def test_an_invalid_template_is_refused_when_saved_naming_the_node(env: Any) -> None:
    with pytest.raises(ValidationError) as info:
        make_template(env, '<t t-name="bad">\n<p t-out="().__class__"/></t>')
    message = str(info.value)
    assert "line 2" in message and "().__class__" in message and "not allowed" in message
    with pytest.raises(ValidationError, match="unknown directive t-bogus"):
        make_template(env, '<t t-name="bad"><p t-bogus="1"/></t>')


def test_unknown_templates(env: Any) -> None:
    with pytest.raises(QWebError, match="template not found"):
        env["ir.qweb"]._render("t.nowhere")
    assert env["ir.qweb"]._render("t.nowhere", raise_if_not_found=False) == ""
    form_view = env["ir.ui.view"].search([("type", "=", "form")], limit=1)
    with pytest.raises(QWebError, match="template not found"):
        env["ir.qweb"]._render(form_view.id)


def test_inline_template_as_mail_bodies_use_it(env: Any) -> None:
    partner = env["res.partner"].create({"name": "Azure <Interior>"})
    body = html.fragment_fromstring(
        '<p>Dear <t t-out="object.name"/>,<br>your id is <t t-out="object.id"/>.</p>'
    )
    assert env["ir.qweb"]._render(body, {"object": partner}) == (
        f"<p>Dear Azure &lt;Interior&gt;,<br/>your id is {partner.id}.</p>"
    )


def test_records_expose_fields_relations_and_iteration(env: Any) -> None:
    company = env["res.partner"].create({"name": "Deco", "is_company": True})
    env["res.partner"].create([{"name": n, "parent_id": company.id} for n in ("Ann", "Bob")])
    arch = (
        '<t><t t-out="p.name"/>:<t t-foreach="p.child_ids" t-as="c">'
        '<i t-out="c.parent_id.name"/><t t-out="c.name"/></t>:<t t-out="len(p.child_ids)"/>'
        ':<t t-out="user.name"/></t>'
    )
    result = env["ir.qweb"]._render(html.fragment_fromstring(arch), {"p": company})
    assert result == f"Deco:<i>Deco</i>Ann<i>Deco</i>Bob:2:{env.user.name}"


def test_records_expose_no_methods(env: Any) -> None:
    partner = env["res.partner"].create({"name": "P"})
    for expression in ("p.unlink()", "p.env", "p.sudo()", "p._records"):
        with pytest.raises(QWebError, match="not allowed"):
            env["ir.qweb"]._render(
                html.fragment_fromstring(f'<p t-out="{expression}"/>'), {"p": partner}
            )
    assert partner.exists()


def test_templates_read_as_the_user(env: Any, internal_user: Any) -> None:
    parameter = env["ir.config_parameter"].create({"key": "t.secret", "value": "s3cret"})
    arch = html.fragment_fromstring('<p t-out="v.value"/>')
    assert env["ir.qweb"]._render(arch, {"v": parameter}) == "<p>s3cret</p>"
    env.flush_all()
    env.invalidate_all()  # nothing cached: the template's read is the user's own
    as_user = env["ir.qweb"].with_user(internal_user)
    with pytest.raises(AccessError):
        as_user._render(arch, {"v": parameter.with_user(internal_user)})


def test_compiled_once_per_registry_and_dropped_when_a_view_changes(env: Any) -> None:
    view = make_template(env, '<t t-name="t.c"><b>v1</b></t>', "t.c")
    qweb = env["ir.qweb"]
    assert qweb._render("t.c") == "<b>v1</b>"
    compiled = qweb._compiled_templates()
    assert "t.c" in compiled
    template = compiled["t.c"]
    assert qweb._render("t.c") == "<b>v1</b>"
    assert qweb._compiled_templates()["t.c"] is template
    view.arch = '<t t-name="t.c"><b>v2</b></t>'
    assert "t.c" not in qweb._compiled_templates()
    assert qweb._render("t.c") == "<b>v2</b>"


def test_warm_render_sends_no_statement(env: Any, assert_query_count: Any) -> None:
    make_template(env, '<t t-name="t.w"><b t-out="n"/></t>', "t.w")
    env["ir.qweb"]._render("t.w", {"n": 1})
    env.flush_all()
    with assert_query_count(0):
        assert env["ir.qweb"]._render("t.w", {"n": 2}) == "<b>2</b>"


def test_blank_text_between_elements_is_output(env: Any) -> None:
    base = make_template(env, '<t t-name="t.s"><t t-out="a"/> <t t-out="b"/></t>', "t.s")
    make_template(
        env,
        '<xpath expr="." position="inside"><b t-out="c"/> <i>d</i></xpath>',
        inherit_id=base.id,
    )
    assert env["ir.qweb"]._render("t.s", {"a": 1, "b": 2, "c": 3}) == "1 2<b>3</b> <i>d</i>"


def test_templates_of_a_module_s_data_file_install_and_render(
    tmp_path: Any, clone_database: Any, erplite_addons_paths: tuple
) -> None:
    from erplite import SUPERUSER_ID, Registry, api
    from erplite.sql import close_pool

    module = tmp_path / "qweb_demo"
    (module / "views").mkdir(parents=True)
    (module / "__init__.py").write_text("")
    (module / "__manifest__.py").write_text(
        "{'name': 'QWeb demo', 'version': '17.0.1.0', 'depends': ['base'],"
        " 'data': ['views/templates.xml'], 'license': 'LGPL-3'}"
    )
    (module / "views" / "templates.xml").write_text(
        """<?xml version="1.0"?>
<odoo>
    <template id="layout"><div class="layout"><t t-out="0"/></div></template>
    <template id="greeting" name="Greeting">
        <t t-call="qweb_demo.layout">Dear <t t-out="partner.name"/>,</t>
    </template>
    <template id="greeting_signed" inherit_id="greeting">
        <xpath expr="//t[@t-call]" position="inside"> Regards</xpath>
    </template>
</odoo>
"""
    )
    dsn = clone_database()
    registry = Registry.new(
        dsn, install=("qweb_demo",), addons_paths=(*erplite_addons_paths, str(tmp_path))
    )
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            view = env.ref("qweb_demo.greeting")
            assert (view.type, view.key, view.name) == ("qweb", "qweb_demo.greeting", "Greeting")
            partner = env["res.partner"].create({"name": "Ann & Bob"})
            html = env["ir.qweb"]._render("qweb_demo.greeting", {"partner": partner})
            assert " ".join(html.split()) == '<div class="layout">Dear Ann &amp; Bob, Regards</div>'
    finally:
        close_pool(dsn)


def test_an_inline_template_is_compiled_once_by_its_text(env: Any, monkeypatch: Any) -> None:
    from erplite.tools.qweb import QWeb

    compiled = []
    original = QWeb.compile

    def counting(self: Any, arch: Any, name: str = "<inline>") -> Any:
        compiled.append(name)
        return original(self, arch, name)

    monkeypatch.setattr(QWeb, "compile", counting)
    partners = env["res.partner"].create([{"name": "A"}, {"name": "B"}])
    body = '<p>Dear <t t-out="object.name"/></p>'
    rendered = [
        env["ir.qweb"]._render(html.fragment_fromstring(body), {"object": partner})
        for partner in partners
    ]
    assert rendered == ["<p>Dear A</p>", "<p>Dear B</p>"]
    assert compiled == ["<inline>"]
