"""The first rows of a new database, written before any record goes through the ORM.

Every record stores its creator (``create_uid``), so the superuser (id 1) must exist before the
ORM creates anything, and a user needs a partner, a company and a currency. These rows are
inserted here with their external ids; ``data/base_data.xml`` then completes them as it would
any existing record. (Odoo does the same with ``base.sql``.)
"""

from __future__ import annotations

from typing import Any

from erplite.sql import SQL

#: the models whose rows bootstrap() inserts: the loader then gives those rows the defaults of
#: every field, as it does for a column added to a table that has rows
BOOTSTRAP_MODELS = ("res.currency", "res.partner", "res.company", "res.users")


def bootstrap(cr: Any) -> None:
    """Insert the currency, company, partners and superuser of a database being created."""
    cr.execute(
        SQL(
            "INSERT INTO res_currency (id, name, symbol, rounding, active) "
            "VALUES (1, 'EUR', '€', 0.01, true)"
        )
    )
    cr.execute(
        SQL(
            "INSERT INTO res_partner (id, name, complete_name, is_company, active) VALUES "
            "(1, 'My Company', 'My Company', true, true), (2, 'System', 'System', false, true)"
        )
    )
    cr.execute(
        SQL(
            "INSERT INTO res_company (id, name, partner_id, currency_id, sequence, active, parent_path) "
            "VALUES (1, 'My Company', 1, 1, 10, true, '1/')"
        )
    )
    cr.execute(
        SQL(
            "INSERT INTO res_users (id, login, partner_id, company_id, active) "
            "VALUES (1, '__system__', 2, 1, false)"
        )
    )
    cr.execute(SQL("INSERT INTO res_company_users_rel (cid, user_id) VALUES (1, 1)"))
    cr.execute(SQL("UPDATE res_partner SET company_id = 1 WHERE id IN (1, 2)"))
    cr.execute(
        SQL(
            "INSERT INTO ir_model_data (module, name, model, res_id, noupdate) VALUES "
            "('base', 'EUR', 'res.currency', 1, true), ('base', 'main_partner', 'res.partner', 1, true), "
            "('base', 'partner_root', 'res.partner', 2, true), ('base', 'main_company', 'res.company', 1, true), "
            "('base', 'user_root', 'res.users', 1, true)"
        )
    )
    for table in ("res_currency", "res_partner", "res_company", "res_users"):
        cr.execute(
            SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM %s))",
                table,
                SQL.identifier(table),
            )
        )
