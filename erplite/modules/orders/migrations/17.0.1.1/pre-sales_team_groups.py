"""The sales groups moved from ``orders`` to ``sales_team`` (as in Odoo 17): their external ids
are renamed before the data is loaded, so ``sales_team``'s data file updates the same groups
(their members, the rules and access rights that point to them are kept) instead of creating
new ones, and the upgrade of ``orders`` does not delete them as records it no longer declares.
"""

from erplite.sql import SQL

MOVED = ("group_sale_salesman", "group_sale_manager")


def migrate(cr, version):
    cr.execute(
        SQL(
            "UPDATE ir_model_data SET module = 'sales_team' "
            "WHERE module = 'orders' AND name = ANY(%s) AND NOT EXISTS ("
            " SELECT 1 FROM ir_model_data moved"
            " WHERE moved.module = 'sales_team' AND moved.name = ir_model_data.name)",
            list(MOVED),
        )
    )
