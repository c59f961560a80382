"""erplite: an Odoo-style business application framework on PostgreSQL.

Worked example::

    from erplite import api, Registry, SUPERUSER_ID

    registry = Registry.new("dbname=demo", install=("orders",))
    with registry.cursor() as cr:              # commits at the end of the block
        env = api.Environment(cr, SUPERUSER_ID, {})
        orders = env["sale.order"].search([("state", "=", "draft")])
        orders.action_confirm()

Packages: ``erplite.orm`` (models, fields, domains, registry), ``erplite.security`` (the checks
the ORM calls), ``erplite.http`` (WSGI application, routes, RPC), ``erplite.loading`` (modules,
data files, migrations), ``erplite.modules`` (bundled modules), ``erplite.cli`` (the command).
"""

from __future__ import annotations

SUPERUSER_ID = 1
__version__ = "0.1.0"

from erplite import api, fields, models  # noqa: E402
from erplite.orm.commands import Command  # noqa: E402
from erplite.orm.registry import Registry  # noqa: E402


def __getattr__(name: str):
    # erplite.http is imported on demand so that the ORM never depends on the HTTP layer.
    if name == "http":
        import importlib

        return importlib.import_module("erplite.http")
    raise AttributeError(name)


__all__ = ["SUPERUSER_ID", "api", "fields", "models", "Command", "Registry", "http"]
