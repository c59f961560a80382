"""Manifests and module discovery (no database)."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

import erplite
from erplite.loading import (
    Manifest,
    ModuleError,
    adapt_version,
    bundled_modules_dir,
    discover_modules,
    is_module_dir,
    read_manifest,
)
from erplite.loading import manifest as manifest_module

FIXTURES = Path(__file__).parent / "fixtures"
OK = FIXTURES / "addons_ok"
BAD = FIXTURES / "addons_bad_manifest"


def manifest_error(module_dir: Path) -> ModuleError:
    with pytest.raises(ModuleError) as info:
        read_manifest(module_dir)
    return info.value


# -- read_manifest -----------------------------------------------------------------------------


def test_read_manifest_normalises_a_module():
    manifest = read_manifest(OK / "a")
    assert manifest == Manifest(
        name="a",
        path=OK / "a",
        version="17.0.1.2",
        depends=("base",),
        data=("security/ir.model.access.csv", "data/a_data.xml"),
        demo=("demo/a_demo.xml",),
        summary="The first fixture module",
        license="LGPL-3",
        installable=True,
        auto_install=False,
        title="Module A",
    )
    assert manifest.raw["website"] == "https://example.com"  # unknown keys are kept
    assert manifest.raw["depends"] == []  # raw is the file as written
    assert manifest.manifest_path == OK / "a" / "__manifest__.py"


def test_read_manifest_accepts_a_str_path():
    assert read_manifest(str(OK / "b")).name == "b"


def test_base_has_no_implied_dependency_and_keeps_a_full_version():
    base = read_manifest(OK / "base")
    assert base.depends == ()
    assert base.version == "17.0.1.3"


def test_base_is_implied_once_and_declared_order_kept():
    assert read_manifest(OK / "b").depends == ("base", "a")
    assert read_manifest(OK / "c").depends == ("base", "a")


def test_defaults():
    c = read_manifest(OK / "c")
    assert c.version == "17.0.1.0"
    assert c.license == "LGPL-3"
    assert c.summary == ""
    assert c.data == () and c.demo == ()
    assert c.installable is True


def test_auto_install_list_is_a_tuple_of_triggers():
    assert read_manifest(OK / "c").auto_install == ("a",)


def test_auto_install_true_means_all_depends():
    bridge = read_manifest(OK / "bridge")
    assert bridge.auto_install == ("base", "b", "c") == bridge.depends


def test_not_installable_module_keeps_an_invalid_version():
    retired = read_manifest(OK / "retired")
    assert retired.installable is False
    assert retired.version == "old"


def test_manifest_is_hashable_and_raw_is_not_compared():
    a1, a2 = read_manifest(OK / "a"), read_manifest(OK / "a")
    assert hash(a1) == hash(a2)
    assert a1 == Manifest(**{**a1.__dict__, "raw": {}})


def test_title_defaults_to_the_technical_name(tmp_path):
    module = tmp_path / "untitled"
    module.mkdir()
    (module / "__manifest__.py").write_text("{}")
    assert read_manifest(module).title == "untitled"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1.0", "17.0.1.0"),
        ("1.2.3", "17.0.1.2.3"),
        ("17.0.1.0", "17.0.1.0"),
        ("17.0.1.2.3", "17.0.1.2.3"),
        ("16.0.1", "17.0.16.0.1"),
        ("17.0", "17.0.17.0"),  # as Odoo: the bare series is a module version
    ],
)
def test_adapt_version(given, expected):
    assert adapt_version(given) == expected


@pytest.mark.parametrize("given", ["one.two", "1", "17.0.1", "1.0-beta", ""])
def test_adapt_version_refuses(given):
    with pytest.raises(ValueError, match="invalid version"):
        adapt_version(given)


# -- manifest errors ---------------------------------------------------------------------------


def test_wrong_type_for_depends():
    err = manifest_error(BAD / "bad_depends")
    file = BAD / "bad_depends" / "__manifest__.py"
    assert (err.module, err.path, err.line) == ("bad_depends", file, 5)
    assert str(err) == (
        f"{file}:5: module 'bad_depends': manifest key 'depends' must be a list of strings, "
        "not 'base'"
    )


def test_version_must_be_a_string():
    err = manifest_error(BAD / "bad_version")
    file = BAD / "bad_version" / "__manifest__.py"
    assert (
        str(err)
        == f"{file}:4: module 'bad_version': manifest key 'version' must be a string, not 1.0"
    )


def test_version_format():
    err = manifest_error(BAD / "bad_version_format")
    file = BAD / "bad_version_format" / "__manifest__.py"
    assert (err.module, err.path, err.line) == ("bad_version_format", file, 4)
    assert str(err).startswith(f"{file}:4: module 'bad_version_format': invalid version 'one.two'")


def test_installable_must_be_a_bool():
    err = manifest_error(BAD / "bad_installable")
    file = BAD / "bad_installable" / "__manifest__.py"
    assert str(err) == (
        f"{file}:4: module 'bad_installable': manifest key 'installable' must be True or False, "
        "not 'yes'"
    )


def test_auto_install_triggers_must_be_dependencies():
    err = manifest_error(BAD / "bad_auto_install")
    file = BAD / "bad_auto_install" / "__manifest__.py"
    assert str(err) == (
        f"{file}:5: module 'bad_auto_install': auto_install triggers must be dependencies, "
        "found non-dependencies b"
    )


def test_manifest_must_be_a_dict_literal():
    err = manifest_error(BAD / "not_a_dict")
    file = BAD / "not_a_dict" / "__manifest__.py"
    assert str(err) == f"{file}:2: module 'not_a_dict': the manifest must be a single dict literal"


def test_manifest_code_is_never_executed():
    err = manifest_error(BAD / "code_call")
    file = BAD / "code_call" / "__manifest__.py"
    assert (err.module, err.path, err.line) == ("code_call", file, 4)
    assert (
        str(err) == f"{file}:4: module 'code_call': manifest key 'depends' must be a literal value"
    )


def test_missing_manifest():
    err = manifest_error(BAD / "no_manifest")
    file = BAD / "no_manifest" / "__manifest__.py"
    assert (err.module, err.path, err.line) == ("no_manifest", file, None)
    assert str(err) == f"{file}: module 'no_manifest' has no __manifest__.py"


def write_manifest(tmp_path: Path, name: str, text: str) -> Path:
    module = tmp_path / name
    module.mkdir()
    (module / "__init__.py").write_text("")
    (module / "__manifest__.py").write_text(text)
    return module


def test_syntax_error_gives_the_line(tmp_path):
    # Written here, not as a fixture: a .py file with a syntax error would break `ruff check`.
    module = write_manifest(
        tmp_path, "broken", '{\n    "name": "Broken",\n    "depends": ["base",,],\n}\n'
    )
    err = manifest_error(module)
    file = module / "__manifest__.py"
    assert (err.module, err.path, err.line) == ("broken", file, 3)
    assert str(err).startswith(f"{file}:3: module 'broken': syntax error in manifest: ")


def test_dict_unpacking_is_refused(tmp_path):
    module = write_manifest(tmp_path, "unpack", '{\n    "name": "U",\n    **{"depends": []},\n}\n')
    err = manifest_error(module)
    assert (
        str(err)
        == f"{module / '__manifest__.py'}:3: module 'unpack': '**' is not allowed in a manifest"
    )


def test_keys_must_be_strings(tmp_path):
    module = write_manifest(tmp_path, "intkey", '{\n    1: "one",\n}\n')
    err = manifest_error(module)
    assert (
        str(err)
        == f"{module / '__manifest__.py'}:2: module 'intkey': manifest keys must be strings"
    )


def test_depends_items_must_be_strings(tmp_path):
    module = write_manifest(tmp_path, "mixed", '{"depends": ["base", 2]}')
    err = manifest_error(module)
    assert err.line == 1
    assert "module 'mixed': manifest key 'depends' must be a list of strings" in str(err)


def test_data_must_be_a_list_of_strings(tmp_path):
    module = write_manifest(tmp_path, "baddata", '{\n    "data": "views.xml",\n}\n')
    err = manifest_error(module)
    assert (err.module, err.line) == ("baddata", 2)
    assert "manifest key 'data' must be a list of strings, not 'views.xml'" in str(err)


def test_base_cannot_depend_on_itself(tmp_path):
    module = write_manifest(tmp_path, "base", '{\n    "depends": ["base"],\n}\n')
    err = manifest_error(module)
    assert str(err) == f"{module / '__manifest__.py'}:2: module 'base' cannot depend on itself"


# -- discover_modules --------------------------------------------------------------------------

OK_NAMES = ["a", "b", "base", "bridge", "c", "needs_retired", "retired"]


def discover(*paths, **kwargs) -> dict[str, Path]:
    kwargs.setdefault("include_bundled", False)
    kwargs.setdefault("include_entry_points", False)
    return discover_modules(paths, **kwargs)


def test_discover_addons_path_skips_non_modules():
    found = discover(OK)
    assert list(found) == OK_NAMES  # not_a_module/ and notes.txt are skipped
    assert found["a"] == (OK / "a").resolve()
    assert all(is_module_dir(path) for path in found.values())


def test_discover_accepts_str_and_several_paths_in_order():
    found = discover(str(OK), FIXTURES / "addons_cycle")
    assert list(found) == [*OK_NAMES, "x", "y"]


def test_same_folder_twice_is_not_a_conflict():
    assert list(discover(OK, FIXTURES / "addons_cycle" / ".." / "addons_ok")) == OK_NAMES


def test_duplicate_module_names_both_folders():
    with pytest.raises(ModuleError) as info:
        discover(OK, FIXTURES / "addons_dup")
    err = info.value
    first, second = (OK / "a").resolve(), (FIXTURES / "addons_dup" / "a").resolve()
    assert err.module == "a"
    assert err.path == second
    assert f"module 'a' is found twice: {first} and {second}" in str(err)


def test_missing_addons_path():
    missing = FIXTURES / "no_such_addons"
    with pytest.raises(ModuleError) as info:
        discover(OK, missing)
    err = info.value
    assert (err.module, err.path) == (None, missing)
    assert str(err) == f"{missing}: addons path '{missing}' does not exist or is not a directory"


def test_addons_path_must_be_a_directory():
    with pytest.raises(ModuleError, match="does not exist or is not a directory"):
        discover(OK / "notes.txt")


def test_bundled_modules_dir_is_erplite_modules():
    assert bundled_modules_dir() == Path(erplite.__file__).parent / "modules"


def test_bundled_discovery_skips_folders_that_are_not_modules():
    # erplite/modules may hold folders without a manifest yet (e.g. an empty base/).
    found = discover_modules([], include_entry_points=False)
    bundled = bundled_modules_dir().resolve()
    for name, path in found.items():
        assert path.parent == bundled and path.name == name and is_module_dir(path)
    for child in bundled.iterdir():
        if child.is_dir() and not is_module_dir(child):
            assert child.name not in found


def test_bundled_modules_come_first_and_cannot_be_shadowed(monkeypatch):
    monkeypatch.setattr(manifest_module, "bundled_modules_dir", lambda: OK)
    assert list(discover_modules([FIXTURES / "addons_cycle"], include_entry_points=False)) == [
        *OK_NAMES,
        "x",
        "y",
    ]
    with pytest.raises(ModuleError, match="module 'a' is found twice"):
        discover_modules([FIXTURES / "addons_dup"], include_entry_points=False)


# -- entry points ------------------------------------------------------------------------------


@pytest.fixture
def entry_points(monkeypatch):
    """Declare fake ``erplite.addons`` entry points; ``ep_site`` is importable."""
    monkeypatch.syspath_prepend(str(FIXTURES / "ep_site"))
    declared: list[importlib.metadata.EntryPoint] = []

    def fake_entry_points(**params):
        assert params == {"group": "erplite.addons"}
        return list(declared)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)

    def declare(name: str, value: str) -> None:
        declared.append(importlib.metadata.EntryPoint(name, value, "erplite.addons"))

    yield declare
    for name in [name for name in sys.modules if name == "ep_pkg" or name.startswith("ep_pkg.")]:
        del sys.modules[name]


def test_entry_point_module(entry_points):
    entry_points("ep_mod", "ep_pkg.ep_mod")
    found = discover(include_entry_points=True)
    assert found == {"ep_mod": (FIXTURES / "ep_site" / "ep_pkg" / "ep_mod").resolve()}
    assert read_manifest(found["ep_mod"]).title == "Entry point module"


def test_entry_points_come_after_addons_paths(entry_points):
    entry_points("ep_mod", "ep_pkg.ep_mod")
    assert list(discover(OK, include_entry_points=True)) == [*OK_NAMES, "ep_mod"]


def test_entry_point_same_folder_as_addons_path_is_fine(entry_points):
    entry_points("ep_mod", "ep_pkg.ep_mod")
    found = discover(FIXTURES / "ep_site" / "ep_pkg", include_entry_points=True)
    assert list(found) == ["ep_mod"]


def test_entry_point_shadowing_an_addons_module(entry_points, tmp_path):
    other = write_manifest(tmp_path, "ep_mod", "{}")
    entry_points("ep_mod", "ep_pkg.ep_mod")
    with pytest.raises(ModuleError) as info:
        discover(tmp_path, include_entry_points=True)
    assert info.value.module == "ep_mod"
    assert f"module 'ep_mod' is found twice: {other.resolve()} and " in str(info.value)


def test_entry_point_must_name_a_package(entry_points):
    entry_points("ep_mod", "ep_pkg.ep_mod:something")
    with pytest.raises(ModuleError) as info:
        discover(include_entry_points=True)
    assert info.value.module == "ep_mod"
    assert str(info.value) == (
        "module 'ep_mod': entry point 'ep_mod' = 'ep_pkg.ep_mod:something' "
        "(group 'erplite.addons') must name a package, not an object"
    )


def test_entry_point_not_importable(entry_points):
    entry_points("ghost", "no_such_erplite_pkg")
    with pytest.raises(ModuleError) as info:
        discover(include_entry_points=True)
    assert str(info.value) == (
        "module 'ghost': entry point 'ghost' = 'no_such_erplite_pkg' (group 'erplite.addons') "
        "is not an importable package"
    )


def test_entry_point_in_a_missing_parent_package(entry_points):
    entry_points("ghost", "no_such_erplite_pkg.ghost")
    with pytest.raises(ModuleError, match="module 'ghost': entry point .* cannot be imported"):
        discover(include_entry_points=True)


def test_entry_point_folder_must_be_a_module(entry_points):
    entry_points("plain", "ep_pkg.plain")
    with pytest.raises(ModuleError) as info:
        discover(include_entry_points=True)
    err = info.value
    assert err.module == "plain"
    assert err.path == FIXTURES / "ep_site" / "ep_pkg" / "plain"
    assert "is not a module folder (needs __init__.py and __manifest__.py)" in str(err)


def test_entry_point_name_must_be_the_folder_name(entry_points):
    entry_points("renamed", "ep_pkg.ep_mod")
    with pytest.raises(ModuleError) as info:
        discover(include_entry_points=True)
    assert info.value.module == "renamed"
    assert "points to folder 'ep_mod'; the entry point name must be the folder name" in str(
        info.value
    )
