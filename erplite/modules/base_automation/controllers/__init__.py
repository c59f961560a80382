from . import webhook  # noqa: F401
