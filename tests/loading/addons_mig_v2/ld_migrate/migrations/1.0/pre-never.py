"""Version 1.0 is the installed one: this must not run."""


def migrate(cr, version):
    raise AssertionError("migrations of the installed version must not run")
