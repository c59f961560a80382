"""erplite.tools.lazy_modules: a module bound at import time, imported at its first use."""

from __future__ import annotations

import sys

import pytest

from erplite.tools.lazy_modules import LazyModule, lazy_module


@pytest.fixture
def fresh_module(tmp_path, monkeypatch):
    """The name of a module that exists on sys.path and is not imported yet."""
    name = f"lazy_target_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text("ANSWER = 42\nIMPORTS = []\nIMPORTS.append(1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_the_module_is_imported_at_the_first_attribute_read_and_replaces_its_placeholder(
    fresh_module, monkeypatch
):
    holder = type(sys)("lazy_holder")
    monkeypatch.setitem(sys.modules, "lazy_holder", holder)
    holder.target = lazy_module(fresh_module, "lazy_holder", "target")
    assert isinstance(holder.target, LazyModule)
    assert fresh_module not in sys.modules
    assert "not imported yet" in repr(holder.target)

    placeholder = holder.target
    assert placeholder.ANSWER == 42
    module = sys.modules[fresh_module]
    # the holder's name is the module itself now: later reads cost a plain lookup
    assert holder.target is module
    # the placeholder kept elsewhere still works, and the module was imported once
    assert placeholder.IMPORTS == [1]
    assert "(imported)" in repr(placeholder)


def test_a_module_imported_already_is_returned_as_is():
    import json

    assert lazy_module("json", __name__, "json") is json


def test_a_missing_attribute_or_module_raises_at_the_first_use(fresh_module, monkeypatch):
    monkeypatch.setitem(sys.modules, "lazy_holder2", type(sys)("lazy_holder2"))
    with pytest.raises(AttributeError):
        _ = lazy_module(fresh_module, "lazy_holder2", "target").NO_SUCH_NAME
    missing = lazy_module("erplite_no_such_module_xyz", "lazy_holder2", "missing")
    with pytest.raises(ModuleNotFoundError):
        _ = missing.anything
