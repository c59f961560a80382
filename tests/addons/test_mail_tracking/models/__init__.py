from . import ticket  # noqa: F401
