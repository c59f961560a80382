from . import chatter  # noqa: F401
