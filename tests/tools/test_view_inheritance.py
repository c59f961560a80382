"""View inheritance without a database: each way of locating a node, each position, the
attribute edits, moves, and the errors (a spec matching nothing, bad positions, bad XML)."""

from __future__ import annotations

import pytest

from erplite.tools.view_inheritance import (
    ArchError,
    apply_inheritance_specs,
    parse_arch,
    to_string,
)

FORM = (
    '<form><header><button name="action_confirm" type="object" string="Confirm"/></header>'
    '<sheet><div name="title"><field name="name"/></div>'
    '<group name="main"><field name="partner_id"/><field name="date"/></group>'
    '<notebook><page name="lines" string="Lines"><field name="line_ids"/></page></notebook>'
    "</sheet></form>"
)


def inherit(arch: str, spec: str) -> str:
    return to_string(apply_inheritance_specs(parse_arch(arch), parse_arch(spec)))


def test_field_shorthand_after_and_before():
    result = inherit(
        FORM,
        '<data><field name="partner_id" position="after"><field name="a"/><field name="b"/></field>'
        '<field name="partner_id" position="before"><field name="z"/></field></data>',
    )
    assert '<field name="z"/><field name="partner_id"/><field name="a"/><field name="b"/>' in result


def test_xpath_inside_appends_children():
    result = inherit(
        FORM, '<xpath expr="//group[@name=\'main\']" position="inside"><field name="x"/></xpath>'
    )
    assert '<field name="date"/><field name="x"/></group>' in result


def test_default_position_is_inside():
    result = inherit(FORM, '<group name="main"><field name="x"/></group>')
    assert '<field name="date"/><field name="x"/></group>' in result


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            '<group name="main" position="after"><group name="g2"/></group>',
            '</group><group name="g2"/><notebook>',
        ),
        (
            '<page name="lines" position="after"><page name="more"/></page>',
            '<page name="more"/></notebook>',
        ),
        (
            '<div name="title" position="inside"><field name="ref"/></div>',
            '<field name="name"/><field name="ref"/></div>',
        ),
        (
            '<button name="action_confirm" position="before"><button name="action_draft" type="object"/></button>',
            '<header><button name="action_draft" type="object"/><button name="action_confirm"',
        ),
    ],
)
def test_shorthand_by_name_for_group_page_div_button(spec, expected):
    assert expected in inherit(FORM, spec)


def test_shorthand_matches_every_attribute_of_the_spec():
    arch = '<form><group name="a" string="A"/><group name="a" string="B"/></form>'
    result = inherit(arch, '<group name="a" string="B" position="inside"><field name="x"/></group>')
    assert (
        result
        == '<form><group name="a" string="A"/><group name="a" string="B"><field name="x"/></group></form>'
    )


def test_replace_removes_the_node_and_keeps_its_place():
    result = inherit(
        FORM, '<field name="date" position="replace"><field name="date_order"/></field>'
    )
    assert '<field name="partner_id"/><field name="date_order"/></group>' in result
    assert 'name="date"' not in result


def test_replace_with_nothing_removes():
    result = inherit(FORM, '<xpath expr="//header" position="replace"/>')
    assert "<header>" not in result and result.startswith("<form><sheet>")


def test_replace_inner_keeps_the_node():
    result = inherit(
        FORM, '<group name="main" position="replace" mode="inner"><field name="only"/></group>'
    )
    assert '<group name="main"><field name="only"/></group>' in result


def test_replace_the_root():
    result = inherit(
        '<tree><field name="a"/></tree>',
        '<tree position="replace"><tree editable="bottom"><field name="b"/></tree></tree>',
    )
    assert result == '<tree editable="bottom"><field name="b"/></tree>'


def test_attributes_set_and_remove():
    result = inherit(
        '<form><field name="a" readonly="1" widget="x"/></form>',
        '<field name="a" position="attributes"><attribute name="invisible">state == \'done\'</attribute>'
        '<attribute name="readonly"></attribute></field>',
    )
    assert result == '<form><field name="a" widget="x" invisible="state == \'done\'"/></form>'


