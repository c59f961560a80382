def migrate(cr, version):
    cr.execute("INSERT INTO ld_migrate_log (step) VALUES ('end 2.0')")
