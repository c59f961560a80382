from . import things  # noqa: F401
