"""Fixtures of the web module's tests: its ``ui`` helpers, imported once the template database's
registry has loaded the module (modules are imported as ``erplite.addons.<name>``)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest


@pytest.fixture(scope="session")
def web_ui(erplite_template: Any) -> Any:
    """``web_ui("widgets")``: a module of ``erplite.addons.web.ui``."""

    def load(name: str) -> Any:
        return importlib.import_module(f"erplite.addons.web.ui.{name}")

    return load
