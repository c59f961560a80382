from . import loans  # noqa: F401
