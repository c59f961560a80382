from . import task  # noqa: F401