def test_attributes_add_and_remove_with_separator():
    arch = '<form><div name="d" class="o_a o_b"/><field name="f" context="x,y"/></form>'
    spec = (
        '<data><div name="d" position="attributes"><attribute name="class" add="o_c" remove="o_a" separator=" "/></div>'
        '<field name="f" position="attributes"><attribute name="context" add="z" remove="x"/></field></data>'
    )
    assert (
        inherit(arch, spec)
        == '<form><div name="d" class="o_b o_c"/><field name="f" context="y,z"/></form>'
    )


def test_move_takes_the_node_from_its_place():
    result = inherit(
        FORM,
        '<field name="partner_id" position="before"><xpath expr="//field[@name=\'date\']" position="move"/></field>',
    )
    assert '<group name="main"><field name="date"/><field name="partner_id"/></group>' in result
    assert result.count('name="date"') == 1


def test_specs_apply_in_order_and_nested_data():
    result = inherit(
        '<tree><field name="a"/></tree>',
        '<data><field name="a" position="after"><field name="b"/></field>'
        '<data><field name="b" position="after"><field name="c"/></field></data></data>',
    )
    assert result == '<tree><field name="a"/><field name="b"/><field name="c"/></tree>'


def test_a_spec_matching_nothing_names_it():
    with pytest.raises(
        ArchError,
        match=r"element <field name=\"nope\" position=\"after\"> cannot be located in parent view",
    ):
        inherit(FORM, '<field name="nope" position="after"><field name="x"/></field>')
    with pytest.raises(ArchError, match="cannot be located"):
        inherit(FORM, '<xpath expr="//page[@name=\'missing\']" position="inside"/>')


def test_bad_position_and_bad_xpath():
    with pytest.raises(ArchError, match="invalid position 'sideways'"):
        inherit(FORM, '<field name="date" position="sideways"/>')
    with pytest.raises(ArchError, match="invalid xpath"):
        inherit(FORM, '<xpath expr="//[" position="inside"/>')
    with pytest.raises(ArchError, match="cannot put nodes after the root"):
        inherit(FORM, '<form position="after"><div/></form>')


def test_attributes_position_takes_only_attribute_children():
    with pytest.raises(ArchError, match="takes <attribute> children"):
        inherit(FORM, '<field name="date" position="attributes"><field name="x"/></field>')


def test_invalid_xml_and_entities_are_refused():
    with pytest.raises(ArchError, match="invalid XML"):
        parse_arch("<form><field name='a'></form>")
    with pytest.raises(ArchError, match="DOCTYPE and entity declarations are not allowed"):
        parse_arch('<!DOCTYPE form [<!ENTITY x SYSTEM "file:///etc/passwd">]><form>&x;</form>')


def test_comments_are_ignored_and_the_declaration_is_accepted():
    arch = parse_arch('<?xml version="1.0"?>\n<form><!-- note --><field name="a"/></form>')
    assert to_string(arch) == '<form><field name="a"/></form>'


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ('<xpath expr="//b" position="inside"> x <u/></xpath>', "<t><b>1 x <u/></b>tail<i/></t>"),
        ('<xpath expr="//b" position="after"> x <u/></xpath>', "<t><b>1</b> x <u/>tail<i/></t>"),
        ('<xpath expr="//b" position="after"> x </xpath>', "<t><b>1</b> x tail<i/></t>"),
        ('<xpath expr="//i" position="before"> y <u/></xpath>', "<t><b>1</b>tail y <u/><i/></t>"),
        ('<xpath expr="//b" position="before">y</xpath>', "<t>y<b>1</b>tail<i/></t>"),
    ],
)
def test_the_text_of_a_spec_is_inserted_as_odoo_does(spec: str, expected: str) -> None:
    """QWeb templates keep their text: a spec's own text goes where its nodes go."""
    arch = parse_arch("<t><b>1</b>tail<i/></t>", keep_blank_text=True)
    specs = parse_arch(spec, keep_blank_text=True)
    assert to_string(apply_inheritance_specs(arch, specs)) == expected
