from . import cron_run  # noqa: F401
