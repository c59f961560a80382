"""``ir.config_parameter``: key/value settings of a database, for administrators only.

As in Odoo 17: ``get_param(key, default=False)`` reads a value (a string) and ``set_param(key,
value)`` writes one (``False``/``None`` deletes it), both subject to the access rights (only the
Settings group has any: code that needs a parameter on behalf of a user calls them through
``sudo()``). Every database gets ``database.secret`` (a random key signing session tokens),
``database.uuid``, ``database.create_date`` and ``web.base.url`` when base is installed; these
keys can be changed but neither renamed nor deleted.

``_get_secret()`` returns ``database.secret`` whoever asks (it is for code, never for clients:
it is private) and keeps it in memory per registry. A change made by this process is seen after
its commit; another worker process keeps the old secret until its registry is reloaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from erplite import api, fields, models
from erplite.exceptions import ValidationError
from erplite.sql import SQL

#: key -> function giving the value a new database starts with
DEFAULT_PARAMETERS: dict[str, Callable[[], str]] = {
    "database.secret": lambda: str(uuid.uuid4()),
    "database.uuid": lambda: str(uuid.uuid1()),
    "database.create_date": lambda: fields.Datetime.to_string(fields.Datetime.now()),
    "web.base.url": lambda: "http://localhost:8069",
}


class IrConfigParameter(models.Model):
    _name = "ir.config_parameter"
    _description = "System Parameter"
    _rec_name = "key"
    _order = "key"

    key = fields.Char(required=True, index=True)
    value = fields.Text(required=True)

    _sql_constraints = [("key_uniq", "unique (key)", "Key must be unique.")]

    def init(self, force: bool = False) -> None:
        """Create the default parameters that are missing (all of them when ``force``)."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT key FROM ir_config_parameter WHERE key = ANY(%s)", list(DEFAULT_PARAMETERS))
        )
        present = {row[0] for row in cr.fetchall()}
        for key, make in DEFAULT_PARAMETERS.items():
            if force or key not in present:
                self.sudo().set_param(key, make())

    # -- reading and writing ------------------------------------------------------------------
    @api.model
    def get_param(self, key: str, default: Any = False) -> Any:
        """The value of ``key``, or ``default`` if it is not set."""
        self.check_access_rights("read")
        return self._get_param(key) or default

    @api.model
    def _get_param(self, key: str) -> str | None:
        self.env.cr.execute(SQL("SELECT value FROM ir_config_parameter WHERE key = %s", key))
        row = self.env.cr.fetchone()
        return row[0] if row else None

    @api.model
    def set_param(self, key: str, value: Any) -> str | bool:
        """Set ``key`` to ``str(value)``, or delete it if ``value`` is ``False`` or ``None``;
        return the previous value (``False`` if there was none)."""
        param = self.search([("key", "=", key)])
        if param:
            old = param.value
            if value is not False and value is not None:
                if str(value) != old:
                    param.write({"value": str(value)})
            else:
                param.unlink()
            return old
        if value is not False and value is not None:
            self.create({"key": key, "value": str(value)})
        return False

    @api.model
    def _get_secret(self) -> str:
        """``database.secret``, read once per registry (see the module docstring)."""
        registry = self.env.registry
        changed = self.env.transaction.config_parameters_changed
        secret = None if changed else registry.database_secret
        if secret is None:
            secret = self.sudo()._get_param("database.secret")
            if not secret:
                raise ValidationError(
                    "The parameter database.secret is missing: update the base module."
                )
            if not changed:
                registry.database_secret = secret
        return secret

    # -- integrity ----------------------------------------------------------------------------
    def _changed(self) -> None:
        """Forget the cached secret once this transaction commits (not before: a rollback
        would leave a value that was never committed in memory)."""
        transaction = self.env.transaction
        if not transaction.config_parameters_changed:
            transaction.config_parameters_changed = True
            registry = self.env.registry

            def forget() -> None:
                registry.database_secret = None
                transaction.config_parameters_changed = False

            def reset() -> None:
                transaction.config_parameters_changed = False

            self.env.cr.postcommit.add(forget)
            self.env.cr.postrollback.add(reset)

    @api.model_create_multi
    def create(self, vals_list):
        self._changed()
        return super().create(vals_list)

    def write(self, vals):
        if "key" in vals:
            protected = set(DEFAULT_PARAMETERS) & set(self.mapped("key"))
            if protected:
                raise ValidationError(
                    f"You cannot rename config parameters with keys {', '.join(sorted(protected))}"
                )
        self._changed()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default_parameters(self):
        for param in self:
            if param.key in DEFAULT_PARAMETERS:
                raise ValidationError(f"You cannot delete the {param.key} record.")

    def unlink(self):
        self._changed()
        return super().unlink()
