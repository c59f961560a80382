"""``ir.rule``'s computed flag is named ``global`` as in Odoo 17 (it was ``global_``): the
column is renamed before the schema is synchronised, so the values are kept, not recomputed."""

from erplite.sql import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'ir_rule' "
            "AND column_name IN ('global_', 'global')"
        )
    )
    columns = {row[0] for row in cr.fetchall()}
    if "global_" in columns and "global" not in columns:
        cr.execute(SQL('ALTER TABLE ir_rule RENAME COLUMN global_ TO "global"'))
        cr.execute(
            SQL(
                "UPDATE ir_model_fields SET name = 'global' "
                "WHERE model = 'ir.rule' AND name = 'global_'"
            )
        )
