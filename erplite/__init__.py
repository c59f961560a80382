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

# The public names are resolved on first use, so that importing a low layer (``erplite.sql``,
# ``erplite.exceptions``) does not load the ORM, and the ORM never loads the HTTP layer.
_LAZY = {
    "api": ("erplite.api", None),
    "fields": ("erplite.fields", None),
    "models": ("erplite.models", None),
    "http": ("erplite.http", None),
    "tools": ("erplite.tools", None),
    "Command": ("erplite.orm.commands", "Command"),
    "Registry": ("erplite.loading.loader", "Registry"),
}


def __getattr__(name: str):
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'erplite' has no attribute {name!r}") from None
    import importlib

    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


__all__ = ["SUPERUSER_ID", "api", "fields", "models", "Command", "Registry", "http"]
