"""Html fields are sanitised on create and write, with Odoo 17's options and defaults."""

from __future__ import annotations

import pytest

from erplite.sql import SQL
from erplite.tools.html_sanitize import html_sanitize

MODEL = "test_orm.html"


def stored(record, name):
    """The value PostgreSQL holds (after flushing), not the cache's."""
    record.env.flush_all()
    record.env.cr.execute(
        SQL("SELECT %s FROM test_orm_html WHERE id = %s", SQL.identifier(name), record.id)
    )
    return record.env.cr.fetchone()[0]


# -- the payloads -------------------------------------------------------------------------------

ATTACKS = {
    "script tag": ("<p>Hi<script>alert(document.cookie)</script></p>", "<p>Hi</p>"),
    "script in caps": ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok", "ok"),
    "onerror": ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
    "onclick": ('<p onclick="steal()" class="lead">text</p>', '<p class="lead">text</p>'),
    "onmouseover unquoted": ("<b onmouseover=alert(1)>b</b>", "<b>b</b>"),
    "javascript href": ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    "javascript href, mixed case and spaces": ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    "javascript entity-encoded": (
        '<a href="&#106;avascript:alert(1)">x</a>',
        "<a>x</a>",
    ),
    "vbscript href": ('<a href="vbscript:msgbox(1)">x</a>', "<a>x</a>"),
    "data: html link": (
        '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
        "<a>x</a>",
    ),
    "svg onload": ("<svg onload=alert(1)><circle r=1 /></svg>after", "after"),
    "iframe": ('<iframe src="https://evil.example"></iframe>ok', "ok"),
    "iframe srcdoc": ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>ok', "ok"),
    "object and embed": ('<object data="x.swf"></object><embed src="x.swf">ok', "ok"),
    "style element": ("<style>body{background:url(javascript:alert(1))}</style>ok", "ok"),
    "css expression": (
        '<p style="color: red; width: expression(alert(1))">x</p>',
        '<p style="color: red">x</p>',
    ),
    "css javascript url": (
        "<p style=\"background-image: url('javascript:alert(1)')\">x</p>",
        "<p>x</p>",
    ),
    "css escapes": ('<p style="width: \\65 xpression(alert(1))">x</p>', "<p>x</p>"),
    "css behavior and binding": (
        '<p style="behavior: url(x.htc); -moz-binding: url(x.xml#x)">x</p>',
        "<p>x</p>",
    ),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">ok', "ok"),
    "base href": ('<base href="https://evil.example/">ok', "ok"),
    "form posting elsewhere": (
        '<form action="https://evil.example"><input name="password"><button>Go</button></form>ok',
        "ok",
    ),
    "conditional comment": ("<!--[if IE]><script>alert(1)</script><![endif]-->ok", "ok"),
    "img src javascript": ('<img src="javascript:alert(1)">', "<img>"),
    "svg data image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "<img>"),
}


@pytest.mark.parametrize("payload,expected", list(ATTACKS.values()), ids=list(ATTACKS))
def test_attacks_are_removed_on_create(env, payload, expected):
    record = env[MODEL].create({"body": payload})
    assert record.body == expected
    assert stored(record, "body") == expected


def test_attacks_are_removed_on_write_and_assignment(env):
    record = env[MODEL].create({"body": "<p>safe</p>"})
    record.write({"body": '<p onclick="x()">a</p><script>alert(1)</script>'})
    assert stored(record, "body") == "<p>a</p>"
    record.body = '<a href="javascript:alert(1)">b</a>'
    assert stored(record, "body") == "<a>b</a>"


SAFE = (
    '<h1>Title</h1><p class="lead" style="text-align: center">A <b>bold</b>, <i>italic</i>, '
    '<u>underlined</u> and <a href="https://example.com/x?a=1&amp;b=2" target="_blank">linked'
    '</a> text.</p><ul><li>one</li><li>two</li></ul><table class="table"><tbody><tr>'
    '<td colspan="2">cell</td></tr></tbody></table><img src="/web/image/1" alt="logo" '
    'width="10"><blockquote data-o-mail-quote="1">quoted</blockquote><p><a href="mailto:a@b.c">'
    'mail</a> <a href="/web#id=3">local</a></p><img src="data:image/png;base64,iVBORw0KGgo=">'
)


def test_safe_markup_survives(env):
    record = env[MODEL].create({"body": SAFE})
    assert stored(record, "body") == SAFE


def test_plain_text_and_empty_values(env):
    record = env[MODEL].create({"body": "Fish & chips < 5 €"})
    assert record.body == "Fish &amp; chips &lt; 5 €"
    record.write({"body": False})
    assert record.body is False and stored(record, "body") is None
    record.write({"body": ""})
    assert stored(record, "body") == ""


def test_sanitize_style_keeps_only_whitelisted_properties(env):
    value = '<p style="color: red; position: fixed; top: 0; font-size: 12px">x</p>'
    record = env[MODEL].create({"body": value, "styled": value})
    assert record.body == '<p style="color: red; position: fixed; top: 0; font-size: 12px">x</p>'
    assert record.styled == '<p style="color: red; font-size: 12px">x</p>'


def test_strip_style_and_strip_classes(env):
    record = env[MODEL].create({"bare": '<p class="lead" style="color: red" id="p1">x</p>'})
    assert record.bare == '<p id="p1">x</p>'


def test_loose_options_keep_more_but_never_script(env):
    value = (
        '<form action="/shop"><input name="q" aria-label="search" data-anything="1">'
        '<button onclick="x()">Go</button></form><dialog>d</dialog><script>alert(1)</script>'
    )
    record = env[MODEL].create({"body": value, "loose": value})
    assert record.body == "d"  # the form, its controls and the dialog element are gone
    assert record.loose == (
        '<form action="/shop"><input name="q" aria-label="search" data-anything="1">'
        "<button>Go</button></form><dialog>d</dialog>"
    )


def test_sanitize_false_stores_the_value_as_given(env):
    value = '<p onclick="x()">raw</p><script>1</script>'
    record = env[MODEL].create({"raw": value})
    assert stored(record, "raw") == value


def test_sanitize_overridable_trusts_the_override_group_only(env, internal_user):
    value = '<p onclick="track()">campaign</p>'
    plain = env[MODEL].with_user(internal_user).create({"overridable": value})
    assert plain.overridable == "<p>campaign</p>"
    group = env["res.groups"].create({"name": "Bypass HTML Field Sanitize"})
    env["ir.model.data"].create(
        {"module": "base", "name": "group_sanitize_override", "model": "res.groups",
         "res_id": group.id}
    )  # fmt: skip
    internal_user.write({"groups_id": [(4, group.id)]})
    trusted = env[MODEL].with_user(internal_user).create({"overridable": value})
    assert trusted.overridable == value
    # the group does not bypass the fields that are not overridable
    other = env[MODEL].with_user(internal_user).create({"body": value})
    assert other.body == "<p>campaign</p>"


def test_values_read_from_the_database_are_returned_as_stored(env):
    record = env[MODEL].create({"body": "<p>x</p>"})
    record.env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE test_orm_html SET body = %s WHERE id = %s", "<p onclick=1>legacy</p>", record.id
        )
    )
    record.invalidate_recordset()
    assert record.body == "<p onclick=1>legacy</p>"  # sanitising is on write, as in Odoo


def test_html_sanitize_matches_odoos_signature():
    assert html_sanitize(None) == "" and html_sanitize(False) == ""
    assert html_sanitize("<p>x</p>", silent=True, output_method="html") == "<p>x</p>"
    assert html_sanitize("<html><body><p>x</p></body></html>") == "<p>x</p>"
