"""``sa.account.lineage_ids`` (the account and its ancestors, whose managers govern it) is new
in 17.0.1.1: filled from ``parent_path`` for the service accounts of an existing database."""

from erplite.sql import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            "INSERT INTO sa_account_lineage_rel (account_id, ancestor_id) "
            "SELECT lineage.account_id, lineage.ancestor_id FROM ("
            " SELECT a.id AS account_id,"
            " unnest(string_to_array(rtrim(a.parent_path, '/'), '/'))::int4 AS ancestor_id"
            " FROM sa_account a WHERE a.parent_path IS NOT NULL) lineage "
            "WHERE NOT EXISTS (SELECT 1 FROM sa_account_lineage_rel known"
            " WHERE known.account_id = lineage.account_id"
            " AND known.ancestor_id = lineage.ancestor_id)"
        )
    )
