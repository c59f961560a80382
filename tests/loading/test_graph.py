"""Dependency order, auto-install and dependents (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from erplite.loading import (
    Manifest,
    ModuleError,
    auto_install_candidates,
    dependents,
    discover_modules,
    read_manifest,
    resolve_install_order,
)

FIXTURES = Path(__file__).parent / "fixtures"


def load(*addons: str) -> dict[str, Manifest]:
    """The manifests of fixture addons folders, plus the fixture ``base``."""
    folders = discover_modules(
        [FIXTURES / name for name in addons], include_bundled=False, include_entry_points=False
    )
    folders.setdefault("base", FIXTURES / "addons_ok" / "base")
    return {name: read_manifest(path) for name, path in folders.items()}


def make(name: str, *depends: str, **kwargs) -> Manifest:
    """An in-memory manifest; ``base`` is implied as ``read_manifest`` does."""
    if name != "base" and "base" not in depends:
        depends = ("base", *depends)
    return Manifest(name=name, path=Path("/addons") / name, depends=depends, **kwargs)


def graph(*manifests: Manifest) -> dict[str, Manifest]:
    return {m.name: m for m in (make("base"), *manifests)}


def error(call, *args, **kwargs) -> ModuleError:
    with pytest.raises(ModuleError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.fixture(scope="module")
def ok() -> dict[str, Manifest]:
    return load("addons_ok")


# -- resolve_install_order ---------------------------------------------------------------------


def test_dependencies_come_first(ok):
    assert resolve_install_order(ok, ["b"]) == ["base", "a", "b"]


def test_depth_then_name(ok):
    # depths: base 0, a 1, b 2, c 2, bridge 3
    assert resolve_install_order(ok, ["bridge"]) == ["base", "a", "b", "c", "bridge"]


def test_installed_modules_are_loaded_too(ok):
    assert resolve_install_order(ok, ["c"], installed=["b"]) == ["base", "a", "b", "c"]
    assert resolve_install_order(ok, [], installed={"base"}) == ["base"]


def test_nothing_wanted():
    assert resolve_install_order(graph(), []) == []


def test_order_does_not_depend_on_input_order(ok):
    reversed_manifests = dict(reversed(list(ok.items())))
    expected = resolve_install_order(ok, ["c", "b"])
    assert resolve_install_order(ok, ["b", "c"]) == expected
    assert resolve_install_order(reversed_manifests, ("b", "c")) == expected
    assert resolve_install_order(ok, ["b", "b", "c"]) == expected


def test_ties_broken_by_name_within_a_depth():
    manifests = graph(make("z"), make("m", "z"), make("a"), make("k", "a", "z"))
    assert resolve_install_order(manifests, ["m", "k", "a"]) == ["base", "a", "z", "k", "m"]


def test_depth_is_the_longest_path():
    # d depends on base directly and on c (depth 3), so it loads after c though "d" < "z".
    manifests = graph(make("a"), make("b", "a"), make("c", "b"), make("d", "c"), make("z", "a"))
    assert resolve_install_order(manifests, ["d", "z"]) == ["base", "a", "b", "z", "c", "d"]


def test_unknown_module(ok):
    err = error(resolve_install_order, ok, ["nope"])
    assert str(err) == "Unknown module 'nope'"
    assert (err.module, err.path) == ("nope", None)


def test_unknown_installed_module(ok):
    err = error(resolve_install_order, ok, ["a"], installed=["gone"])
    assert str(err) == "Unknown module 'gone'"


def test_missing_dependency():
    manifests = load("addons_missing_dep")
    err = error(resolve_install_order, manifests, ["lonely"])
    file = FIXTURES / "addons_missing_dep" / "lonely" / "__manifest__.py"
    assert (err.module, err.path) == ("lonely", file.resolve())
    assert (
        str(err)
        == f"{file.resolve()}: module 'lonely' depends on module 'ghost', which is not available"
    )


def test_missing_dependency_deep_in_the_graph():
    manifests = {**load("addons_missing_dep"), "top": make("top", "lonely")}
    err = error(resolve_install_order, manifests, ["top"])
    assert err.module == "lonely"
    assert "module 'lonely' depends on module 'ghost'" in str(err)


def test_cycle():
    manifests = load("addons_cycle")
    file = (FIXTURES / "addons_cycle" / "x" / "__manifest__.py").resolve()
    err = error(resolve_install_order, manifests, ["x"])
    assert (err.module, err.path) == ("x", file)
    assert str(err) == f"{file}: dependency cycle between modules: x -> y -> x"
    err = error(resolve_install_order, manifests, ["y"])
    assert err.module == "y"
    assert "dependency cycle between modules: y -> x -> y" in str(err)


def test_longer_cycle_reached_through_another_module():
    manifests = graph(make("a", "b"), make("b", "c"), make("c", "a"), make("d", "a"))
    err = error(resolve_install_order, manifests, ["d"])
    assert (err.module, err.path) == ("a", Path("/addons/a/__manifest__.py"))
    assert (
        str(err) == "/addons/a/__manifest__.py: dependency cycle between modules: a -> b -> c -> a"
    )


def test_self_dependency_is_a_cycle():
    err = error(resolve_install_order, graph(make("me", "me")), ["me"])
    assert "dependency cycle between modules: me -> me" in str(err)


def test_requested_module_not_installable(ok):
    err = error(resolve_install_order, ok, ["retired"])
    file = (FIXTURES / "addons_ok" / "retired" / "__manifest__.py").resolve()
    assert (err.module, err.path) == ("retired", file)
    assert str(err) == f"{file}: module 'retired' is not installable (installable: False)"


def test_dependency_not_installable(ok):
    err = error(resolve_install_order, ok, ["needs_retired"])
    file = (FIXTURES / "addons_ok" / "retired" / "__manifest__.py").resolve()
    assert (err.module, err.path) == ("retired", file)
    assert str(err) == (
        f"{file}: module 'retired' is not installable (installable: False), "
        "required by module 'needs_retired'"
    )


# -- auto_install_candidates -------------------------------------------------------------------


def test_no_candidate_while_triggers_are_missing(ok):
    assert auto_install_candidates(ok, {"base"}) == []


def test_candidate_when_its_triggers_are_installed(ok):
    # c triggers on a; bridge needs b and c
    assert auto_install_candidates(ok, {"base", "a"}) == ["c"]


def test_candidates_reach_a_fixed_point_in_dependency_order(ok):
    # c qualifies, and then bridge (b installed, c chosen)
    assert auto_install_candidates(ok, {"base", "a", "b"}) == ["c", "bridge"]
    assert auto_install_candidates(ok, {"base", "a", "b", "c"}) == ["bridge"]


def test_installed_modules_are_not_candidates(ok):
    assert auto_install_candidates(ok, set(ok) - {"retired", "needs_retired"}) == []


def test_empty_trigger_list_means_always():
    manifests = graph(make("always", auto_install=()))
    assert auto_install_candidates(manifests, {"base"}) == ["always"]
    assert auto_install_candidates(manifests, {"base", "always"}) == []


def test_dependencies_of_a_candidate_count_as_installed():
    manifests = graph(
        make("p"),
        make("q", "p", auto_install=()),  # always: brings p
        make("r", "p", auto_install=("p",)),  # so r follows
    )
    assert auto_install_candidates(manifests, {"base"}) == ["q", "r"]


def test_auto_install_true_set_by_hand_means_all_depends():
    manifests = graph(make("p"), make("t", "p", auto_install=True))
    assert auto_install_candidates(manifests, {"base"}) == []
    assert auto_install_candidates(manifests, {"base", "p"}) == ["t"]


def test_not_installable_modules_are_never_candidates():
    manifests = graph(make("off", auto_install=(), installable=False))
    assert auto_install_candidates(manifests, {"base"}) == []


def test_broken_candidate_is_reported():
    manifests = graph(make("p"), make("broken", "p", "ghost", auto_install=("p",)))
    err = error(auto_install_candidates, manifests, {"base", "p"})
    assert err.module == "broken"
    assert "module 'broken' depends on module 'ghost', which is not available" in str(err)


# -- dependents --------------------------------------------------------------------------------


def test_dependents_in_reverse_load_order(ok):
    # load order of these: b, c, retired (depth 2), bridge, needs_retired (depth 3)
    assert dependents(ok, ["a"]) == ["needs_retired", "bridge", "retired", "c", "b"]


def test_direct_and_indirect_dependents(ok):
    assert dependents(ok, ["b"]) == ["bridge"]
    assert dependents(ok, ["c"]) == ["bridge"]
    assert dependents(ok, ["bridge"]) == []


def test_dependents_exclude_the_given_modules(ok):
    assert dependents(ok, ["a", "b"]) == ["needs_retired", "bridge", "retired", "c"]


def test_everything_depends_on_base(ok):
    order = dependents(ok, ["base"])
    assert set(order) == set(ok) - {"base"}
    assert order.index("bridge") < order.index("b") < order.index("a")


def test_dependents_is_the_reverse_of_the_install_order():
    manifests = graph(make("a"), make("b", "a"), make("c", "a"), make("d", "b", "c"), make("e"))
    forward = resolve_install_order(manifests, list(manifests))
    assert forward == ["base", "a", "e", "b", "c", "d"]
    assert dependents(manifests, ["base"]) == forward[:0:-1]


def test_dependents_of_an_unknown_module(ok):
    err = error(dependents, ok, ["nope"])
    assert str(err) == "Unknown module 'nope'"
    assert err.module == "nope"


def test_dependents_ignore_broken_unrelated_modules():
    manifests = {**graph(make("a"), make("b", "a")), **load("addons_missing_dep")}
    assert dependents(manifests, ["a"]) == ["b"]
