"""A script of a top-level migrations folder (migrations/<module>/<version>/)."""


def migrate(cr, version):
    cr.execute("INSERT INTO ld_migrate_log (step) VALUES ('post 2.0 (top level)')")
