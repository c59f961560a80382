from . import auditlog_log, auditlog_rule  # noqa: F401
