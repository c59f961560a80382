"""``ir.autovacuum``: the daily cleaning job (Odoo 17's model).

:meth:`IrAutovacuum.run_vacuum_cleaner` (the job ``base.autovacuum_job``) calls, on every model
of the registry, each method decorated with ``@api.autovacuum``: the vacuum of transient
models (``_transient_vacuum``), the expired HTTP sessions (:meth:`IrAutovacuum._gc_sessions`),
and whatever modules add. Each method runs in a savepoint: one that fails is logged and does
not stop the others. Only an administrator (or the superuser the job runs as) may run it.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from erplite import api, models
from erplite.exceptions import AccessError
from erplite.http.session import SESSION_LIFETIME
from erplite.http.session import TABLE as SESSION_TABLE
from erplite.sql import SQL

_logger = logging.getLogger(__name__)


class IrAutovacuum(models.AbstractModel):
    _name = "ir.autovacuum"
    _description = "Automatic Vacuum"

    @api.private
    def run_vacuum_cleaner(self) -> int:
        """Run every ``@api.autovacuum`` method of every model; return how many ran."""
        if not self.env.is_admin():
            raise AccessError("Only administrators can run the vacuum cleaner.")
        count = 0
        for model_name in sorted(self.env.registry.models):
            model = self.env[model_name]
            for name in _autovacuum_methods(type(model)):
                try:
                    with self.env.cr.savepoint():
                        getattr(model, name)()
                except Exception:
                    # one cleaning that fails (a bug of a module) must not stop the others
                    _logger.exception("autovacuum %s.%s failed", model_name, name)
                else:
                    count += 1
        return count

    @api.autovacuum
    def _gc_sessions(self) -> None:
        """Delete the HTTP sessions idle for longer than their lifetime, when this database
        holds them (a separate session database is cleaned by the web workers)."""
        cr = self.env.cr
        cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", SESSION_TABLE), flush=False)
        if not cr.fetchone()[0]:
            return
        threshold = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None
        ) - datetime.timedelta(seconds=SESSION_LIFETIME)
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE last_seen IS NULL OR last_seen < %s",
                SQL.identifier(SESSION_TABLE),
                threshold,
            ),
            flush=False,
        )


def _autovacuum_methods(model_class: Any) -> list[str]:
    """The names of the ``@api.autovacuum`` methods of a model class, each once."""
    names: list[str] = []
    for klass in model_class.__mro__:
        for name, value in vars(klass).items():
            if callable(value) and getattr(value, "_autovacuum", False) and name not in names:
                names.append(name)
    return names
