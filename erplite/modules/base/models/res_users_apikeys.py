"""``res.users.apikeys``: API keys, as Odoo 17.

A key is generated for the current user by ``_generate(scope, name, expiration_date=None)``,
which returns it: this is the only time it exists in clear. The table keeps its first eight
characters (the ``index`` column, indexed, to find the candidate rows) and a salted slow hash
of the whole key (the ``key`` column); neither column is an ORM field, so no ORM method ever
returns them.

``_check_credentials(scope=..., key=...)`` answers the id of the active user owning ``key``
when the key's scope is ``scope`` or unset and it has not expired, else ``None``. Keys are
revoked by deleting them (``_remove()``: one's own, or any for an administrator). The record
rules let users see their own keys, administrators every key, and the public user none.
"""

from __future__ import annotations

import logging
from datetime import datetime

from erplite import api, fields, models
from erplite.exceptions import AccessError, UserError
from erplite.security import apikeys
from erplite.sql import SQL

_logger = logging.getLogger(__name__)


class ResUsersApikeys(models.Model):
    _name = "res.users.apikeys"
    _description = "Users API Keys"
    _order = "id"

    name = fields.Char("Description", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", index=True, required=True, readonly=True, ondelete="cascade"
    )
    scope = fields.Char("Scope", readonly=True)
    expiration_date = fields.Datetime("Expiration Date", readonly=True)

    def init(self):
        """The secret columns, unknown to the ORM, and the index of the lookup column."""
        cr = self.env.cr
        table = SQL.identifier(self._table)
        # look first: an upgrade of an unchanged schema sends no DDL (no table lock)
        cr.execute(
            SQL(
                "SELECT ARRAY(SELECT column_name::text FROM information_schema.columns "
                "             WHERE table_schema = current_schema() AND table_name = %s), "
                "       to_regclass(%s) IS NOT NULL",
                self._table,
                f"{self._table}_index_idx",
            )
        )
        columns, has_index = cr.fetchone()
        if "index" not in columns:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s varchar(%s)",
                    table,
                    SQL.identifier("index"),
                    SQL(str(int(apikeys.INDEX_SIZE))),
                )
            )
        if "key" not in columns:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s varchar",
                    table,
                    SQL.identifier("key"),
                )
            )
        if not has_index:
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
                    SQL.identifier(f"{self._table}_index_idx"),
                    table,
                    SQL.identifier("index"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Keys are not created as records: ``_generate`` makes them (and shows them once)."""
        self.check_access_rights("create")
        raise UserError("API keys are generated with res.users.apikeys._generate(scope, name).")

    @api.model
    def _generate(
        self, scope: str | None, name: str, expiration_date: datetime | None = None
    ) -> str:
        """Generate a key for the current user and return it (the only time it is readable).

        :param scope: what the key may be used for (``"rpc"`` for the external API); ``None``
            gives a key valid for every scope.
        :param name: a description, to recognise the key later.
        :param expiration_date: when the key stops working (naive UTC), or ``None`` for a
            persistent key.
        """
        if not name:
            raise UserError("An API key needs a name.")
        user = self.env.user
        if user._is_public():
            raise AccessError("The public user cannot have API keys.")
        if isinstance(expiration_date, str):
            expiration_date = fields.Datetime.to_datetime(expiration_date)
        key, index, key_hash = apikeys.generate_key()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (name, user_id, scope, expiration_date, %s, %s, "
                "create_uid, create_date, write_uid, write_date) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                SQL.identifier(self._table),
                SQL.identifier("key"),
                SQL.identifier("index"),
                name,
                user.id,
                scope or None,
                expiration_date or None,
                key_hash,
                index,
                user.id,
                now,
                user.id,
                now,
            )
        )
        user.invalidate_recordset(["api_key_ids"], flush=False)
        _logger.info(
            "%s generated: scope: <%s> for %r (#%s)", self._description, scope, user.login, user.id
        )
        return key

    @api.model
    def _check_credentials(self, *, scope: str, key: str) -> int | None:
        """The id of the active user owning ``key`` if it is valid for ``scope`` (its scope is
        ``scope`` or unset) and has not expired; ``None`` otherwise."""
        if not scope or not key or not isinstance(key, str):
            return None
        index = apikeys.key_index(key)
        self.env.cr.execute(
            SQL(
                "SELECT k.user_id, k.%s FROM %s k JOIN res_users u ON u.id = k.user_id "
                "WHERE u.active AND k.%s = %s AND (k.scope IS NULL OR k.scope = %s) "
                "AND (k.expiration_date IS NULL OR k.expiration_date >= (clock_timestamp() AT TIME ZONE 'UTC'))",
                SQL.identifier("key"),
                SQL.identifier(self._table),
                SQL.identifier("index"),
                index,
                scope,
            )
        )
        for user_id, key_hash in self.env.cr.fetchall():
            if apikeys.verify_key(key, key_hash):
                return user_id
        return None

    def remove(self) -> dict:
        """Revoke the keys (Odoo's button; see :meth:`_remove`)."""
        return self._remove()

    def _remove(self) -> dict:
        """Revoke the keys: one's own, or anyone's for an administrator."""
        if not self:
            return {"type": "ir.actions.act_window_close"}
        owners = self.sudo().mapped("user_id")
        if self.env.su or self.env.is_system() or owners.ids == [self.env.uid]:
            _logger.info(
                "API key(s) removed: scope: <%s> for %r (#%s)",
                self.sudo().mapped("scope"),
                self.env.user.login,
                self.env.uid,
            )
            self.sudo().unlink()
            owners.invalidate_recordset(["api_key_ids"], flush=False)
            return {"type": "ir.actions.act_window_close"}
        raise AccessError(
            "You can not remove API keys unless they're yours or you are a system user"
        )

    @api.model
    def _gc_user_apikeys(self) -> int:
        """Delete the expired keys; return how many."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE expiration_date IS NOT NULL "
                "AND expiration_date < (clock_timestamp() AT TIME ZONE 'UTC')",
                SQL.identifier(self._table),
            )
        )
        return self.env.cr.rowcount
