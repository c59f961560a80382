"""Version 3.0 is after the new one: this must not run."""


def migrate(cr, version):
    raise AssertionError("migrations of future versions must not run")
