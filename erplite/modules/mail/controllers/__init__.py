from . import activity_view, chatter  # noqa: F401
