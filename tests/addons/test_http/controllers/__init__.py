from . import main  # noqa: F401
