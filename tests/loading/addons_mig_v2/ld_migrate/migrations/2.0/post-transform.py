"""After the data of 2.0: every item gets a code made from its name and quantity."""


def migrate(cr, version):
    cr.execute("UPDATE ld_migrate_item SET code = upper(name) || '-' || quantity")
    cr.execute("INSERT INTO ld_migrate_log (step) VALUES ('post 2.0')")
