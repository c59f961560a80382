"""Broken modules: each error names the module, the file and the line, and the failed run
leaves the database exactly as it was (tables, sequences, indexes, columns, row counts)."""

from __future__ import annotations

import pytest

from erplite import Registry
from erplite.loading import DataFileError, ModuleError
from erplite.loading.loader import uninstall_modules
from tests.loading.conftest import ERRORS, snapshot

CASES = {
    "broken manifest": (
        "le_bad_manifest",
        ModuleError,
        f"{ERRORS}/le_bad_manifest/__manifest__.py:3: module 'le_bad_manifest': syntax error in manifest: "
        "invalid syntax. Perhaps you forgot a comma?",
    ),
    "dependency cycle": (
        "le_cycle_a",
        ModuleError,
        f"{ERRORS}/le_cycle_a/__manifest__.py: dependency cycle between modules: "
        "le_cycle_a -> le_cycle_b -> le_cycle_a",
    ),
    "missing dependency": (
        "le_missing_dep",
        ModuleError,
        f"{ERRORS}/le_missing_dep/__manifest__.py: module 'le_missing_dep' depends on module "
        "'le_nowhere', which is not available",
    ),
    "bad XML": (
        "le_bad_xml",
        DataFileError,
        "le_bad_xml/data/things.xml:8: malformed XML: mismatched tag",
    ),
    "unknown field": (
        "le_unknown_field",
        DataFileError,
        "le_unknown_field/data/things.xml:8: Invalid field 'colour' on model 'le_unknown_field.thing'",
    ),
    "dangling ref": (
        "le_dangling_ref",
        DataFileError,
        "le_dangling_ref/data/things.xml:8: field 'parent_id': External ID not found: "
        "le_dangling_ref.thing_nobody",
    ),
    "forbidden eval": (
        "le_bad_eval",
        DataFileError,
        "le_bad_eval/data/things.xml:7: field 'name': invalid expression: name '__import__' is not "
        "allowed at 1:0",
    ),
    "unknown CSV column": (
        "le_bad_csv",
        DataFileError,
        "le_bad_csv/data/le_bad_csv.thing.csv:1: Invalid field 'weight' on model 'le_bad_csv.thing' "
        "(column 'weight')",
    ),
    "missing Python package": (
        "le_external_dep",
        ModuleError,
        f"{ERRORS}/le_external_dep/__manifest__.py: module 'le_external_dep' needs the Python "
        "package 'erplite_no_such_package', which is not installed",
    ),
    "view with an unknown field": (
        "le_bad_view_field",
        DataFileError,
        "le_bad_view_field/views/partner_views.xml:10: ValidationError: Invalid view "
        "le_bad_view_field.partner_view_form: field 'colour' does not exist on model "
        "'res.partner' (<field name=\"colour\">)",
    ),
    "view whose xpath matches nothing": (
        "le_bad_view_xpath",
        DataFileError,
        "le_bad_view_xpath/views/partner_views.xml:10: ValidationError: Invalid view "
        "le_bad_view_xpath.partner_view_form_inherit: element <xpath expr=\"//group[@name='other']\" "
        'position="inside"> cannot be located in parent view (inheriting view '
        "'partner.form.inherit')",
    ),
    "view of an unknown type": (
        "le_bad_view_type",
        DataFileError,
        "le_bad_view_type/views/partner_views.xml:3: ValidationError: Invalid view "
        "le_bad_view_type.partner_view_calendar: unknown view type: root node <calendar "
        'date_start="create_date"> is none of tree, list, form, kanban, search, graph, pivot, '
        "activity",
    ),
    "unknown module": ("le_nope", ModuleError, "Unknown module 'le_nope'"),
}


@pytest.mark.parametrize("case", CASES)
def test_failed_install_names_the_cause_and_changes_nothing(base_db, case):
    module, error_class, message = CASES[case]
    before = snapshot(base_db)
    with pytest.raises(error_class) as failure:
        Registry.new(base_db, install=(module,), addons_paths=(ERRORS,))
    assert str(failure.value) == message
    assert snapshot(base_db) == before


def test_broken_manifest_of_a_module_not_needed_is_ignored(base_db):
    # the addons folder holds broken modules, but installing nothing from it works; the
    # broken modules are simply not offered
    registry = Registry.new(base_db, addons_paths=(ERRORS,))
    with registry.cursor() as cr:
        cr.execute("SELECT name FROM ir_module_module WHERE name LIKE 'le_%%' ORDER BY name")
        names = [row[0] for row in cr.fetchall()]
    assert "le_bad_manifest" not in names
    assert "le_bad_xml" in names


def test_module_errors_carry_module_and_path(base_db):
    with pytest.raises(ModuleError) as failure:
        Registry.new(base_db, install=("le_bad_manifest",), addons_paths=(ERRORS,))
    assert failure.value.module == "le_bad_manifest"
    assert failure.value.line == 3
    with pytest.raises(DataFileError) as failure:
        Registry.new(base_db, install=("le_dangling_ref",), addons_paths=(ERRORS,))
    assert (failure.value.path, failure.value.line) == ("le_dangling_ref/data/things.xml", 8)


def test_base_cannot_be_uninstalled(base_db):
    before = snapshot(base_db)
    with pytest.raises(ModuleError, match="^The base module cannot be uninstalled$"):
        uninstall_modules(base_db, ["base"])
    assert snapshot(base_db) == before
