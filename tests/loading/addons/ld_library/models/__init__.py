from . import library  # noqa: F401
