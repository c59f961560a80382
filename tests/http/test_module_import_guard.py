"""A bundled module has one Python name, ``erplite.addons.<name>``: importing it as
``erplite.modules.<name>`` is refused with an error naming the right import, so that no
controller is defined twice and no route is declared twice."""

from __future__ import annotations

import collections
import importlib
import sys

import pytest

from erplite.http.routing import Controller, build_routing_map


@pytest.mark.parametrize(
    "name",
    ["erplite.modules.web", "erplite.modules.orders.controllers", "erplite.modules.base.bootstrap"],
)
def test_importing_a_bundled_module_as_erplite_modules_is_refused(name):
    with pytest.raises(ImportError) as info:
        importlib.import_module(name)
    module = name.split(".")[2]  # the package is imported (and refused) first
    assert f"import erplite.addons.{module} " in str(info.value)
    assert not [key for key in sys.modules if key.startswith("erplite.modules.")]


def test_from_import_is_refused_too():
    with pytest.raises(ImportError, match=r"import erplite\.addons\.orders "):
        from erplite.modules.orders.controllers import rest_api  # noqa: F401


def test_each_route_of_the_installed_modules_is_declared_once(registry):
    """After the refused imports, the framework's controllers hold none from a module's
    folder, and the URL map of the installed modules has each URL and method once."""
    for name in ("erplite.modules.orders", "erplite.modules.orders.controllers"):
        with pytest.raises(ImportError):
            importlib.import_module(name)
    framework = Controller.children_classes.get("", [])
    assert not [c for c in framework if c.__module__.startswith("erplite.modules.")]
    assert "orders" in registry.installed_modules
    routing_map = build_routing_map(registry.installed_modules)
    rules = collections.Counter(
        (rule.rule, tuple(sorted(rule.methods or ()))) for rule in routing_map.iter_rules()
    )
    assert [key for key, count in rules.items() if count > 1] == []
    assert any(url.startswith("/api/orders") for url, _methods in rules)
