"""The module's migration scripts, run on data shaped as the previous version left it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import erplite
from erplite.sql import SQL

# The folder, not the package: importing erplite.modules.customer_governance would register its
# controllers under that name, outside erplite.addons, so every database of the test session
# would route them (and the orders' OpenAPI document would list the governance operations).
MIGRATIONS = Path(erplite.__file__).parent / "modules" / "customer_governance" / "migrations"


def _migration(version: str, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, MIGRATIONS / version / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lineage_filled_from_parent_path(env: Any, make_account: Any) -> None:
    seed = make_account("seed")
    branch = make_account("branch", parent_id=seed.id)
    leaf = make_account("leaf", parent_id=branch.id)
    env.flush_all()
    # a 17.0.1.0 database: no lineage yet
    env.cr.execute(SQL("DELETE FROM sa_account_lineage_rel"))
    env.invalidate_all()
    assert not leaf.lineage_ids
    migration = _migration("17.0.1.1", "post-lineage")
    migration.migrate(env.cr, "17.0.1.0")
    migration.migrate(env.cr, "17.0.1.0")  # a second run adds nothing twice
    env.invalidate_all()
    assert set(leaf.lineage_ids.ids) == {seed.id, branch.id, leaf.id}
    assert set(branch.lineage_ids.ids) == {seed.id, branch.id}
    assert seed.lineage_ids == seed
    env.cr.execute(SQL("SELECT count(*) FROM sa_account_lineage_rel"))
    assert env.cr.fetchone()[0] == 6
