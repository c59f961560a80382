from . import controllers, models, wizard  # noqa: F401
