"""Fixtures shared by the module tests: ``stock_template``, the template database with
``orders`` and ``inventory`` installed (and so the ``sale_stock`` bridge, auto-installed), made
by ``erplite_templates`` the first time a test of tests/modules/inventory or
tests/modules/sale_stock needs it. Those folders point their ``erplite_template`` at it; the
other tests keep the main template, whose statement counts do not include the inventory's
work."""

from __future__ import annotations

from typing import Any

import pytest

STOCK_MODULES = ("base", "product", "orders", "inventory")


@pytest.fixture(scope="session")
def stock_template(erplite_templates: Any) -> tuple[str, Any]:
    """``(dsn, registry)`` of a database with orders and inventory installed (no demo)."""
    return erplite_templates(*STOCK_MODULES)
