"""``ir.rule``'s flag ``global`` (Odoo 17's name) on a database made with its former name."""

from __future__ import annotations

import psycopg

from erplite import Registry


def test_upgrade_renames_ir_rule_global_column(clone_database, erplite_addons_paths):
    """A database made when the flag was ``global_`` keeps its values under ``global`` after
    ``-u base`` (the migration of base 17.0.1.1 renames the column)."""
    dsn = clone_database()
    with psycopg.connect(dsn) as conn:
        conn.execute('ALTER TABLE ir_rule RENAME COLUMN "global" TO global_')
        conn.execute("UPDATE ir_module_module SET latest_version = '17.0.1.0' WHERE name = 'base'")
        before = conn.execute("SELECT id, global_ FROM ir_rule ORDER BY id").fetchall()
    assert any(flag for _id, flag in before) and not all(flag for _id, flag in before)
    registry = Registry.new(dsn, update=("base",), addons_paths=erplite_addons_paths)
    with registry.cursor() as cr:
        cr.execute('SELECT id, "global" FROM ir_rule ORDER BY id')
        assert cr.fetchall() == before
        cr.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'ir_rule' AND column_name = 'global_'"
        )
        assert cr.fetchone()[0] == 0
