"""Runs at every upgrade, before the versioned scripts: creates the log the others write to."""


def migrate(cr, version):
    cr.execute("CREATE TABLE IF NOT EXISTS ld_migrate_log (id serial PRIMARY KEY, step varchar)")
    cr.execute("INSERT INTO ld_migrate_log (step) VALUES (%s)", [f"pre 0.0.0 from {version}"])
