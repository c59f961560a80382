from . import performance  # noqa: F401
