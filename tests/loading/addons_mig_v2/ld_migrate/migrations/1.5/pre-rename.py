"""Keep the quantities: the column qty becomes quantity before the schema is synchronised."""


def migrate(cr, version):
    cr.execute("ALTER TABLE ld_migrate_item RENAME COLUMN qty TO quantity")
    cr.execute("INSERT INTO ld_migrate_log (step) VALUES ('pre 1.5')")
