"""Helpers of the module-loading tests that need a database.

The fixture modules live in ``tests/loading/addons*`` (not in ``tests/addons``, which the
template database installs): ``addons`` (a library, its loans, a bridge), ``addons_mig_v1`` and
``addons_mig_v2`` (one module in two versions), ``addons_errors`` (one broken module each).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from erplite import SUPERUSER_ID, api
from erplite.testing import create_database, drop_database

HERE = Path(__file__).parent
ADDONS = str(HERE / "addons")
MIG_V1 = str(HERE / "addons_mig_v1")
MIG_V2 = str(HERE / "addons_mig_v2")
MIG_BAD = str(HERE / "addons_mig_bad")
ERRORS = str(HERE / "addons_errors")


def snapshot(dsn: str) -> dict[str, Any]:
    """What a failed run must leave unchanged: every relation of the schema (tables,
    sequences, indexes), every column, and the row count of every table."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        relations = conn.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'S', 'i', 'v') ORDER BY 1"
        ).fetchall()
        columns = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY 1, 2"
        ).fetchall()
        counts = {}
        for name, kind in relations:
            if kind == "r":
                query = psycopg.sql.SQL("SELECT count(*) FROM {}").format(
                    psycopg.sql.Identifier(name)
                )
                counts[name] = conn.execute(query).fetchone()[0]
        states = (
            conn.execute(
                "SELECT name, state, latest_version FROM ir_module_module ORDER BY name"
            ).fetchall()
            if any(name == "ir_module_module" for name, _k in relations)
            else []
        )
    return {"relations": relations, "columns": columns, "counts": counts, "states": states}


def environment(registry: Any) -> Any:
    """A superuser environment on a new cursor of ``registry`` (committed on exit)."""
    return _Env(registry)


class _Env:
    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def __enter__(self) -> Any:
        self.cr = self.registry.cursor()
        return api.Environment(self.cr, SUPERUSER_ID, {})

    def __exit__(self, *exc: Any) -> None:
        self.cr.__exit__(*exc)


@pytest.fixture(scope="module")
def base_db(erplite_server: str) -> Iterator[str]:
    """A database with base installed, shared by the tests of one file (they leave it as they
    found it: failed runs, or changes they undo)."""
    from erplite import Registry

    name = f"erplite_l_{uuid.uuid4().hex[:12]}"
    dsn = create_database(erplite_server, name)
    try:
        Registry.new(dsn, install=("base",))
        yield dsn
    finally:
        drop_database(erplite_server, name)


# a module author's project, run in a subprocess by test_testing_plugin.py
collect_ignore = ["author_project"]
