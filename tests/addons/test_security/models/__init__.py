from . import documents  # noqa: F401
