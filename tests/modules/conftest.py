"""Fixtures shared by the module tests: ``stock_template``, a second template database with
``orders`` and ``inventory`` installed (and so the ``sale_stock`` bridge, auto-installed), made
once per session when a test of tests/modules/inventory or tests/modules/sale_stock first needs
it. Those folders point their ``erplite_template`` at it; the other tests keep the main
template, whose statement counts do not include the inventory's work."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from erplite.testing import create_database, drop_database

STOCK_MODULES = ("base", "product", "orders", "inventory")


@pytest.fixture(scope="session")
def stock_template(erplite_server: str, erplite_addons_paths: tuple) -> Iterator[tuple[str, Any]]:
    """``(dsn, registry)`` of a database with orders and inventory installed (no demo)."""
    from erplite import Registry

    name = f"erplite_stock_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    dsn = create_database(erplite_server, name)
    try:
        registry = Registry.new(dsn, install=STOCK_MODULES, addons_paths=erplite_addons_paths)
        yield dsn, registry
    finally:
        drop_database(erplite_server, name)
