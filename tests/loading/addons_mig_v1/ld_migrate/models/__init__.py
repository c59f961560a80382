from . import items  # noqa: F401
