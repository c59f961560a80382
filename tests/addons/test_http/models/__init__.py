from . import counter  # noqa: F401
