"""HTTP routes of customer governance: its REST API under ``/api/governance/`` (``rest_api``)."""

from . import rest_api  # noqa: F401
