"""Data files parsed into operations (no database)."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import pytest

from erplite.loading import (
    CsvOp,
    DataFileError,
    DeleteOp,
    FieldValue,
    FunctionOp,
    MenuOp,
    RecordOp,
    parse_data_file,
    qualify_xml_id,
    read_manifest,
)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "data_samples" / "samples"
FULL = "samples/data/full.xml"


def line_of(relpath: str, needle: str, module_dir: Path = SAMPLES) -> int:
    """The 1-based line of the first occurrence of ``needle`` in a fixture file."""
    text = (module_dir / relpath).read_text()
    return text[: text.index(needle)].count("\n") + 1


def parse(text: str | bytes, tmp_path: Path, relpath: str = "data/test.xml") -> list:
    """Parse ``text`` as the data file ``relpath`` of a module ``mod`` made in ``tmp_path``."""
    file = tmp_path / "mod" / relpath
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    file.write_bytes(text)
    return parse_data_file("mod", tmp_path / "mod", relpath)


def error(text: str | bytes, tmp_path: Path, relpath: str = "data/test.xml") -> DataFileError:
    with pytest.raises(DataFileError) as info:
        parse(text, tmp_path, relpath)
    return info.value


def odoo(body: str) -> str:
    """A data file whose body starts on line 3."""
    return f'<?xml version="1.0"?>\n<odoo>\n{body}\n</odoo>\n'


@pytest.fixture(scope="module")
def full() -> dict[str, object]:
    """The operations of full.xml by xml id (and position for those without)."""
    ops = parse_data_file("samples", SAMPLES, "data/full.xml")
    return {getattr(op, "xml_id", None) or f"#{index}": op for index, op in enumerate(ops)}


# -- records and fields ------------------------------------------------------------------------


def test_full_file_operations_in_document_order():
    ops = parse_data_file("samples", SAMPLES, "data/full.xml")
    assert [type(op).__name__ for op in ops] == [
        *["RecordOp"] * 5,
        "FunctionOp",
        "FunctionOp",
        "DeleteOp",
        "DeleteOp",
        "RecordOp",
        "FunctionOp",
        *["MenuOp"] * 3,
    ]
    assert all(op.path == FULL for op in ops)


def test_record(full):
    record = full["samples.partner_1"]
    assert isinstance(record, RecordOp)
    assert record.model == "res.partner"
    assert record.noupdate is False and record.forcecreate is True
    assert record.context == "{'tracking_disable': True}"
    assert (record.path, record.line) == (FULL, line_of("data/full.xml", '<record id="partner_1"'))


def field_values(record: RecordOp) -> dict[str, tuple[str, object]]:
    return {f.name: (f.kind, f.value) for f in record.fields}


def test_field_kinds(full):
    assert field_values(full["samples.partner_1"]) == {
        "name": ("text", "Ada & Co"),
        "parent_id": ("ref", "base.main_partner"),
        "category_id": ("eval", "[Command.set([ref('tag_a')])]"),
        "country_id": ("search", "[('code', '=', 'BE')]"),
        "color": ("int", 3),
        "ratio": ("float", 0.5),
        "comment": ("html", "<p>Hello <b>world</b></p>"),
        "notes": ("text", ""),
        # name@fr is a translation: left out, as Odoo does
    }


def test_every_field_has_its_line_and_model_hint(full):
    record = full["samples.partner_1"]
    for value in record.fields:
        assert isinstance(value, FieldValue)
        assert value.path == FULL
        assert value.line == line_of("data/full.xml", f'<field name="{value.name}"')
    hints = {f.name: f.model_hint for f in record.fields}
    assert hints["country_id"] == "res.country"
    assert hints["name"] is None


def test_xml_field_is_the_inner_xml(full):
    (arch,) = full["samples.view_partner_form"].fields
    assert arch.kind == "xml"
    assert arch.value == (
        '<?xml version="1.0"?>\n<form string="Partner">\n'
        '                <field name="name" />\n            </form>\n        '
    )


def test_xml_field_with_several_roots_is_wrapped_in_data(full):
    (arch,) = full["samples.view_two_roots"].fields
    assert arch.value == (
        '<?xml version="1.0"?>\n'
        '<data><xpath expr="//field" position="after" /><field name="x" /></data>'
    )


def test_nested_records(full):
    order = full["samples.order_1"]
    assert order.forcecreate is False
    (lines,) = order.fields
    assert (lines.name, lines.kind) == ("line_ids", "records")
    first, second = lines.value
    assert first == RecordOp(
        model="sale.order.line",
        xml_id=None,
        fields=[
            FieldValue("name", "text", "Line 1", None, FULL, line_of("data/full.xml", "Line 1"))
        ],
        noupdate=False,
        forcecreate=True,
        context=None,
        path=FULL,
        line=line_of("data/full.xml", '<record model="sale.order.line">'),
    )
    assert second.xml_id == "samples.order_1_line_2"


def test_file_values(full):
    record = full["other_module.existing"]  # an xml id of another module stays as it is
    assert field_values(record) == {
        "image_1920": ("base64", base64.b64encode(b"hello\n")),
        "description": ("text", "hello\n"),
        "report_file": ("file", "samples,static/img.txt"),
        "tags": (
            "list",
            [
                FieldValue(None, "text", "a", None, FULL, line_of("data/full.xml", "<value>a")),
                FieldValue(None, "eval", "2", None, FULL, line_of("data/full.xml", "<value>a")),
            ],
        ),
    }


def test_functions(full):
    call = full["#5"]
    assert call == FunctionOp(
        model="res.partner",
        name="_init_things",
        eval="[ref('partner_1')]",
        args=[],
        context=None,
        noupdate=False,
        path=FULL,
        line=line_of("data/full.xml", '"_init_things"'),
    )
    write = full["#6"]
    assert (write.name, write.eval) == ("write", None)
    positional, keyword, nested = write.args
    assert (positional.name, positional.kind, positional.value) == (
        None,
        "eval",
        "[ref('partner_1')]",
    )
    assert (keyword.name, keyword.kind, keyword.value) == ("vals", "eval", "{'active': True}")
    assert isinstance(nested, FunctionOp)
    assert (nested.name, nested.eval) == ("search", "[[]]")
    assert nested.line == line_of("data/full.xml", 'name="search"')


def test_deletes(full):
    assert full["samples.partner_old"] == DeleteOp(
        model="res.partner",
        xml_id="samples.partner_old",
        search=None,
        path=FULL,
        line=line_of("data/full.xml", "<delete"),
    )
    by_search = full["#8"]
    assert (by_search.xml_id, by_search.search) == (None, "[('name', '=', 'Obsolete')]")


def test_noupdate_block_and_its_context(full):
    cron = full["samples.cron_1"]
    assert cron.noupdate is True
    assert cron.context == "{'no_reset': True}"
    toggle = full["#10"]
    assert (toggle.name, toggle.noupdate, toggle.context) == ("toggle", True, "{'no_reset': True}")


def test_menus(full):
    assert full["samples.menu_root"] == MenuOp(
        xml_id="samples.menu_root",
        name="Root",
        parent=None,
        action=None,
        sequence=None,
        groups="base.group_user,-samples.group_hidden",
        web_icon="samples,static/icon.png",
        active=True,
        noupdate=True,
        path=FULL,
        line=line_of("data/full.xml", '<menuitem id="menu_root"'),
    )
    child = full["samples.menu_child"]
    assert (child.parent, child.action, child.sequence) == (
        "samples.menu_root",
        "samples.action_x",
        5,
    )
    assert child.web_icon is None  # only top-level menus have an icon, as in Odoo
    assert child.noupdate is True
    top = full["samples.menu_top"]
    assert (top.parent, top.active, top.noupdate) == ("samples.menu_root", False, False)


def test_operations_are_frozen(full):
    with pytest.raises(dataclasses.FrozenInstanceError):
        full["samples.partner_1"].model = "res.users"


def test_noupdate_inheritance_and_values(tmp_path):
    ops = parse(
        '<odoo noupdate="1">\n'
        '  <record id="r1" model="m"/>\n'
        '  <data noupdate="0"><record id="r2" model="m"/></data>\n'
        '  <data><record id="r3" model="m"/></data>\n'
        '  <data noupdate="False"><record id="r4" model="m"/></data>\n'
        '  <data noupdate="True"><record id="r5" model="m"/></data>\n'
        '  <data noupdate="off"><record id="r6" model="m"/></data>\n'
        '  <data noupdate=""><record id="r7" model="m"/></data>\n'
        "</odoo>",
        tmp_path,
    )
    assert [(op.xml_id, op.noupdate) for op in ops] == [
        ("mod.r1", True),
        ("mod.r2", False),
        ("mod.r3", True),
        ("mod.r4", False),
        ("mod.r5", True),
        ("mod.r6", False),
        ("mod.r7", True),
    ]


def test_legacy_openerp_root_and_nested_data(tmp_path):
    ops = parse(
        '<openerp>\n<data noupdate="1">\n<data>\n<record id="r" model="m"/>\n</data>\n</data>\n</openerp>',
        tmp_path,
    )
    assert [(op.xml_id, op.noupdate, op.line) for op in ops] == [("mod.r", True, 4)]


def test_int_none_and_comments(tmp_path):
    (record,) = parse(
        odoo(
            '<!-- c --><record id="r" model="m"><!-- c -->\n<field name="n" type="int">None</field></record>'
        ),
        tmp_path,
    )
    assert field_values(record) == {"n": ("int", None)}


def test_xml_ids():
    assert qualify_xml_id("x", "mod") == "mod.x"
    assert qualify_xml_id("other.x", "mod") == "other.x"
    for bad in ("a.b.c", "", ".x", "mod."):
        with pytest.raises(ValueError):
            qualify_xml_id(bad, "mod")


# -- XML errors --------------------------------------------------------------------------------


def sample_error(relpath: str) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        parse_data_file("samples", SAMPLES, relpath)
    return info.value


def test_malformed_xml():
    err = sample_error("bad/malformed.xml")
    assert (err.path, err.line) == ("samples/bad/malformed.xml", 5)
    assert str(err) == "samples/bad/malformed.xml:5: malformed XML: mismatched tag"


def test_unknown_tag():
    err = sample_error("bad/unknown_tag.xml")
    assert str(err) == "samples/bad/unknown_tag.xml:4: unknown tag <report> in <odoo>"
    assert err.line == 4


def test_record_without_id():
    err = sample_error("bad/record_without_id.xml")
    assert str(err) == "samples/bad/record_without_id.xml:4: <record> without id"
    assert (err.path, err.line) == ("samples/bad/record_without_id.xml", 4)


def test_doctype_is_refused_before_any_entity_is_expanded():
    err = sample_error("bad/doctype.xml")
    assert str(err) == (
        "samples/bad/doctype.xml:2: DOCTYPE and entity declarations are not allowed in data files"
    )


def test_external_doctype_is_refused(tmp_path):
    err = error(
        '<?xml version="1.0"?>\n<!DOCTYPE odoo SYSTEM "file:///etc/passwd">\n<odoo/>', tmp_path
    )
    assert str(err) == (
        "mod/data/test.xml:2: DOCTYPE and entity declarations are not allowed in data files"
    )


def test_undeclared_entity(tmp_path):
    err = error(odoo('<record id="r" model="m"><field name="n">&xxe;</field></record>'), tmp_path)
    assert str(err) == "mod/data/test.xml:3: malformed XML: undefined entity"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<record id="r"/>', "<record> without model"),
        (
            '<record id="a.b.c" model="m"/>',
            "xml id 'a.b.c' has more than one dot; use 'module.name' to refer to another module",
        ),
        ('<record id="r" model="m"><field ref="x"/></record>', "<field> without name"),
        ('<record id="r" model="m" colour="red"/>', "<record> has unknown attribute 'colour'"),
        ('<record id="r" model="m" uid="base.user_root"/>', "<record> has unknown attribute 'uid'"),
        ('<record id="r" model="m"><value/></record>', "unknown tag <value> in <record>"),
        ("<value/>", "unknown tag <value> in <odoo>"),
        ("stray text", "unexpected text 'stray text' in <odoo>"),
        ('<record id="r" model="m">text</record>', "unexpected text 'text' in <record>"),
        (
            '<record id="r" model="m"><field name="f" ref="x" eval="1"/></record>',
            "<field name='f'> has both ref= and eval=",
        ),
        (
            '<record id="r" model="m"><field name="f" eval="1">2</field></record>',
            "<field name='f'> with eval= must be empty",
        ),
        (
            '<record id="r" model="m"><field name="f" ref="x" type="int"/></record>',
            "<field name='f'> with ref= takes no type= or file=",
        ),
        (
            '<record id="r" model="m"><field name="f" ref="a.b.c"/></record>',
            "xml id 'a.b.c' has more than one dot; use 'module.name' to refer to another module",
        ),
        (
            '<record id="r" model="m"><field name="f" type="int">abc</field></record>',
            "<field name='f'>: 'abc' is not a valid int",
        ),
        (
            '<record id="r" model="m"><field name="f" type="float">1,5</field></record>',
            "<field name='f'>: '1,5' is not a valid float",
        ),
        (
            '<record id="r" model="m"><field name="f" type="blob">x</field></record>',
            "<field name='f'> has unknown type 'blob'",
        ),
        (
            '<record id="r" model="m"><field name="f" type="base64">eA==</field></record>',
            "<field name='f'>: type=\"base64\" needs file=",
        ),
        (
            '<record id="r" model="m"><field name="f" type="file">static/nope.png</field></record>',
            "<field name='f'>: no file 'static/nope.png' in module 'mod'",
        ),
        (
            '<record id="r" model="m"><field name="f" file="mod/nope.txt"/></record>',
            "file 'mod/nope.txt' not found in module 'mod'",
        ),
        (
            '<record id="r" model="m"><field name="f" file="../secret.txt"/></record>',
            "path '../secret.txt' must be relative to the module (file='../secret.txt')",
        ),
        (
            '<record id="r" model="m"><field name="f" search="[]" use="name"/></record>',
            "<field name='f'>: use= other than 'id' is not supported",
        ),
        (
            '<record id="r" model="m"><field name="arch"><form/></field></record>',
            "unexpected <form> in <field name='arch'>: use type=\"xml\" for markup",
        ),
        (
            '<record id="r" model="m"><field name="l" type="list"><field name="x"/></field></record>',
            "unknown tag <field> in <field name='l'>",
        ),
        (
            '<data context="{}"><record id="r" model="m" context="{}"/></data>',
            "<record> has a context while its enclosing <data> or <odoo> has one too",
        ),
        ('<delete model="m"/>', "<delete> needs id= or search="),
        ('<delete id="x"/>', "<delete> without model"),
        ('<function model="m"/>', "<function> without name"),
        (
            '<function model="m" name="f" eval="[]"><value eval="1"/></function>',
            "<function> takes either eval= or <value> children, not both",
        ),
        (
            '<function model="m" name="f"><record id="r" model="m"/></function>',
            "unknown tag <record> in <function>",
        ),
        ('<menuitem name="No id"/>', "<menuitem> without id"),
        ('<menuitem id="m" sequence="first"/>', "<menuitem> sequence 'first' is not an integer"),
        (
            '<menuitem id="m"><record id="r" model="m"/></menuitem>',
            "unknown tag <record> in <menuitem>",
        ),
        (
            '<menuitem id="m"><menuitem id="n" parent="other"/></menuitem>',
            "a nested <menuitem> takes its parent from the enclosing one",
        ),
    ],
)
def test_xml_errors_name_file_and_line(tmp_path, body, message):
    err = error(odoo(body), tmp_path)
    assert (err.path, err.line) == ("mod/data/test.xml", 3)
    assert str(err) == f"mod/data/test.xml:3: {message}"


def test_error_line_is_the_offending_element(tmp_path):
    err = error(
        odoo('<record id="r" model="m">\n\n  <field name="f" type="int">x</field>\n</record>'),
        tmp_path,
    )
    assert err.line == 5


def test_wrong_root(tmp_path):
    err = error('<?xml version="1.0"?>\n<html/>', tmp_path)
    assert str(err) == "mod/data/test.xml:2: root element must be <odoo>, not <html>"


def test_empty_xml_file(tmp_path):
    err = error("", tmp_path)
    assert str(err) == "mod/data/test.xml:1: malformed XML: no element found"


# -- CSV ---------------------------------------------------------------------------------------


def test_access_csv():
    (op,) = parse_data_file("samples", SAMPLES, "security/ir.model.access.csv")
    assert isinstance(op, CsvOp)
    assert op.model == "ir.model.access"
    assert op.path == "samples/security/ir.model.access.csv"
    assert op.header == [
        "id",
        "name",
        "model_id:id",
        "group_id:id",
        "perm_read",
        "perm_write",
        "perm_create",
        "perm_unlink",
    ]
    # a blank line and a row of empty cells are skipped; a quoted newline spans two lines
    assert [(line, row[:2]) for line, row in op.rows] == [
        (2, ["access_partner_user", "partner, user"]),
        (4, ["access_partner_manager", "partner\nmanager"]),
        (7, ["access_partner_public", "partner public"]),
    ]
    assert op.rows[2][1][3] == ""


def test_csv_model_is_the_stem_before_a_dash():
    (op,) = parse_data_file("samples", SAMPLES, "data/res.partner-demo.csv")
    assert (op.model, op.rows) == ("res.partner", [(2, ["partner_demo_1", "Demo One", "1"])])


def test_empty_csv_gives_no_operation(tmp_path):
    assert parse_data_file("samples", SAMPLES, "data/empty.csv") == []
    assert parse("\n  \n", tmp_path, "data/res.partner.csv") == []


def test_header_only_csv(tmp_path):
    assert parse("id,name\n", tmp_path, "data/res.partner.csv") == [
        CsvOp(model="res.partner", path="mod/data/res.partner.csv", header=["id", "name"], rows=[])
    ]


def test_csv_wrong_number_of_columns():
    err = sample_error("bad/columns.csv")
    assert (err.path, err.line) == ("samples/bad/columns.csv", 4)
    assert str(err) == "samples/bad/columns.csv:4: row has 2 columns but the header (line 1) has 3"


def test_csv_byte_order_mark_is_ignored(tmp_path):
    (op,) = parse(b"\xef\xbb\xbfid,name\nx,y\n", tmp_path, "data/res.partner.csv")
    assert op.header == ["id", "name"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"id,name\nx,\xff\n", "mod/data/m.csv:2: not valid UTF-8: invalid start byte"),
        (b"id,,name\n", "mod/data/m.csv:1: column 2 of the header is empty"),
        (b"\nid,name,id\n", "mod/data/m.csv:2: column 'id' appears twice in the header"),
        (b'id,name\nx,"unterminated\n', "mod/data/m.csv:2: invalid CSV: unexpected end of data"),
    ],
)
def test_csv_errors(tmp_path, text, message):
    err = error(text, tmp_path, "data/m.csv")
    assert str(err) == message


# -- files -------------------------------------------------------------------------------------


def test_unsupported_file_type():
    err = sample_error("data/init.sql")
    assert (err.path, err.line) == ("samples/data/init.sql", None)
    assert str(err) == "samples/data/init.sql: unsupported data file type '.sql': use .xml or .csv"


def test_js_is_not_a_data_file(tmp_path):
    err = error("console.log(1)", tmp_path, "static/app.js")
    assert str(err) == "mod/static/app.js: unsupported data file type '.js': use .xml or .csv"


def test_missing_data_file():
    err = sample_error("data/nope.xml")
    assert str(err) == "samples/data/nope.xml: data file not found"


@pytest.mark.parametrize("relpath", ["../outside.xml", "/etc/passwd.xml", "data/../../x.xml"])
def test_data_file_must_be_inside_the_module(relpath):
    err = sample_error(relpath)
    assert str(err) == (
        f"samples/{relpath}: path {relpath!r} must be relative to the module (samples/{relpath})"
    )


def test_extension_is_case_insensitive(tmp_path):
    (op,) = parse(odoo('<record id="r" model="m"/>'), tmp_path, "data/UPPER.XML")
    assert op.xml_id == "mod.r"


def test_every_data_file_of_the_fixture_modules_parses():
    for module_dir in [FIXTURES / "addons_ok" / "a", SAMPLES]:
        manifest = read_manifest(module_dir)
        for relpath in (*manifest.data, *manifest.demo):
            assert parse_data_file(manifest.name, manifest.path, relpath)


def test_module_a_data(tmp_path):
    a = FIXTURES / "addons_ok" / "a"
    ops = parse_data_file("a", a, "data/a_data.xml")
    assert [getattr(op, "xml_id", None) for op in ops] == [
        "a.group_a_manager",
        "a.action_a_thing",
        "a.menu_a_root",
        "a.menu_a_things",
        "a.sequence_a_thing",
    ]
    menu = ops[3]
    assert (menu.parent, menu.action, menu.groups) == (
        "a.menu_a_root",
        "a.action_a_thing",
        "a.group_a_manager",
    )
    assert ops[4].noupdate is True
    assert ops[4].line == line_of("data/a_data.xml", 'id="sequence_a_thing"', a)


def test_stray_text_is_reported_where_it_is(tmp_path):
    err = error(odoo('<record id="r" model="m"/>\n\n  <!-- note -->\n  oops'), tmp_path)
    assert str(err) == "mod/data/test.xml:6: unexpected text 'oops' in <odoo>"


def test_data_root_is_accepted_as_by_odoo(tmp_path):
    (op,) = parse('<data noupdate="1"><record id="r" model="m"/></data>', tmp_path)
    assert (op.xml_id, op.noupdate, op.line) == ("mod.r", True, 1)


def test_template_is_a_qweb_view_record_as_odoo_17_reads_it(tmp_path: Path) -> None:
    ops = parse(
        odoo(
            '<template id="card" name="Card" priority="20"><div t-out="x"/> <b>!</b></template>\n'
            '<template id="card_extra" inherit_id="card" active="False">\n'
            '  <xpath expr="//b" position="after"><i/></xpath>\n'
            "</template>\n"
            '<template id="card_copy" inherit_id="mod.card" primary="True"><xpath expr="//b" position="replace"/></template>'
        ),
        tmp_path,
    )
    card, extra, copy = ops
    assert isinstance(card, RecordOp)
    assert (card.model, card.xml_id, card.line) == ("ir.ui.view", "mod.card", 3)
    values = {f.name: (f.kind, f.value) for f in card.fields}
    assert values == {
        "name": ("text", "Card"),
        "key": ("text", "mod.card"),
        "type": ("text", "qweb"),
        "arch": (
            "xml",
            '<?xml version="1.0"?>\n<t t-name="mod.card"><div t-out="x" /> <b>!</b></t>',
        ),
        "priority": ("int", 20),
    }
    extra_values = {f.name: (f.kind, f.value) for f in extra.fields}
    assert extra_values["inherit_id"] == ("ref", "mod.card")
    assert extra_values["active"] == ("eval", "False")
    assert extra_values["arch"][1].startswith('<?xml version="1.0"?>\n<data>')
    assert extra_values["name"] == ("text", "card_extra")
    assert {f.name: f.value for f in copy.fields}["mode"] == "primary"


def test_template_errors_name_the_line(tmp_path: Path) -> None:
    assert "<template> without id" in str(error(odoo("<template><t/></template>"), tmp_path))
    bad = error(odoo('<template id="x" priority="high"><t/></template>'), tmp_path)
    assert (bad.line, "priority 'high' is not an integer" in bad.detail) == (3, True)
    assert "unknown attribute 'bogus'" in str(error(odoo('<template id="x" bogus="1"/>'), tmp_path))
