from . import crm_team  # noqa: F401
