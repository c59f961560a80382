"""The bundled modules: Odoo-style module folders, each with ``__manifest__.py``.

- ``base``: users, groups, companies, partners, currencies and the ``ir.*`` models (model
  reflection, external ids, access rights, record rules, actions, menus, views, sequences,
  cron, configuration parameters);
- ``product``: products, categories, taxes;
- ``orders``: sales orders and their workflow, with a REST API (``/api/``);
- ``web``: the backoffice (server-rendered pages from the views), session, RPC and JSON-2
  routes;
- ``base_automation``: automated actions (rules fired by create, write, unlink, dates and
  incoming webhooks);
- ``inventory``: Odoo's ``stock`` models: warehouses, locations, transfers, stock moves, stock on
  hand, reordering rules;
- ``sale_stock``: the bridge of ``orders`` and ``inventory`` (auto-installed with both);
- ``mail``: the chatter (messages, field tracking, followers), activities, attachments,
  outgoing mail and templates;
- ``auditlog``: who created, changed or deleted which record, when, with the old and new
  values (the OCA module's names);
- ``sales_team``: the sales groups and ``crm.team``;
- ``crm``: leads and opportunities (``crm.lead``, with the chatter and activities);
- ``sale_crm``: the bridge of ``crm`` and ``orders`` (auto-installed with both): quotations
  made from opportunities, which they win once confirmed;
- ``customer_governance``: service accounts, memberships and customer assignments
  (``sa.*``), with a REST API under ``/api/governance/``.

A module is not imported from here: the registry imports each installed module as
``erplite.addons.<name>`` from its folder, whatever its origin (this folder, an addons path
or an ``erplite.addons`` entry point; see ``erplite.loading.manifest.discover_modules``).
Modules sit on top of the framework: they import ``erplite`` (``api``, ``fields``, ``models``,
``http``, ``Command``) and ``erplite.exceptions``; ``base``, ``web`` and ``base_automation``,
which implement framework models and routes, also use ``erplite.sql``, ``erplite.security``,
``erplite.tools`` and parts of ``erplite.http`` (``inventory``, ``mail`` and ``auditlog`` use
``erplite.sql``'s ``SQL``, ``mail`` also ``erplite.tools.document_access``).
Nothing in the framework imports a module from here.

``import erplite.modules.<name>`` is refused with an ``ImportError`` naming
``erplite.addons.<name>``: a module imported under both names would define its models and
controllers twice, and the second copy of its controllers, outside ``erplite.addons``, would be
taken for the framework's and routed in every database (each of its routes declared twice).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType


class _ModulesImportGuard(MetaPathFinder):
    """Refuses the imports of ``erplite.modules.<name>...`` (see the package's docstring)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        prefix = __name__ + "."
        if not fullname.startswith(prefix):
            return None
        addon = "erplite.addons." + fullname[len(prefix) :]
        raise ImportError(
            f"import {addon} (once a registry has loaded the module), not {fullname}: the"
            " bundled modules are imported under erplite.addons only (imported under both"
            " names, a module would declare its models and routes twice)",
            name=fullname,
        )


if not any(isinstance(finder, _ModulesImportGuard) for finder in sys.meta_path):
    sys.meta_path.insert(0, _ModulesImportGuard())
