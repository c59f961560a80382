"""The server-side QWeb renderer (erplite.tools.qweb), without a database: every directive,
escaping, refused expressions and the t-call depth limit."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from erplite.tools import qweb as qweb_module
from erplite.tools.qweb import QWeb, QWebError, render


def test_text_and_static_attributes_are_written_escaped() -> None:
    assert render('<p class="a&amp;b">1 &lt; 2</p>') == '<p class="a&amp;b">1 &lt; 2</p>'


def test_t_element_renders_its_content_only_and_comments_are_dropped() -> None:
    assert render("<t><!-- note --><b>x</b>y</t>") == "<b>x</b>y"


def test_void_elements_close_themselves_and_empty_elements_do_not() -> None:
    assert render("<div><br/><span/></div>") == "<div><br/><span></span></div>"


# -- t-out / t-esc -----------------------------------------------------------------------------


def test_t_out_escapes_text() -> None:
    assert render('<p t-out="v"/>', {"v": "<script>x</script>"}) == (
        "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    )


def test_t_out_keeps_markup_and_objects_with_html_as_they_are() -> None:
    class Sanitised:
        def __html__(self) -> str:
            return "<b>safe</b>"

    assert render('<p t-out="v"/>', {"v": Markup("<i>ok</i>")}) == "<p><i>ok</i></p>"
    assert render('<p t-out="v"/>', {"v": Sanitised()}) == "<p><b>safe</b></p>"


def test_t_esc_is_t_out() -> None:
    assert render('<t t-esc="v"/>', {"v": "a&b"}) == "a&amp;b"
    assert render('<t t-esc="v"/>', {"v": Markup("a&amp;b")}) == "a&amp;b"


def test_t_out_of_none_or_false_renders_the_body_as_default() -> None:
    template = '<span t-out="v">none</span>'
    assert render(template, {"v": None}) == "<span>none</span>"
    assert render(template, {"v": False}) == "<span>none</span>"
    assert render(template, {"v": 0}) == "<span>0</span>"
    assert render(template, {"v": ""}) == "<span></span>"


def test_numbers_are_written_as_text() -> None:
    assert render('<t t-out="a + b"/>', {"a": 2, "b": 1.5}) == "3.5"


def test_t_raw_is_refused_with_the_way_out() -> None:
    with pytest.raises(QWebError, match="t-raw is not supported.*t-out with a Markup"):
        render('<t t-raw="v"/>')


# -- conditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(1, "one"), (2, "two"), (3, "other")])
def test_if_elif_else_chain(value: int, expected: str) -> None:
    template = """<div>
        <b t-if="v == 1">one</b>
        <b t-elif="v == 2">two</b>
        <b t-else="">other</b>
    </div>"""
    assert render(template, {"v": value}).replace(" ", "").replace("\n", "") == (
        f"<div><b>{expected}</b></div>"
    )


def test_condition_is_evaluated_once_and_a_false_if_without_else_renders_nothing() -> None:
    calls = []

    def check() -> bool:
        calls.append(1)
        return False

    assert render('<t><i t-if="check()">x</i><i t-elif="False">y</i></t>', {"check": check}) == ""
    assert calls == [1]


def test_else_without_if_is_an_error_naming_the_node() -> None:
    with pytest.raises(QWebError) as info:
        render('<div>\n<p>a</p>\n<p t-else="">b</p></div>')
    assert "t-else without a t-if" in info.value.reason
    assert info.value.line == 3
    assert info.value.node == '<p t-else="">'


def test_text_between_if_and_else_breaks_the_chain() -> None:
    with pytest.raises(QWebError, match="t-else without a t-if"):
        render('<div><p t-if="1">a</p>text<p t-else="">b</p></div>')


def test_undefined_names_read_as_none_as_in_odoo_and_builtins_stay() -> None:
    assert render('<t t-if="not missing">absent</t>') == "absent"
    assert render('<t t-out="len(items)"/>', {"items": [1, 2]}) == "2"


# -- loops -----------------------------------------------------------------------------------


def test_foreach_loop_variables() -> None:
    template = (
        '<t t-foreach="items" t-as="item">'
        '<t t-out="item_index"/>:<t t-out="item"/>:<t t-out="item_value"/>:'
        '<t t-out="item_size"/>:<t t-out="str(item_first)"/>:<t t-out="str(item_last)"/>:'
        '<t t-out="item_parity"/>;</t>'
    )
    assert render(template, {"items": ["a", "b", "c"]}) == (
        "0:a:a:3:True:False:even;1:b:b:3:False:False:odd;2:c:c:3:False:True:even;"
    )


def test_foreach_over_a_dict_gives_keys_and_values_and_over_an_int_a_range() -> None:
    template = '<t t-foreach="d" t-as="k"><t t-out="k"/>=<t t-out="k_value"/> </t>'
    assert render(template, {"d": {"x": 1, "y": 2}}) == "x=1 y=2 "
    assert render('<t t-foreach="3" t-as="i"><t t-out="i"/></t>') == "012"


def test_foreach_over_a_generator_has_no_size_and_no_last() -> None:
    template = '<t t-foreach="(x for x in items)" t-as="x"><t t-out="x_size"/>|<t t-out="str(x_last)"/></t>'
    assert render(template, {"items": [1]}) == "|False"  # a size of None renders nothing


def test_foreach_variables_and_sets_do_not_outlive_the_loop() -> None:
    template = (
        '<t><t t-set="total" t-value="0"/>'
        '<t t-foreach="[1, 2]" t-as="n"><t t-set="total" t-value="total + n"/>'
        '<t t-out="total"/>,</t>'
        '<t t-out="total"/>|<t t-out="n">gone</t></t>'
    )
    assert render(template) == "1,3,0|gone"


def test_foreach_applies_before_if_on_the_same_element() -> None:
    template = '<ul><li t-foreach="range(5)" t-as="n" t-if="n % 2" t-out="n"/></ul>'
    assert render(template) == "<ul><li>1</li><li>3</li></ul>"


def test_foreach_of_a_non_iterable_names_the_expression() -> None:
    with pytest.raises(QWebError) as info:
        render('<t t-foreach="v" t-as="x"/>', {"v": None})
    assert info.value.expression == "v"
    assert "iterable" in info.value.reason


def test_foreach_without_as_and_bad_names_are_refused() -> None:
    with pytest.raises(QWebError, match="t-foreach without t-as"):
        render('<t t-foreach="[1]"/>')
    with pytest.raises(QWebError, match="t-as must be a name"):
        render('<t t-foreach="[1]" t-as="a b"/>')


# -- attributes ------------------------------------------------------------------------------


def test_t_att_name_omits_none_and_false_and_writes_true_as_the_name() -> None:
    template = '<input t-att-value="v" t-att-checked="c" t-att-title="t"/>'
    assert render(template, {"v": 'a"b', "c": True, "t": None}) == (
        '<input value="a&#34;b" checked="checked"/>'
    )
    assert render(template, {"v": False, "c": False}) == "<input/>"


def test_dynamic_attribute_replaces_the_static_one() -> None:
    assert render('<p class="a" t-att-class="\'b\'"/>') == '<p class="b"></p>'


def test_t_attf_formats_both_syntaxes() -> None:
    template = '<a t-attf-href="/web/{{ model }}/#{rid}?q={{ q }}"/>'
    assert render(template, {"model": "x", "rid": 7, "q": "<&>"}) == (
        '<a href="/web/x/7?q=&lt;&amp;&gt;"></a>'
    )


def test_t_att_dict_and_pair() -> None:
    assert render("<p t-att=\"{'data-a': 1, 'title': 't'}\"/>") == ('<p data-a="1" title="t"></p>')
    assert render("<p t-att=\"('id', 'x')\"/>") == '<p id="x"></p>'


def test_t_att_refuses_attribute_names_that_would_break_the_tag() -> None:
    with pytest.raises(QWebError, match="invalid attribute name"):
        render("<p t-att=\"{'onclick=alert(1) x': 1}\"/>")
    with pytest.raises(QWebError, match="t-att needs a dict"):
        render('<p t-att="5"/>')


# -- t-set -----------------------------------------------------------------------------------


def test_t_set_value_valuef_and_body() -> None:
    template = (
        '<t><t t-set="a" t-value="2 * 3"/><t t-set="b" t-valuef="n{{ a }}"/>'
        '<t t-set="c"><b t-out="b"/></t><t t-out="a"/> <t t-out="b"/> <t t-out="c"/></t>'
    )
    assert render(template) == "6 n6 <b>n6</b>"


def test_t_set_only_on_t_and_t_value_only_with_t_set() -> None:
    with pytest.raises(QWebError, match="t-set is only allowed on a <t>"):
        render('<p t-set="a" t-value="1"/>')
    with pytest.raises(QWebError, match="t-value without t-set"):
        render('<t t-value="1"/>')


# -- t-call ----------------------------------------------------------------------------------


def _engine(**templates: str) -> QWeb:
    return QWeb(templates.__getitem__)


def test_t_call_passes_variables_and_the_body_as_zero() -> None:
    qweb = _engine(
        layout='<section><h1 t-out="title"/><t t-out="0"/></section>',
        page='<t t-call="layout"><t t-set="title" t-value="\'T\'"/><p t-out="text"/></t>',
    )
    assert qweb.render("page", {"text": "<x>"}) == "<section><h1>T</h1><p>&lt;x&gt;</p></section>"


def test_t_call_body_sets_do_not_leak_into_the_caller() -> None:
    qweb = _engine(
        inner="<i/>",
        page='<t><t t-call="inner"><t t-set="v" t-value="1"/></t><t t-out="v">none</t></t>',
    )
    assert qweb.render("page") == "<i></i>none"


def test_t_call_name_is_a_format() -> None:
    qweb = _engine(card_a="<t>A</t>", page='<t t-call="card_{{ kind }}"/>')
    assert qweb.render("page", {"kind": "a"}) == "A"


def test_t_call_of_an_unknown_template_names_the_caller() -> None:
    qweb = _engine(page='<div>\n<t t-call="nowhere"/></div>')
    with pytest.raises(QWebError) as info:
        qweb.render("page")
    assert info.value.template == "page"
    assert info.value.line == 2
    assert "nowhere" in info.value.reason


def test_an_invalid_called_template_is_named_itself() -> None:
    qweb = _engine(broken="<t><b></t>", page='<t t-call="broken"/>')
    with pytest.raises(QWebError, match="invalid XML") as info:
        qweb.render("page")
    assert info.value.template == "broken"


def test_recursive_t_call_works_within_the_limit() -> None:
    qweb = _engine(
        tree='<ul><li t-foreach="node[1]" t-as="child"><t t-out="child[0]"/>'
        '<t t-if="child[1]" t-call="tree"><t t-set="node" t-value="child"/></t></li></ul>'
    )
    data = ("root", [("a", [("a1", [])]), ("b", [])])
    assert qweb.render("tree", {"node": data}) == (
        "<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul>"
    )


def test_endless_t_call_recursion_is_an_error_not_a_crash() -> None:
    qweb = _engine(loop='<t t-call="loop"/>')
    with pytest.raises(QWebError, match=r"t-call nested too deeply \(limit 50\)"):
        qweb.render("loop")
    shallow = QWeb({"loop": '<t t-call="loop"/>'}.__getitem__, max_call_depth=3)
    with pytest.raises(QWebError, match=r"limit 3"):
        shallow.render("loop")


def test_templates_file_selects_the_named_template() -> None:
    arch = '<templates><t t-name="a">A</t><t t-name="b">B</t></templates>'
    assert QWeb(lambda name: arch).render("b") == "B"


# -- compilation once, errors ----------------------------------------------------------------


def test_templates_are_compiled_once_into_the_shared_cache() -> None:
    loads = []

    def loader(name: str) -> str:
        loads.append(name)
        return '<b t-out="v"/>'

    cache: dict = {}
    QWeb(loader, cache=cache).render("t", {"v": 1})
    assert QWeb(loader, cache=cache).render("t", {"v": 2}) == "<b>2</b>"
    assert loads == ["t"]
    assert set(cache) == {"t"}


def test_compilation_checks_every_expression_before_rendering() -> None:
    with pytest.raises(QWebError) as info:
        render('<div><p t-if="False" t-out="().__class__"/></div>')
    error = info.value
    assert error.expression == "().__class__"
    assert "__class__" in error.reason and "not allowed" in error.reason
    assert error.node == '<p t-if="False" t-out="().__class__">'
    assert "template '<inline>'" in str(error)


def test_no_exec_or_import_reaches_python() -> None:
    for expression in ("__import__('os')", "open('/etc/passwd')", "(lambda: 1)()"):
        with pytest.raises(QWebError):
            render(f'<t t-out="{expression}"/>')


def test_invalid_syntax_and_invalid_xml_name_the_template() -> None:
    with pytest.raises(QWebError, match="invalid expression.*syntax"):
        QWeb({"x": '<t t-out="1 +"/>'}.__getitem__).render("x")
    with pytest.raises(QWebError, match="invalid XML") as info:
        QWeb({"broken": "<t><b></t>"}.__getitem__).render("broken")
    assert info.value.template == "broken"


def test_evaluation_errors_name_template_line_node_and_expression() -> None:
    qweb = _engine(card='<div>\n  <span t-out="1 / v"/>\n</div>')
    with pytest.raises(QWebError) as info:
        qweb.render("card", {"v": 0})
    error = info.value
    assert (error.template, error.line, error.expression) == ("card", 2, "1 / v")
    assert "division by zero" in error.reason
    assert error.node == '<span t-out="1 / v">'


def test_unknown_directive_and_unknown_template() -> None:
    with pytest.raises(QWebError, match="unknown directive t-frobnicate"):
        render('<t t-frobnicate="1"/>')
    with pytest.raises(QWebError, match="template not found"):
        QWeb({}.__getitem__).render("missing")


def test_attribute_access_follows_the_restricted_evaluator() -> None:
    class Record:
        _safe_eval_attributes = frozenset({"name"})
        name = "visible"
        secret = "hidden"

    assert render('<t t-out="r.name"/>', {"r": Record()}) == "visible"
    with pytest.raises(QWebError, match="'secret' is not allowed"):
        render('<t t-out="r.secret"/>', {"r": Record()})


def test_kanban_style_record_values() -> None:
    class Value:
        _safe_eval_attributes = frozenset({"value", "raw_value"})

        def __init__(self, value: str, raw: object) -> None:
            self.value, self.raw_value = value, raw

    class Record:
        _safe_eval_attributes = frozenset({"partner_id"})
        partner_id = Value("Azure", 7)

    template = '<div t-if="record.partner_id.raw_value" t-out="record.partner_id.value"/>'
    assert render(template, {"record": Record()}) == "<div>Azure</div>"


def test_the_limit_is_a_module_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qweb_module, "MAX_CALL_DEPTH", 2)
    qweb = QWeb({"a": '<t t-call="a"/>'}.__getitem__)
    with pytest.raises(QWebError, match="limit 2"):
        qweb.render("a")


def test_attribute_values_are_escaped_even_when_markup() -> None:
    """Markup is safe as content, not as an attribute value: quotes are always escaped."""
    evil = Markup('" onmouseover="alert(1)')
    html = render(
        '<p t-att-title="v" t-attf-data-x="{{ v }}" t-att="{\'data-y\': v}"/>', {"v": evil}
    )
    assert '"alert' not in html and "onmouseover=&#34;" in html
    assert html.count("&#34;") == 6


# -- t-field and t-options: the engine hands the record, the name and the options over -------


def _field_engine(calls: list) -> QWeb:
    def renderer(record: Any, name: str, options: dict) -> Any:
        calls.append((record, name, options))
        return record.get(name)

    return QWeb(field_renderer=renderer)


def test_t_field_renders_what_the_renderer_formats_escaped() -> None:
    calls: list = []
    engine = _field_engine(calls)
    template = engine.compile(
        "<div><span t-field=\"doc.name\" t-options=\"{'widget': 'x', 'a': 1}\""
        ' t-options-a="2" t-options-b="n + 1"/></div>'
    )
    out = engine.render_template(template, {"doc": {"name": "<Ann>"}, "n": 4})
    assert out == "<div><span>&lt;Ann&gt;</span></div>"
    assert calls == [({"name": "<Ann>"}, "name", {"widget": "x", "a": 2, "b": 5})]
    marked = engine.render_template(
        engine.compile('<b t-field="doc.name"/>'), {"doc": {"name": Markup("<i>x</i>")}}
    )
    assert marked == "<b><i>x</i></b>"


def test_an_empty_t_field_renders_the_body() -> None:
    engine = _field_engine([])
    template = engine.compile('<p t-field="doc.note">No note</p>')
    for empty in (None, False, ""):
        assert engine.render_template(template, {"doc": {"note": empty}}) == "<p>No note</p>"


def test_t_field_mistakes_are_named() -> None:
    engine = _field_engine([])
    with pytest.raises(QWebError, match="record.field_name"):
        engine.compile('<p t-field="name"/>')
    with pytest.raises(QWebError, match="cannot be combined"):
        engine.compile('<p t-field="doc.name" t-out="1"/>')
    with pytest.raises(QWebError, match="t-options without t-field"):
        engine.compile('<p t-options="{}"/>')
    with pytest.raises(QWebError, match="t-options needs a dict"):
        engine.render_template(
            engine.compile('<p t-field="doc.name" t-options="[1]"/>'), {"doc": {}}
        )
    with pytest.raises(QWebError, match="no field renderer"):
        QWeb().render_template(QWeb().compile('<p t-field="doc.name"/>'), {"doc": {}})

    def failing(record: Any, name: str, options: dict) -> Any:
        raise KeyError(name)

    broken = QWeb(field_renderer=failing)
    with pytest.raises(QWebError, match="cannot show field 'nope'"):
        broken.render_template(broken.compile('<p t-field="doc.nope"/>'), {"doc": {}})
