"""Changes data, then fails: the whole upgrade must be rolled back."""


def migrate(cr, version):
    cr.execute("UPDATE ld_migrate_item SET label = 'damaged'")
    cr.execute("DROP TABLE ld_migrate_log")
    raise RuntimeError("the migration to 3.0 fails")
