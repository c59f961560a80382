"""A v1 -> v2 upgrade of one module found in two addons folders: a pre-migration renames a
column, a post-migration transforms data, no row is lost; data reloaded with noupdate
respected and obsolete records removed; then a failing migration that changes nothing."""

from __future__ import annotations

import psycopg
import pytest

from erplite import Registry
from erplite.loading import ModuleError
from erplite.loading.loader import load_modules, migration_scripts
from erplite.loading.manifest import read_manifest
from tests.loading.conftest import HERE, MIG_BAD, MIG_V1, MIG_V2, environment, snapshot

ROWS = 500


def _log(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [row[0] for row in conn.execute("SELECT step FROM ld_migrate_log ORDER BY id")]


def test_migration_scripts_between_versions():
    manifest = read_manifest(f"{MIG_V2}/ld_migrate")
    names = lambda paths: [f"{p.parent.name}/{p.name}" for p in paths]  # noqa: E731
    assert names(migration_scripts(manifest, "pre", "1.0", manifest.version)) == [
        "0.0.0/pre-log.py",
        "1.5/pre-rename.py",
    ]
    assert names(migration_scripts(manifest, "pre", "17.0.1.5", manifest.version)) == [
        "0.0.0/pre-log.py"
    ]
    assert names(
        migration_scripts(
            manifest, "post", "1.0", manifest.version, upgrade_paths=[HERE / "upgrade_top"]
        )
    ) == ["2.0/post-top.py", "2.0/post-transform.py"]
    assert migration_scripts(manifest, "pre", None, manifest.version) == []  # installation
    assert (
        migration_scripts(manifest, "pre", manifest.version, manifest.version) == []
    )  # same version


def test_upgrade_v1_to_v2(new_database):
    dsn = new_database()
    registry = Registry.new(dsn, install=("ld_migrate",), addons_paths=(MIG_V1,))
    with environment(registry) as env:
        env["ld.migrate.item"].create(
            [{"name": f"row {i}", "qty": i, "label": f"L{i}"} for i in range(ROWS)]
        )
        env.ref("ld_migrate.item_kept").label = "changed by a user"
        env.ref("ld_migrate.item_frozen").label = "changed by a user"

    registry = load_modules(
        Registry,
        dsn,
        update=("ld_migrate",),
        addons_paths=(MIG_V2,),
        upgrade_paths=(str(HERE / "upgrade_top"),),
    )

    # the scripts of the versions between 1.0 and 2.0 ran, in their stages' order
    assert _log(dsn) == [
        "pre 0.0.0 from 17.0.1.0",
        "pre 1.5",
        "post 2.0 (top level)",
        "post 2.0",
        "end 2.0",
    ]
    with environment(registry) as env:
        module = env["ir.module.module"].search([("name", "=", "ld_migrate")])
        assert (module.state, module.latest_version) == ("installed", "17.0.2.0")
        Item = env["ld.migrate.item"]
        assert "qty" not in Item._fields
        rows = Item.search([("name", "like", "row ")])
        # no row lost, quantities kept by the renamed column, codes made by the post-migration
        assert len(rows) == ROWS
        assert sum(rows.mapped("quantity")) == sum(range(ROWS))
        assert rows.filtered(lambda r: r.name == "row 42").code == "ROW 42-42"
        assert rows.filtered(lambda r: r.name == "row 7").label == "L7"
        # data reloaded: updatable records follow the data, noupdate ones keep the user's value
        assert env.ref("ld_migrate.item_kept").label == "v2 label"
        assert env.ref("ld_migrate.item_kept").code == "KEPT-1"
        assert env.ref("ld_migrate.item_frozen").label == "changed by a user"
        assert env.ref("ld_migrate.item_new").label == "new in v2"
        # a record the new data no longer declares is gone, with its external id
        assert env.ref("ld_migrate.item_obsolete", raise_if_not_found=False) is None
        assert not Item.search([("name", "=", "obsolete")])
        assert (
            env["ir.model.fields"].search_count(
                [("model", "=", "ld.migrate.item"), ("name", "=", "qty")]
            )
            == 0
        )
        quantity = env["ir.model.fields"].search(
            [("model", "=", "ld.migrate.item"), ("name", "=", "quantity")]
        )
        assert quantity.ttype == "integer"

    # a failing migration: one clear error naming the script and its line, nothing changed
    before = snapshot(dsn)
    with pytest.raises(ModuleError) as failure:
        Registry.new(dsn, update=("ld_migrate",), addons_paths=(MIG_BAD,))
    script = f"{MIG_BAD}/ld_migrate/migrations/3.0/post-break.py"
    assert str(failure.value) == (
        f"{script}:7: module 'ld_migrate': migration failed: RuntimeError: the migration to 3.0 fails"
    )
    assert snapshot(dsn) == before
